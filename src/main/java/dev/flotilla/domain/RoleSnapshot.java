package dev.flotilla.domain;

import java.util.List;

/**
 * A role as the planner sees it: desired cardinality and its bounds, state, and its VMs (members
 * and retired ones still being removed; forgotten ones excluded).
 */
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
        Integer minVms,
        Integer maxVms,
        int cooldown,
        boolean removing,
        List<VmSnapshot> vms) {

    public RoleSnapshot(String name, RoleState state, int cardinality, int templateId, List<String> parents,
                        int lastVmNumber, boolean terminateHard, List<VmSnapshot> vms) {
        this(name, state, cardinality, templateId, parents, lastVmNumber, terminateHard, false, false, vms);
    }

    public RoleSnapshot(String name, RoleState state, int cardinality, int templateId, List<String> parents,
                        int lastVmNumber, boolean terminateHard, boolean onHold, boolean selfHealing,
                        List<VmSnapshot> vms) {
        this(name, state, cardinality, templateId, parents, lastVmNumber, terminateHard, onHold, selfHealing, null,
                null, 0, false, vms);
    }

    public RoleSnapshot {
        parents = List.copyOf(parents);
        vms = List.copyOf(vms);
    }
}
