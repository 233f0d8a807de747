package dev.flotilla.domain;

import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.stream.Collectors;

/**
 * Decides the next safe step of a service from a snapshot and an injected {@code now}. Pure: no
 * I/O, no clock, no randomness, so every decision is unit-testable and a re-run after a crash
 * takes the same step again.
 */
public final class Planner {
    private final String vmNameTemplate;
    private final Duration transientTimeout;

    /**
     * @param vmNameTemplate   OneFlow's {@code vm_name_template}
     * @param transientTimeout deadline of every transient state (decision 6); zero means none
     */
    public Planner(String vmNameTemplate, Duration transientTimeout) {
        this.vmNameTemplate = vmNameTemplate;
        this.transientTimeout = transientTimeout;
    }

    /** The level-triggered step: compare what the service should be with what its VMs are. */
    public Plan plan(ServiceSnapshot snapshot, Instant now) {
        PlanWork work = new PlanWork(snapshot, now, vmNameTemplate, transientTimeout);
        switch (snapshot.state()) {
            case PENDING -> {
                work.setService(ServiceState.DEPLOYING, null);
                deploy(work);
            }
            case DEPLOYING -> deploy(work);
            case RUNNING, WARNING -> watch(work);
            case UNDEPLOYING -> undeploy(work);
            case SCALING -> scaleStep(work);
            case COOLDOWN -> endCooldown(work);
            default -> {
                // Stable, failed and final states move only on a command (delete, recover, release).
            }
        }
        expireDeadline(work);
        return work.finish();
    }

    /**
     * {@code scale}: RUNNING only; within [min_vms, max_vms] unless {@code force}. Scale-up creates
     * VMs (names continue the role's sequence), scale-down terminates the oldest (elasticity.md §9).
     */
    public Plan scale(ServiceSnapshot snapshot, Instant now, String roleName, int cardinality, boolean force) {
        if (snapshot.state() != ServiceState.RUNNING) {
            throw new ConflictException("Service cannot be scaled in state: " + snapshot.state().name(),
                    snapshot.state().name());
        }
        RoleSnapshot role = snapshot.role(roleName)
                .orElseThrow(() -> new UnknownRoleException("Role " + roleName + " not found"));
        if (!force && role.minVms() != null && cardinality < role.minVms()) {
            throw new ValidationException("cardinality", "Can't scale service " + snapshot.id()
                    + ": Minimum cardinality is " + role.minVms());
        }
        if (!force && role.maxVms() != null && cardinality > role.maxVms()) {
            throw new ValidationException("cardinality", "Can't scale service " + snapshot.id()
                    + ": Maximum cardinality is " + role.maxVms());
        }
        if (cardinality == role.cardinality()) {
            throw new ValidationException("cardinality", "Cardinality of " + roleName + " is already at "
                    + cardinality);
        }
        PlanWork work = new PlanWork(snapshot, now, vmNameTemplate, transientTimeout);
        boolean up = cardinality > role.cardinality();
        work.cardinalities.put(roleName, cardinality);
        work.events.add(ServiceEvent.info("Role " + roleName + " scaling " + (up ? "up" : "down") + " from "
                + role.cardinality() + " to " + cardinality + " nodes"));
        work.setRole(role, RoleState.SCALING, null);
        work.setService(ServiceState.SCALING, "scale " + roleName + " to " + cardinality);
        if (!up) {
            List<VmSnapshot> live = work.liveVms(role);
            for (VmSnapshot victim : live.subList(0, live.size() - cardinality)) {
                work.retire(victim);
                work.terminate(victim, role.terminateHard(), false);
            }
        }
        scaleStep(work);
        return work.finish();
    }

    /** {@code add_role} and {@code remove_role} need a RUNNING service (states.md §12). */
    public static void checkCanModifyRoles(ServiceSnapshot snapshot) {
        if (snapshot.state() != ServiceState.RUNNING) {
            throw new ConflictException("Cannot modify roles in state: " + snapshot.state().name(),
                    snapshot.state().name());
        }
    }

    /**
     * {@code remove_role}: the role is undeployed on its own and leaves the service, which returns
     * to RUNNING; removing the last role undeploys the whole service.
     */
    public Plan removeRole(ServiceSnapshot snapshot, Instant now, String roleName) {
        checkCanModifyRoles(snapshot);
        RoleSnapshot role = snapshot.role(roleName)
                .orElseThrow(() -> new UnknownRoleException("Role " + roleName + " does not exist"));
        if (snapshot.roles().size() == 1) {
            return undeploy(snapshot, now);
        }
        for (RoleSnapshot other : snapshot.roles()) {
            if (other.parents().contains(roleName)) {
                throw new ConflictException("Role " + roleName + " is a parent of role " + other.name()
                        + " and cannot be removed", snapshot.state().name());
            }
        }
        PlanWork work = new PlanWork(snapshot, now, vmNameTemplate, transientTimeout);
        work.removingRoles.add(roleName);
        work.setService(ServiceState.UNDEPLOYING, "remove_role " + roleName);
        undeploy(work);
        return work.finish();
    }

    /** {@code oneflow delete}: allowed in PENDING, RUNNING, WARNING, HOLD and UNDEPLOYING (states.md §9.1). */
    public Plan undeploy(ServiceSnapshot snapshot, Instant now) {
        ServiceState state = snapshot.state();
        boolean allowed = switch (state) {
            case PENDING, RUNNING, WARNING, HOLD, UNDEPLOYING -> true;
            default -> false;
        };
        if (!allowed) {
            throw new ConflictException("Service cannot be undeployed in state: " + state.name(), state.name());
        }
        if (snapshot.roles().stream().anyMatch(RoleSnapshot::removing)) {
            throw new ConflictException("Service cannot be undeployed in state: " + state.name()
                    + " (a role is being removed)", state.name());
        }
        PlanWork work = new PlanWork(snapshot, now, vmNameTemplate, transientTimeout);
        work.setService(ServiceState.UNDEPLOYING, "delete requested");
        undeploy(work);
        return work.finish();
    }

    /**
     * {@code oneflow recover} as the seed's table says (decision 2): failed or stalled deploys and
     * undeploys are driven again, COOLDOWN is skipped; any other state is a conflict.
     */
    public Plan recover(ServiceSnapshot snapshot, Instant now) {
        PlanWork work = new PlanWork(snapshot, now, vmNameTemplate, transientTimeout);
        switch (snapshot.state()) {
            case PENDING, DEPLOYING, FAILED_DEPLOYING -> recoverDeploy(work);
            case UNDEPLOYING, FAILED_UNDEPLOYING -> recoverUndeploy(work);
            case SCALING, FAILED_SCALING -> recoverScaling(work);
            case COOLDOWN -> recoverCooldown(work);
            default -> throw new ConflictException("Service cannot be recovered in state: "
                    + snapshot.state().name(), snapshot.state().name());
        }
        return work.finish();
    }

    /**
     * {@code oneflow recover --delete}: from any state, every remaining VM is terminated hard, what
     * cannot be removed is logged and skipped, and the service ends in DONE. Never stuck.
     */
    public Plan forceDelete(ServiceSnapshot snapshot, Instant now) {
        PlanWork work = new PlanWork(snapshot, now, vmNameTemplate, transientTimeout);
        if (snapshot.state() == ServiceState.DONE) {
            return work.finish();
        }
        work.forceDelete = true;
        work.forceUndeploy("recover --delete");
        for (RoleSnapshot role : snapshot.roles()) {
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
        return work.finish();
    }

    /** {@code release}: roles on hold go on (states.md §10); the service-level hold is cleared. */
    public Plan release(ServiceSnapshot snapshot, Instant now) {
        boolean anyHold = snapshot.roles().stream().anyMatch(r -> r.state() == RoleState.HOLD);
        if (!anyHold) {
            throw new ConflictException("Service has no roles in HOLD", snapshot.state().name());
        }
        PlanWork work = new PlanWork(snapshot, now, vmNameTemplate, transientTimeout);
        work.holdReleased = true;
        work.events.add(ServiceEvent.info("Release requested"));
        if (snapshot.state() == ServiceState.HOLD || snapshot.state() == ServiceState.PENDING) {
            work.setService(ServiceState.DEPLOYING, "release");
        }
        if (work.service == ServiceState.DEPLOYING) {
            deploy(work);
        }
        return work.finish();
    }

    // ---- deploy ---------------------------------------------------------------------------------

    private void deploy(PlanWork work) {
        boolean changed = true;
        while (changed && work.service == ServiceState.DEPLOYING) {
            changed = false;
            for (RoleSnapshot role : work.snapshot.roles()) {
                if (work.service != ServiceState.DEPLOYING) {
                    break; // a failed role stops the deploy; nothing more starts in this plan
                }
                RoleState state = work.roleState(role);
                if (state == RoleState.PENDING && deployable(work, role)) {
                    boolean hold = work.onHold(role);
                    work.setRole(role, hold ? RoleState.HOLD : RoleState.DEPLOYING, hold ? "created on hold" : null);
                    work.createMissingVms(role, hold);
                    changed = true;
                } else if (state == RoleState.HOLD && work.holdReleased && releasable(work, role)) {
                    work.setRole(role, RoleState.DEPLOYING, "released");
                    work.liveVms(role).forEach(work::release);
                    changed = true;
                } else if (state == RoleState.DEPLOYING) {
                    changed |= progressDeployingRole(work, role);
                }
            }
        }
        boolean allUp = work.snapshot.roles().stream()
                .allMatch(r -> work.roleState(r) == RoleState.RUNNING || work.roleState(r) == RoleState.WARNING);
        if (work.service == ServiceState.DEPLOYING && allUp) {
            work.setService(ServiceState.RUNNING, null);
            if (!work.allRoles(RoleState.RUNNING)) {
                work.setService(ServiceState.WARNING, "a VM needs attention");
            }
        } else if (work.service == ServiceState.DEPLOYING && work.allRoles(RoleState.HOLD)) {
            work.setService(ServiceState.HOLD, "every role is on hold; waiting for release");
        }
    }

    /**
     * Under {@code straight} a role waits until all its parents run (or, when it goes on hold, until
     * they are all on hold); under {@code none} it goes at once.
     */
    private boolean deployable(PlanWork work, RoleSnapshot role) {
        if (work.snapshot.deployment() == Deployment.NONE) {
            return true;
        }
        if (role.parents().stream().allMatch(p -> work.roleState(p) == RoleState.RUNNING)) {
            return true;
        }
        return work.onHold(role) && role.parents().stream().allMatch(p -> work.roleState(p) == RoleState.HOLD);
    }

    private boolean releasable(PlanWork work, RoleSnapshot role) {
        return work.snapshot.deployment() == Deployment.NONE
                || role.parents().stream().allMatch(p -> work.roleState(p) == RoleState.RUNNING);
    }

    private boolean progressDeployingRole(PlanWork work, RoleSnapshot role) {
        replaceOrDropVanished(work, role);
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
        boolean everyVmDeployed = live.stream().allMatch(vm -> vm.isDeployed(work.snapshot.readyGate()));
        if (everyVmDeployed && work.pendingNew(role) == 0 && live.size() == work.cardinality(role)) {
            work.setRole(role, RoleState.RUNNING, null);
            return true;
        }
        return false;
    }

    // ---- running / warning (the watchdog) ------------------------------------------------------

    private void watch(PlanWork work) {
        if (work.snapshot.roles().stream().anyMatch(r -> work.roleState(r) == RoleState.PENDING)) {
            // add_role stored a new role: deploy it.
            work.setService(ServiceState.DEPLOYING, "add_role");
            deploy(work);
            return;
        }
        for (RoleSnapshot role : work.snapshot.roles()) {
            RoleState state = work.roleState(role);
            if (state != RoleState.RUNNING && state != RoleState.WARNING) {
                continue;
            }
            if (replaceOrDropVanished(work, role) | replaceFailed(work, role)) {
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
        if (work.service == ServiceState.DEPLOYING) {
            deploy(work);
            return;
        }
        boolean anyWarning = work.snapshot.roles().stream().anyMatch(r -> work.roleState(r) == RoleState.WARNING);
        if (anyWarning && work.service == ServiceState.RUNNING) {
            work.setService(ServiceState.WARNING, "a VM needs attention");
        } else if (!anyWarning && work.service == ServiceState.WARNING && work.allRoles(RoleState.RUNNING)) {
            work.setService(ServiceState.RUNNING, "all VMs healthy again");
        }
        if (work.snapshot.automaticDeletion()
                && work.snapshot.roles().stream().allMatch(r -> work.liveVms(r).isEmpty())) {
            work.setService(ServiceState.UNDEPLOYING, "automatic_deletion: the service has no VMs left");
            undeploy(work);
        }
    }

    /**
     * A VM found DONE that Flotilla did not terminate was deleted outside. By default it leaves the
     * role and the cardinality goes down by one (decision 9, OneFlow's way); with
     * {@code self_healing} it is replaced instead. Returns whether a replacement is needed.
     */
    private boolean replaceOrDropVanished(PlanWork work, RoleSnapshot role) {
        boolean replace = false;
        for (VmSnapshot vm : work.liveVms(role)) {
            if (vm.isDone() && !vm.terminateRequested()) {
                work.forget(vm);
                if (role.selfHealing()) {
                    replace = true;
                    work.events.add(ServiceEvent.vm('W', role.name(), "VM " + vm.label()
                            + " was deleted outside Flotilla; self_healing replaces it"));
                } else {
                    int before = work.cardinality(role);
                    int after = Math.max(0, before - 1);
                    work.cardinalities.put(role.name(), after);
                    work.events.add(ServiceEvent.vm('W', role.name(), "VM " + vm.label()
                            + " was deleted outside Flotilla; role " + role.name() + " cardinality " + before
                            + " -> " + after));
                }
            }
        }
        return replace;
    }

    /** With {@code self_healing}, a member in a failure state is terminated hard and replaced. */
    private boolean replaceFailed(PlanWork work, RoleSnapshot role) {
        if (!role.selfHealing()) {
            return false;
        }
        boolean replace = false;
        for (VmSnapshot vm : work.liveVms(role)) {
            if (vm.isFailure()) {
                work.retire(vm);
                work.terminate(vm, true, false);
                work.events.add(ServiceEvent.vm('W', role.name(), "VM " + vm.label() + " failed in state "
                        + vm.stateLabel() + "; self_healing terminates and replaces it"));
                replace = true;
            }
        }
        return replace;
    }

    // ---- undeploy --------------------------------------------------------------------------------

    private void undeploy(PlanWork work) {
        boolean removing = !work.removing().isEmpty() && !work.forceDelete;
        boolean changed = true;
        while (changed && work.service == ServiceState.UNDEPLOYING) {
            changed = false;
            for (RoleSnapshot role : work.snapshot.roles()) {
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
        if (removing && work.service == ServiceState.UNDEPLOYING) {
            boolean gone = work.snapshot.roles().stream().filter(r -> work.removing().contains(r.name()))
                    .allMatch(r -> work.roleState(r) == RoleState.DONE);
            if (gone) {
                work.deletedRoles.addAll(work.removing());
                work.events.add(ServiceEvent.info("Role(s) " + String.join(", ", work.removing()) + " removed"));
                work.setService(ServiceState.RUNNING, "remove_role done");
            }
            return;
        }
        if (work.service == ServiceState.UNDEPLOYING && work.allRoles(RoleState.DONE)) {
            work.setService(ServiceState.DONE, work.forceDelete ? "recover --delete finished" : null);
        }
    }

    // ---- scale and cooldown ----------------------------------------------------------------------

    /** SCALING: wait until each scaling role has its new cardinality running and its victims gone. */
    private void scaleStep(PlanWork work) {
        for (RoleSnapshot role : work.snapshot.roles()) {
            if (work.service != ServiceState.SCALING || work.roleState(role) != RoleState.SCALING) {
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
            boolean deployed = live.stream().allMatch(vm -> vm.isDeployed(work.snapshot.readyGate()))
                    && work.pendingNew(role) == 0 && live.size() == work.cardinality(role);
            boolean victimsGone = work.retiredVms(role).stream().allMatch(VmSnapshot::isDone);
            if (deployed && victimsGone) {
                work.setRole(role, RoleState.COOLDOWN, null);
            }
        }
        boolean scaling = work.snapshot.roles().stream().anyMatch(r -> work.roleState(r) == RoleState.SCALING);
        if (work.service == ServiceState.SCALING && !scaling) {
            int cooldown = work.snapshot.roles().stream().filter(r -> work.roleState(r) == RoleState.COOLDOWN)
                    .mapToInt(RoleSnapshot::cooldown).max().orElse(0);
            work.enterCooldown(cooldown);
            endCooldown(work);
        }
    }

    /** COOLDOWN ends by its own timer (the stored deadline); then every role runs again. */
    private void endCooldown(PlanWork work) {
        if (work.service != ServiceState.COOLDOWN || (work.deadline != null && work.now.isBefore(work.deadline))) {
            return;
        }
        for (RoleSnapshot role : work.snapshot.roles()) {
            if (work.roleState(role) == RoleState.COOLDOWN) {
                work.setRole(role, RoleState.RUNNING, "cooldown over");
            }
        }
        work.setService(ServiceState.RUNNING, "cooldown over");
        watch(work);
    }

    /** Under {@code straight} a parent goes only after all its children are DONE (reverse order). */
    private boolean undeployable(PlanWork work, RoleSnapshot role) {
        if (work.snapshot.deployment() == Deployment.NONE || work.forceDelete) {
            return true;
        }
        return work.snapshot.roles().stream()
                .filter(child -> child.parents().contains(role.name()))
                .allMatch(child -> work.roleState(child) == RoleState.DONE);
    }

    private boolean progressUndeployingRole(PlanWork work, RoleSnapshot role) {
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
            if (work.forceDelete) {
                // recover --delete never fails: the VM is reported, not hidden, and left behind.
                work.forget(vm);
                work.events.add(ServiceEvent.vm('E', role.name(), "recover --delete could not remove " + reason));
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

    // ---- recover ---------------------------------------------------------------------------------

    /**
     * FAILED_DEPLOYING → DEPLOYING: VMs that are DONE, failed or never created are replaced (failed
     * ones terminated hard first), UNKNOWN ones resumed, missing ones created.
     */
    private void recoverDeploy(PlanWork work) {
        work.setService(ServiceState.DEPLOYING, "recover");
        for (RoleSnapshot role : work.snapshot.roles()) {
            RoleState state = work.roleState(role);
            if (state != RoleState.FAILED_DEPLOYING && state != RoleState.DEPLOYING) {
                continue;
            }
            replaceBrokenMembers(work, role, true);
            work.setRole(role, RoleState.DEPLOYING, "recover");
        }
        deploy(work);
    }

    /**
     * Members that never got created or are DONE are dropped, failed ones retired and terminated
     * hard (the deploy step then creates their replacements); UNKNOWN ones are resumed if asked.
     */
    private void replaceBrokenMembers(PlanWork work, RoleSnapshot role, boolean resumeUnknown) {
        for (VmSnapshot vm : work.liveVms(role)) {
            if (vm.createError() != null || vm.isDone()) {
                work.forget(vm);
                work.events.add(ServiceEvent.vm('I', role.name(), "recover: replacing VM " + vm.label()));
            } else if (vm.isFailure()) {
                work.retire(vm);
                work.terminate(vm, true, false);
                work.events.add(ServiceEvent.vm('I', role.name(), "recover: terminating failed VM "
                        + vm.label() + " and replacing it"));
            } else if (resumeUnknown && vm.isUnknown()) {
                work.resume(vm);
                work.events.add(ServiceEvent.vm('I', role.name(), "recover: resuming VM " + vm.label()));
            }
        }
    }

    /** FAILED_UNDEPLOYING → UNDEPLOYING: the terminations that failed are made again. */
    private void recoverUndeploy(PlanWork work) {
        work.setService(ServiceState.UNDEPLOYING, "recover");
        for (RoleSnapshot role : work.snapshot.roles()) {
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
        undeploy(work);
    }

    /**
     * FAILED_SCALING → SCALING: for a scale-up, failed or vanished VMs are replaced as in deploy;
     * for a scale-down, the terminations that failed are made again.
     */
    private void recoverScaling(PlanWork work) {
        work.setService(ServiceState.SCALING, "recover");
        for (RoleSnapshot role : work.snapshot.roles()) {
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
        scaleStep(work);
    }

    /** COOLDOWN → RUNNING, but only when every role has its cardinality of running VMs (decision 2). */
    private void recoverCooldown(PlanWork work) {
        boolean complete = work.snapshot.roles().stream().allMatch(r -> work.liveVms(r).size() == r.cardinality()
                && work.liveVms(r).stream().allMatch(vm -> vm.isDeployed(work.snapshot.readyGate())));
        if (complete) {
            for (RoleSnapshot role : work.snapshot.roles()) {
                work.setRole(role, RoleState.RUNNING, "recover: cooldown skipped");
            }
            work.setService(ServiceState.RUNNING, "recover: cooldown skipped");
            return;
        }
        for (RoleSnapshot role : work.snapshot.roles()) {
            work.setRole(role, RoleState.DEPLOYING, "recover: cooldown skipped, VMs missing");
        }
        work.setServiceAcross(ServiceState.RUNNING, ServiceState.DEPLOYING, "recover: cooldown skipped, VMs missing");
        deploy(work);
    }

    // ---- deadlines -------------------------------------------------------------------------------

    private void expireDeadline(PlanWork work) {
        Instant deadline = work.deadline;
        if (!work.service.hasDeadline() || deadline == null || work.now.isBefore(deadline)) {
            return;
        }
        boolean onlyWaitingForRelease = work.service == ServiceState.DEPLOYING && work.snapshot.roles().stream()
                .noneMatch(r -> work.roleState(r) == RoleState.DEPLOYING || work.roleState(r) == RoleState.PENDING);
        if (onlyWaitingForRelease) {
            return; // roles on hold wait for a person, not for the cloud
        }
        if (work.snapshot.forceDelete() && work.service == ServiceState.UNDEPLOYING) {
            // recover --delete never stays stuck: whatever did not go by the deadline is reported.
            work.forceDelete = true;
            for (RoleSnapshot role : work.snapshot.roles()) {
                for (VmSnapshot vm : work.liveVms(role)) {
                    work.forget(vm);
                    work.events.add(ServiceEvent.vm('E', role.name(), "recover --delete could not remove VM "
                            + vm.label() + " (" + vm.stateLabel() + ") before the deadline"));
                }
                if (work.roleState(role) == RoleState.UNDEPLOYING) {
                    work.setRole(role, RoleState.DONE, "deadline passed");
                }
            }
            undeploy(work);
            return;
        }
        ServiceState failed = work.service.failedCounterpart();
        String waiting = work.snapshot.roles().stream()
                .filter(r -> work.roleState(r) == RoleState.DEPLOYING || work.roleState(r) == RoleState.UNDEPLOYING
                        || work.roleState(r) == RoleState.SCALING)
                .map(r -> r.name() + " (" + work.roleState(r).name() + ")")
                .collect(Collectors.joining(", "));
        String reason = "no progress before the deadline of " + transientTimeout.toSeconds() + " s in "
                + work.service.name() + (waiting.isEmpty() ? "" : "; waiting for roles " + waiting);
        for (RoleSnapshot role : work.snapshot.roles()) {
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
