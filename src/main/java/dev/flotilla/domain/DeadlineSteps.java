package dev.flotilla.domain;

import java.util.stream.Collectors;

/**
 * Guarantees no transient state lasts past its deadline: the service and its busy roles fail, and
 * a {@code recover --delete} reports what did not go and ends instead.
 */
final class DeadlineSteps {
    private DeadlineSteps() {
    }

    static void expireDeadline(PlanWork work) {
        if (!work.service().hasDeadline() || !work.deadlinePassed()) {
            return;
        }
        boolean onlyWaitingForRelease = work.service() == ServiceState.DEPLOYING && work.roles().stream()
                .noneMatch(r -> work.roleState(r) == RoleState.DEPLOYING || work.roleState(r) == RoleState.PENDING);
        if (onlyWaitingForRelease) {
            return; // roles on hold wait for a person, not for the cloud
        }
        if (work.snapshot().forceDelete() && work.service() == ServiceState.UNDEPLOYING_NETS) {
            work.markForceDelete();
            NetworkSteps.giveUpNetworks(work);
            return;
        }
        if (work.snapshot().forceDelete() && work.service() == ServiceState.UNDEPLOYING) {
            // recover --delete never stays stuck: whatever did not go by the deadline is reported.
            work.markForceDelete();
            for (RoleSnapshot role : work.roles()) {
                for (VmSnapshot vm : work.liveVms(role)) {
                    work.forget(vm);
                    work.log(ServiceEvent.vm('E', role.name(), "recover --delete could not remove VM "
                            + vm.label() + " (" + vm.stateLabel() + ") before the deadline"));
                }
                if (work.roleState(role) == RoleState.UNDEPLOYING) {
                    work.setRole(role, RoleState.DONE, "deadline passed");
                }
            }
            UndeploySteps.undeploy(work);
            return;
        }
        ServiceState failed = work.service().failedCounterpart();
        String waiting = work.roles().stream()
                .filter(r -> work.roleState(r) == RoleState.DEPLOYING || work.roleState(r) == RoleState.UNDEPLOYING
                        || work.roleState(r) == RoleState.SCALING)
                .map(r -> r.name() + " (" + work.roleState(r).name() + ")")
                .collect(Collectors.joining(", "));
        boolean networks = work.service() == ServiceState.DEPLOYING_NETS
                || work.service() == ServiceState.UNDEPLOYING_NETS;
        if (networks) {
            waiting = NetworkSteps.waitingFor(work);
        }
        String reason = "no progress before the deadline of " + work.transientTimeout().toSeconds() + " s in "
                + work.service().name() + (waiting.isEmpty() ? "" : (networks ? "; waiting for networks "
                : "; waiting for roles ") + waiting);
        for (RoleSnapshot role : work.roles()) {
            RoleState failedRole = switch (work.roleState(role)) {
                case DEPLOYING -> RoleState.FAILED_DEPLOYING;
                case UNDEPLOYING -> RoleState.FAILED_UNDEPLOYING;
                case SCALING -> RoleState.FAILED_SCALING;
                default -> null;
            };
            if (failedRole != null) {
                work.setRole(role, failedRole, "deadline passed");
            }
        }
        work.setService(failed, reason);
    }
}
