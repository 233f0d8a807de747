package dev.flotilla.domain;

/**
 * {@code oneflow recover} as the seed's table says (decision 2): guarantees a failed or stalled
 * deploy, undeploy or scale is driven again from where it stopped, and COOLDOWN is skipped.
 */
final class RecoverSteps {
    private RecoverSteps() {
    }

    /**
     * FAILED_DEPLOYING → DEPLOYING: VMs that are DONE, failed or never created are replaced (failed
     * ones terminated hard first), UNKNOWN ones resumed, missing ones created.
     */
    static void recoverDeploy(PlanWork work) {
        work.setService(ServiceState.DEPLOYING, "recover");
        for (RoleSnapshot role : work.roles()) {
            RoleState state = work.roleState(role);
            if (state != RoleState.FAILED_DEPLOYING && state != RoleState.DEPLOYING) {
                continue;
            }
            replaceBrokenMembers(work, role, true);
            work.setRole(role, RoleState.DEPLOYING, "recover");
        }
        DeploySteps.deploy(work);
    }

    /** FAILED_UNDEPLOYING → UNDEPLOYING: the terminations that failed are made again. */
    static void recoverUndeploy(PlanWork work) {
        work.setService(ServiceState.UNDEPLOYING, "recover");
        for (RoleSnapshot role : work.roles()) {
            RoleState state = work.roleState(role);
            if (state != RoleState.FAILED_UNDEPLOYING && state != RoleState.UNDEPLOYING) {
                continue;
            }
            work.setRole(role, RoleState.UNDEPLOYING, "recover");
            for (VmSnapshot vm : work.liveVms(role)) {
                if (vm.terminateError() != null || vm.isFailure() || !vm.terminateRequested()) {
                    work.terminate(vm, role.terminateHard() || vm.isFailure(), true);
                }
            }
        }
        UndeploySteps.undeploy(work);
    }

    /**
     * FAILED_SCALING → SCALING: for a scale-up, failed or vanished VMs are replaced as in deploy;
     * for a scale-down, the terminations that failed are made again.
     */
    static void recoverScaling(PlanWork work) {
        work.setService(ServiceState.SCALING, "recover");
        for (RoleSnapshot role : work.roles()) {
            RoleState state = work.roleState(role);
            if (state != RoleState.FAILED_SCALING && state != RoleState.SCALING) {
                continue;
            }
            replaceBrokenMembers(work, role, false);
            for (VmSnapshot vm : work.retiredVms(role)) {
                if (vm.terminateError() != null || vm.isFailure()) {
                    work.terminate(vm, true, true);
                }
            }
            work.setRole(role, RoleState.SCALING, "recover");
        }
        ScaleSteps.scaleStep(work);
    }

    /** COOLDOWN → RUNNING, but only when every role has its cardinality of running VMs (decision 2). */
    static void recoverCooldown(PlanWork work) {
        boolean complete = work.roles().stream().allMatch(r -> work.liveVms(r).size() == r.cardinality()
                && work.liveVms(r).stream().allMatch(vm -> vm.isDeployed(work.snapshot().readyGate())));
        if (complete) {
            for (RoleSnapshot role : work.roles()) {
                work.setRole(role, RoleState.RUNNING, "recover: cooldown skipped");
            }
            work.setService(ServiceState.RUNNING, "recover: cooldown skipped");
            return;
        }
        for (RoleSnapshot role : work.roles()) {
            work.setRole(role, RoleState.DEPLOYING, "recover: cooldown skipped, VMs missing");
        }
        work.setServiceAcross(ServiceState.RUNNING, ServiceState.DEPLOYING, "recover: cooldown skipped, VMs missing");
        DeploySteps.deploy(work);
    }

    /**
     * Members that never got created or are DONE are dropped, failed ones retired and terminated
     * hard (the deploy step then creates their replacements); UNKNOWN ones are resumed if asked.
     */
    private static void replaceBrokenMembers(PlanWork work, RoleSnapshot role, boolean resumeUnknown) {
        for (VmSnapshot vm : work.liveVms(role)) {
            if (vm.createError() != null || vm.isDone()) {
                work.forget(vm);
                work.log(ServiceEvent.vm('I', role.name(), "recover: replacing VM " + vm.label()));
            } else if (vm.isFailure()) {
                work.retire(vm);
                work.terminate(vm, true, false);
                work.log(ServiceEvent.vm('I', role.name(), "recover: terminating failed VM "
                        + vm.label() + " and replacing it"));
            } else if (resumeUnknown && vm.isUnknown()) {
                work.resume(vm);
                work.log(ServiceEvent.vm('I', role.name(), "recover: resuming VM " + vm.label()));
            }
        }
    }
}
