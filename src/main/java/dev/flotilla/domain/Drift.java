package dev.flotilla.domain;

import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * Where the cloud and Flotilla's records disagree, each with what {@code recover} (or the operator)
 * would do about it: VMs carrying a SERVICE_ID that no live member owns, members whose VM is gone,
 * and members whose VM is in a state their role does not expect.
 */
public final class Drift {
    private Drift() {
    }

    /** A member as Flotilla records it: its service, role, the role's state and the VM's id. */
    public record Member(int serviceId, String role, RoleState roleState, int vmId) {
    }

    /** A VM of the cloud that says it belongs to a service (by SERVICE_ID in its template). */
    public record CloudVm(int vmId, int serviceId, String role, int state, int lcmState) {
    }

    public enum Kind { STRAY_VM, MISSING_VM, UNEXPECTED_STATE }

    public record Finding(Kind kind, int serviceId, String role, int vmId, String state, String remedy) {
    }

    public static List<Finding> report(List<Member> members, List<CloudVm> cloud) {
        Map<Integer, CloudVm> byId = new HashMap<>();
        cloud.forEach(vm -> byId.put(vm.vmId(), vm));
        Set<Integer> owned = new HashSet<>();
        List<Finding> out = new ArrayList<>();
        for (Member m : members) {
            owned.add(m.vmId());
            CloudVm vm = byId.get(m.vmId());
            if (vm == null || VmStates.isDone(vm.state())) {
                out.add(new Finding(Kind.MISSING_VM, m.serviceId(), m.role(), m.vmId(), vm == null ? "gone" : "DONE",
                        "the VM leaves its role at the next look (self_healing: a new one replaces it);"
                                + " recover on a failed deploy creates it again"));
            } else if ((m.roleState() == RoleState.RUNNING || m.roleState() == RoleState.WARNING)
                    && !VmStates.isRunning(vm.state(), vm.lcmState())) {
                String state = VmStates.stateName(vm.state()) + "/" + VmStates.lcmName(vm.lcmState());
                String remedy = VmStates.isFailure(vm.state(), vm.lcmState())
                        ? "recover terminates the failed VM and creates a new one"
                        : vm.lcmState() == VmStates.LCM_UNKNOWN ? "recover resumes it"
                        : "resume it: oneflow action " + m.serviceId() + " " + m.role() + " resume";
                out.add(new Finding(Kind.UNEXPECTED_STATE, m.serviceId(), m.role(), m.vmId(), state, remedy));
            }
        }
        for (CloudVm vm : cloud) {
            if (!owned.contains(vm.vmId()) && !VmStates.isDone(vm.state())) {
                out.add(new Finding(Kind.STRAY_VM, vm.serviceId(), vm.role(), vm.vmId(),
                        VmStates.stateName(vm.state()) + "/" + VmStates.lcmName(vm.lcmState()),
                        "no member owns it: recover leaves it alone; terminate it in the cloud if it is not wanted"));
            }
        }
        return out;
    }
}
