package dev.flotilla.domain;

import java.util.List;

/**
 * Guarantees roles go in reverse order (under {@code straight}, children first), a failed
 * termination stops the undeploy (except under {@code recover --delete}, which never fails), and
 * {@code remove_role} takes only the removed roles and returns the service to RUNNING.
 */
final class UndeploySteps {
    private UndeploySteps() {
    }

    /** {@code oneflow delete}: the whole service undeploys. */
    static void delete(PlanWork work) {
        work.setService(ServiceState.UNDEPLOYING, "delete requested");
        undeploy(work);
    }

    /** {@code remove_role}: the role is undeployed on its own, then leaves the service. */
    static void removeRole(PlanWork work, String roleName) {
        work.markRemoving(roleName);
        work.setService(ServiceState.UNDEPLOYING, "remove_role " + roleName);
        undeploy(work);
    }

    /** {@code recover --delete}: every role undeploys at once and every remaining VM is terminated hard. */
    static void forceDelete(PlanWork work) {
        work.markForceDelete();
        NetworkSteps.retryFailedDeletes(work);
        work.forceUndeploy("recover --delete");
        for (RoleSnapshot role : work.roles()) {
            if (work.roleState(role) != RoleState.DONE && work.roleState(role) != RoleState.UNDEPLOYING) {
                work.setRole(role, RoleState.UNDEPLOYING, "recover --delete");
            }
            for (VmSnapshot vm : work.trackedVms(role)) {
                if (vm.createError() != null) {
                    work.forget(vm);
                } else if (!vm.isDone()) {
                    work.terminate(vm, true, true);
                }
            }
        }
        undeploy(work);
    }

    static void undeploy(PlanWork work) {
        boolean removing = !work.removing().isEmpty() && !work.forceDeleting();
        boolean changed = true;
        while (changed && work.service() == ServiceState.UNDEPLOYING) {
            changed = false;
            for (RoleSnapshot role : work.roles()) {
                if (removing && !work.removing().contains(role.name())) {
                    continue; // remove_role: only the removed role goes
                }
                RoleState state = work.roleState(role);
                if (state == RoleState.UNDEPLOYING) {
                    changed |= progressUndeployingRole(work, role);
                } else if (!state.isUndeployingOrGone() && undeployable(work, role)) {
                    work.setRole(role, RoleState.UNDEPLOYING, null);
                    for (VmSnapshot vm : work.liveVms(role)) {
                        work.terminate(vm, role.terminateHard(), false);
                    }
                    changed = true;
                }
            }
        }
        if (removing && work.service() == ServiceState.UNDEPLOYING) {
            boolean gone = work.roles().stream().filter(r -> work.removing().contains(r.name()))
                    .allMatch(r -> work.roleState(r) == RoleState.DONE);
            if (gone) {
                work.markDeleted(work.removing());
                work.log(ServiceEvent.info("Role(s) " + String.join(", ", work.removing()) + " removed"));
                work.setService(ServiceState.RUNNING, "remove_role done");
            }
            return;
        }
        if (work.service() == ServiceState.UNDEPLOYING && work.allRoles(RoleState.DONE)) {
            NetworkSteps.undeployNetworksOrFinish(work);
        }
    }

    /** Under {@code straight} a parent goes only after all its children are DONE (reverse order). */
    private static boolean undeployable(PlanWork work, RoleSnapshot role) {
        if (work.snapshot().deployment() == Deployment.NONE || work.forceDeleting()) {
            return true;
        }
        return work.roles().stream()
                .filter(child -> child.parents().contains(role.name()))
                .allMatch(child -> work.roleState(child) == RoleState.DONE);
    }

    private static boolean progressUndeployingRole(PlanWork work, RoleSnapshot role) {
        List<VmSnapshot> live = work.liveVms(role);
        for (VmSnapshot vm : live) {
            String reason = null;
            if (vm.terminateError() != null && !work.retryingTerminate(vm)) {
                reason = "VM " + vm.label() + " could not be terminated: " + vm.terminateError();
            } else if (vm.isFailure() && !work.retryingTerminate(vm)) {
                reason = "VM " + vm.label() + " failed in state " + vm.stateLabel();
            }
            if (reason == null) {
                continue;
            }
            if (work.forceDeleting()) {
                // recover --delete never fails: the VM is reported, not hidden, and left behind.
                work.forget(vm);
                work.log(ServiceEvent.vm('E', role.name(), "recover --delete could not remove " + reason));
                continue;
            }
            work.setRole(role, RoleState.FAILED_UNDEPLOYING, reason);
            work.setService(ServiceState.FAILED_UNDEPLOYING, "role " + role.name() + ": " + reason);
            return true;
        }
        live = work.liveVms(role);
        // A VM that never got created (create failed) has nothing to wait for.
        if (live.stream().allMatch(vm -> vm.isDone() || vm.createError() != null)) {
            live.forEach(work::forget);
            work.setRole(role, RoleState.DONE, null);
            return true;
        }
        return false;
    }
}
