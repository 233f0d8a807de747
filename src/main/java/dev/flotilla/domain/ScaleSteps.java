package dev.flotilla.domain;

import java.util.List;

/**
 * Guarantees a scale ends only when each scaling role has its new cardinality deployed and its
 * victims gone, then holds the service in COOLDOWN until the cooldown's deadline.
 */
final class ScaleSteps {
    private ScaleSteps() {
    }

    /** {@code scale}: records the new cardinality; a scale-down retires and terminates the oldest VMs. */
    static void scale(PlanWork work, RoleSnapshot role, int cardinality) {
        boolean up = cardinality > role.cardinality();
        work.setCardinality(role.name(), cardinality);
        work.log(ServiceEvent.info("Role " + role.name() + " scaling " + (up ? "up" : "down") + " from "
                + role.cardinality() + " to " + cardinality + " nodes"));
        work.setRole(role, RoleState.SCALING, null);
        work.setService(ServiceState.SCALING, "scale " + role.name() + " to " + cardinality);
        if (!up) {
            List<VmSnapshot> live = work.liveVms(role);
            for (VmSnapshot victim : live.subList(0, live.size() - cardinality)) {
                work.retire(victim);
                work.terminate(victim, role.terminateHard(), false);
            }
        }
        scaleStep(work);
    }

    /** SCALING: wait until each scaling role has its new cardinality running and its victims gone. */
    static void scaleStep(PlanWork work) {
        for (RoleSnapshot role : work.roles()) {
            if (work.service() != ServiceState.SCALING || work.roleState(role) != RoleState.SCALING) {
                continue;
            }
            String reason = null;
            for (VmSnapshot vm : work.liveVms(role)) {
                if (vm.createError() != null) {
                    reason = "VM " + vm.name() + " could not be created: " + vm.createError();
                } else if (vm.isFailure()) {
                    reason = "VM " + vm.label() + " failed in state " + vm.stateLabel();
                }
            }
            for (VmSnapshot vm : work.retiredVms(role)) {
                if (vm.terminateError() != null && !work.retryingTerminate(vm)) {
                    reason = "VM " + vm.label() + " could not be terminated: " + vm.terminateError();
                }
            }
            if (reason != null) {
                work.setRole(role, RoleState.FAILED_SCALING, reason);
                work.setService(ServiceState.FAILED_SCALING, "role " + role.name() + ": " + reason);
                return;
            }
            List<VmSnapshot> live = work.liveVms(role);
            if (live.size() + work.pendingNew(role) < work.cardinality(role)) {
                work.createMissingVms(role, false);
                continue;
            }
            boolean deployed = live.stream().allMatch(vm -> vm.isDeployed(work.snapshot().readyGate()))
                    && work.pendingNew(role) == 0 && live.size() == work.cardinality(role);
            boolean victimsGone = work.retiredVms(role).stream().allMatch(VmSnapshot::isDone);
            if (deployed && victimsGone) {
                work.setRole(role, RoleState.COOLDOWN, null);
            }
        }
        boolean scaling = work.roles().stream().anyMatch(r -> work.roleState(r) == RoleState.SCALING);
        if (work.service() == ServiceState.SCALING && !scaling) {
            int cooldown = work.roles().stream().filter(r -> work.roleState(r) == RoleState.COOLDOWN)
                    .mapToInt(RoleSnapshot::cooldown).max().orElse(0);
            work.enterCooldown(cooldown);
            endCooldown(work);
        }
    }

    /** COOLDOWN ends by its own timer (the stored deadline); then every role runs again. */
    static void endCooldown(PlanWork work) {
        boolean timerRunning = work.deadline() != null && !work.deadlinePassed();
        if (work.service() != ServiceState.COOLDOWN || timerRunning) {
            return;
        }
        for (RoleSnapshot role : work.roles()) {
            if (work.roleState(role) == RoleState.COOLDOWN) {
                work.setRole(role, RoleState.RUNNING, "cooldown over");
            }
        }
        work.setService(ServiceState.RUNNING, "cooldown over");
        RunningSteps.watch(work);
    }
}
