package dev.flotilla.domain;

import java.util.LinkedHashSet;
import java.util.List;
import java.util.Set;

/**
 * Guarantees roles start in order (under {@code straight}, parents first), holds are honoured until
 * released, and the service runs only once every role does.
 */
final class DeploySteps {
    private DeploySteps() {
    }

    /** {@code release}: roles on hold go on (states.md §10); the service-level hold is cleared. */
    static void release(PlanWork work) {
        work.releaseHold();
        work.log(ServiceEvent.info("Release requested"));
        ServiceState state = work.snapshot().state();
        if (state == ServiceState.HOLD || state == ServiceState.PENDING) {
            work.setService(ServiceState.DEPLOYING, "release");
        }
        if (work.service() == ServiceState.DEPLOYING) {
            deploy(work);
        }
    }

    static void deploy(PlanWork work) {
        boolean changed = true;
        while (changed && work.service() == ServiceState.DEPLOYING) {
            changed = false;
            for (RoleSnapshot role : work.roles()) {
                if (work.service() != ServiceState.DEPLOYING) {
                    break; // a failed role stops the deploy; nothing more starts in this plan
                }
                RoleState state = work.roleState(role);
                if (state == RoleState.PENDING && deployable(work, role)) {
                    boolean hold = onHold(work, role);
                    work.setRole(role, hold ? RoleState.HOLD : RoleState.DEPLOYING, hold ? "created on hold" : null);
                    work.createMissingVms(role, hold);
                    changed = true;
                } else if (state == RoleState.HOLD && work.holdReleased() && releasable(work, role)) {
                    work.setRole(role, RoleState.DEPLOYING, "released");
                    work.liveVms(role).forEach(work::release);
                    changed = true;
                } else if (state == RoleState.DEPLOYING) {
                    changed |= progressDeployingRole(work, role);
                }
            }
        }
        boolean allUp = work.roles().stream()
                .allMatch(r -> work.roleState(r) == RoleState.RUNNING || work.roleState(r) == RoleState.WARNING);
        if (work.service() == ServiceState.DEPLOYING && allUp) {
            work.setService(ServiceState.RUNNING, null);
            if (!work.allRoles(RoleState.RUNNING)) {
                work.setService(ServiceState.WARNING, "a VM needs attention");
            }
        } else if (work.service() == ServiceState.DEPLOYING && work.allRoles(RoleState.HOLD)) {
            work.setService(ServiceState.HOLD, "every role is on hold; waiting for release");
        }
    }

    /** The service's hold, the role's own, or any ancestor's; none once release was asked for. */
    static boolean onHold(PlanWork work, RoleSnapshot role) {
        if (work.holdReleased()) {
            return false;
        }
        return work.snapshot().onHold() || heldByAncestry(work, role, new LinkedHashSet<>());
    }

    private static boolean heldByAncestry(PlanWork work, RoleSnapshot role, Set<String> seen) {
        if (role.onHold()) {
            return true;
        }
        for (String parent : role.parents()) {
            if (seen.add(parent)
                    && work.snapshot().role(parent).map(p -> heldByAncestry(work, p, seen)).orElse(false)) {
                return true;
            }
        }
        return false;
    }

    /**
     * Under {@code straight} a role waits until all its parents run (or, when it goes on hold, until
     * they are all on hold); under {@code none} it goes at once.
     */
    private static boolean deployable(PlanWork work, RoleSnapshot role) {
        if (work.snapshot().deployment() == Deployment.NONE) {
            return true;
        }
        if (role.parents().stream().allMatch(p -> work.roleState(p) == RoleState.RUNNING)) {
            return true;
        }
        return onHold(work, role) && role.parents().stream().allMatch(p -> work.roleState(p) == RoleState.HOLD);
    }

    private static boolean releasable(PlanWork work, RoleSnapshot role) {
        return work.snapshot().deployment() == Deployment.NONE
                || role.parents().stream().allMatch(p -> work.roleState(p) == RoleState.RUNNING);
    }

    private static boolean progressDeployingRole(PlanWork work, RoleSnapshot role) {
        RunningSteps.replaceOrDropVanished(work, role);
        RunningSteps.replaceFailed(work, role, true);
        List<VmSnapshot> live = work.liveVms(role);
        for (VmSnapshot vm : live) {
            String reason = null;
            if (vm.createError() != null) {
                reason = "VM " + vm.name() + " could not be created: " + vm.createError();
            } else if (vm.isFailure()) {
                reason = "VM " + vm.label() + " failed in state " + vm.stateLabel();
            }
            if (reason != null) {
                work.setRole(role, RoleState.FAILED_DEPLOYING, reason);
                work.setService(ServiceState.FAILED_DEPLOYING, "role " + role.name() + ": " + reason);
                return true;
            }
        }
        if (live.size() + work.pendingNew(role) < work.cardinality(role)) {
            work.createMissingVms(role, false);
            return true;
        }
        boolean everyVmDeployed = live.stream().allMatch(vm -> vm.isDeployed(work.snapshot().readyGate()));
        if (everyVmDeployed && work.pendingNew(role) == 0 && live.size() == work.cardinality(role)) {
            work.setRole(role, RoleState.RUNNING, null);
            return true;
        }
        return false;
    }
}
