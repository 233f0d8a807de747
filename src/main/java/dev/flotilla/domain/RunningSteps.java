package dev.flotilla.domain;

import java.util.stream.Collectors;

/**
 * The watchdog of a RUNNING or WARNING service: guarantees WARNING mirrors the VMs' health, VMs
 * deleted outside are dropped or replaced, failed ones replaced under {@code self_healing}, and an
 * empty service deletes itself under {@code automatic_deletion}.
 */
final class RunningSteps {
    private RunningSteps() {
    }

    static void watch(PlanWork work) {
        if (work.roles().stream().anyMatch(r -> work.roleState(r) == RoleState.PENDING)) {
            // add_role stored a new role: deploy it.
            work.setService(ServiceState.DEPLOYING, "add_role");
            DeploySteps.deploy(work);
            return;
        }
        for (RoleSnapshot role : work.roles()) {
            RoleState state = work.roleState(role);
            if (state != RoleState.RUNNING && state != RoleState.WARNING) {
                continue;
            }
            if (replaceOrDropVanished(work, role) | replaceFailed(work, role, false)) {
                work.setRole(role, RoleState.DEPLOYING, "self_healing: replacing VMs");
                work.setService(ServiceState.DEPLOYING, "self_healing: role " + role.name() + " replaces VMs");
                continue;
            }
            boolean warning = work.liveVms(role).stream().anyMatch(VmSnapshot::isWarning);
            if (warning && state == RoleState.RUNNING) {
                String vms = work.liveVms(role).stream().filter(VmSnapshot::isWarning)
                        .map(vm -> vm.label() + " is " + vm.stateLabel()).collect(Collectors.joining(", "));
                work.setRole(role, RoleState.WARNING, vms);
            } else if (!warning && state == RoleState.WARNING) {
                work.setRole(role, RoleState.RUNNING, "all VMs healthy again");
            }
        }
        if (work.service() == ServiceState.DEPLOYING) {
            DeploySteps.deploy(work);
            return;
        }
        boolean anyWarning = work.roles().stream().anyMatch(r -> work.roleState(r) == RoleState.WARNING);
        if (anyWarning && work.service() == ServiceState.RUNNING) {
            work.setService(ServiceState.WARNING, "a VM needs attention");
        } else if (!anyWarning && work.service() == ServiceState.WARNING && work.allRoles(RoleState.RUNNING)) {
            work.setService(ServiceState.RUNNING, "all VMs healthy again");
        }
        if (work.snapshot().automaticDeletion() && work.roles().stream().allMatch(r -> work.liveVms(r).isEmpty())) {
            work.setService(ServiceState.UNDEPLOYING, "automatic_deletion: the service has no VMs left");
            UndeploySteps.undeploy(work);
        }
    }

    /**
     * A VM found DONE that Flotilla did not terminate was deleted outside. By default it leaves the
     * role and the cardinality goes down by one (decision 9, OneFlow's way); with
     * {@code self_healing} it is replaced instead. Returns whether a replacement is needed.
     */
    static boolean replaceOrDropVanished(PlanWork work, RoleSnapshot role) {
        boolean replace = false;
        for (VmSnapshot vm : work.liveVms(role)) {
            if (vm.isDone() && !vm.terminateRequested()) {
                work.forget(vm);
                if (role.selfHealing()) {
                    replace = true;
                    work.log(ServiceEvent.vm('W', role.name(), "VM " + vm.label()
                            + " was deleted outside Flotilla; self_healing replaces it"));
                } else {
                    int before = work.cardinality(role);
                    int after = Math.max(0, before - 1);
                    work.setCardinality(role.name(), after);
                    work.log(ServiceEvent.vm('W', role.name(), "VM " + vm.label()
                            + " was deleted outside Flotilla; role " + role.name() + " cardinality " + before
                            + " -> " + after));
                }
            }
        }
        return replace;
    }

    /**
     * With {@code self_healing}, a member in a failure state is terminated hard and replaced. While
     * the role deploys only members that once ran count ({@code onlyThoseThatRan}): a new VM that
     * fails before it ever ran fails the deploy, so a broken template is not replaced forever.
     */
    static boolean replaceFailed(PlanWork work, RoleSnapshot role, boolean onlyThoseThatRan) {
        if (!role.selfHealing()) {
            return false;
        }
        boolean replace = false;
        for (VmSnapshot vm : work.liveVms(role)) {
            if (vm.isFailure() && (vm.hasRun() || !onlyThoseThatRan)) {
                work.retire(vm);
                work.terminate(vm, true, false);
                work.log(ServiceEvent.vm('W', role.name(), "VM " + vm.label() + " failed in state "
                        + vm.stateLabel() + "; self_healing terminates and replaces it"));
                replace = true;
            }
        }
        return replace;
    }
}
