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
        boolean removing,
        List<VmSnapshot> vms) {

    /**
     * Shutdown action precedence: role, then service, then config; legacy names mapped (states.md
     * §9.2). {@code self_healing} is the role's, else the service's (decision 9).
     */
    RoleSnapshot snapshot(String serviceShutdownAction, boolean serviceSelfHealing) {
        String action = body.path("shutdown_action").asText(serviceShutdownAction);
        boolean hard = action.equals("terminate-hard") || action.equals("shutdown-hard");
        boolean selfHealing = body.has("self_healing") ? body.path("self_healing").asBoolean(false)
                : serviceSelfHealing;
        return new RoleSnapshot(name, state, cardinality, templateId, parents, lastVmNumber, hard,
                body.path("on_hold").asBoolean(false), selfHealing,
                body.hasNonNull("min_vms") ? body.get("min_vms").asInt() : null,
                body.hasNonNull("max_vms") ? body.get("max_vms").asInt() : null,
                body.path("cooldown").asInt(0), removing, vms);
    }

    /** The role's members: VMs it counts, without retired ones still being removed. */
    public List<VmSnapshot> members() {
        return vms.stream().filter(vm -> !vm.retired()).toList();
    }
}
