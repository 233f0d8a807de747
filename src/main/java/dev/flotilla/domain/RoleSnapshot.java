package dev.flotilla.domain;

import java.util.List;

/** A role as the planner sees it: desired cardinality, state, and its member VMs (gone ones excluded). */
public record RoleSnapshot(
        String name,
        RoleState state,
        int cardinality,
        int templateId,
        List<String> parents,
        int lastVmNumber,
        boolean terminateHard,
        boolean onHold,
        boolean selfHealing,
        List<VmSnapshot> vms) {

    public RoleSnapshot(String name, RoleState state, int cardinality, int templateId, List<String> parents,
                        int lastVmNumber, boolean terminateHard, List<VmSnapshot> vms) {
        this(name, state, cardinality, templateId, parents, lastVmNumber, terminateHard, false, false, vms);
    }

    public RoleSnapshot {
        parents = List.copyOf(parents);
        vms = List.copyOf(vms);
    }
}
