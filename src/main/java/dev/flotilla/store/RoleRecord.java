package dev.flotilla.store;

import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.flotilla.domain.RoleSnapshot;
import dev.flotilla.domain.RoleState;
import dev.flotilla.domain.VmSnapshot;

import java.util.List;

/** A stored role: its state columns, the rest of its template fields, and its member VMs. */
public record RoleRecord(
        String name,
        RoleState state,
        int cardinality,
        int templateId,
        List<String> parents,
        int lastVmNumber,
        ObjectNode body,
        List<VmSnapshot> vms) {

    /** Shutdown action precedence: role, then service, then config; legacy names mapped (states.md §9.2). */
    RoleSnapshot snapshot(String serviceShutdownAction) {
        String action = body.path("shutdown_action").asText(serviceShutdownAction);
        boolean hard = action.equals("terminate-hard") || action.equals("shutdown-hard");
        return new RoleSnapshot(name, state, cardinality, templateId, parents, lastVmNumber, hard, vms);
    }
}
