package dev.flotilla.store;

import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.flotilla.domain.PolicyCounters;
import dev.flotilla.domain.RoleState;
import dev.flotilla.domain.VmSnapshot;

import java.util.List;
import java.util.Map;

/**
 * A stored role: its state columns, the rest of its template fields, its VMs, and the autoscaler's
 * bookkeeping of its policies (by kind, then position).
 */
public record RoleRecord(
        String name,
        RoleState state,
        int cardinality,
        int templateId,
        List<String> parents,
        int lastVmNumber,
        ObjectNode body,
        boolean removing,
        List<VmSnapshot> vms,
        Map<String, Map<Integer, PolicyCounters.Stored>> policyCounters) {


    /** The role's members: VMs it counts, without retired ones still being removed. */
    public List<VmSnapshot> members() {
        return vms.stream().filter(vm -> !vm.retired()).toList();
    }
}
