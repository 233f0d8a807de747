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
        Work work = new Work(snapshot, now);
        switch (snapshot.state()) {
            case PENDING -> {
                work.setService(ServiceState.DEPLOYING, null);
                deploy(work);
            }
            case DEPLOYING -> deploy(work);
            case RUNNING, WARNING -> watch(work);
            case UNDEPLOYING -> undeploy(work);
            default -> {
                // Stable, failed and final states move only on a command (delete, recover, ...).
            }
        }
        expireDeadline(work);
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
        Work work = new Work(snapshot, now);
        work.setService(ServiceState.UNDEPLOYING, "delete requested");
        undeploy(work);
        return work.finish();
    }

    // ---- deploy ---------------------------------------------------------------------------------

    private void deploy(Work work) {
        boolean changed = true;
        while (changed && work.service == ServiceState.DEPLOYING) {
            changed = false;
            for (RoleSnapshot role : work.snapshot.roles()) {
                if (work.service != ServiceState.DEPLOYING) {
                    break; // a failed role stops the deploy; nothing more starts in this plan
                }
                RoleState state = work.roleState(role);
                if (state == RoleState.PENDING && deployable(work, role)) {
                    work.setRole(role, RoleState.DEPLOYING, null);
                    work.createMissingVms(role);
                    changed = true;
                } else if (state == RoleState.DEPLOYING) {
                    changed |= progressDeployingRole(work, role);
                }
            }
        }
        if (work.service == ServiceState.DEPLOYING && work.allRoles(RoleState.RUNNING)) {
            work.setService(ServiceState.RUNNING, null);
        }
    }

    /** Under {@code straight} a role waits until all its parents run; under {@code none} it goes at once. */
    private boolean deployable(Work work, RoleSnapshot role) {
        if (work.snapshot.deployment() == Deployment.NONE) {
            return true;
        }
        return role.parents().stream().allMatch(p -> work.roleState(p) == RoleState.RUNNING);
    }

    private boolean progressDeployingRole(Work work, RoleSnapshot role) {
        dropVanishedVms(work, role);
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
            work.createMissingVms(role);
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

    private void watch(Work work) {
        for (RoleSnapshot role : work.snapshot.roles()) {
            RoleState state = work.roleState(role);
            if (state != RoleState.RUNNING && state != RoleState.WARNING) {
                continue;
            }
            dropVanishedVms(work, role);
            boolean warning = work.liveVms(role).stream().anyMatch(VmSnapshot::isWarning);
            if (warning && state == RoleState.RUNNING) {
                String vms = work.liveVms(role).stream().filter(VmSnapshot::isWarning)
                        .map(vm -> vm.label() + " is " + vm.stateLabel()).collect(Collectors.joining(", "));
                work.setRole(role, RoleState.WARNING, vms);
            } else if (!warning && state == RoleState.WARNING) {
                work.setRole(role, RoleState.RUNNING, "all VMs healthy again");
            }
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
     * A VM found DONE that Flotilla did not terminate was deleted outside: it leaves the role and
     * the cardinality goes down by one (decision 9, OneFlow's default).
     */
    private void dropVanishedVms(Work work, RoleSnapshot role) {
        for (VmSnapshot vm : work.liveVms(role)) {
            if (vm.isDone() && !vm.terminateRequested()) {
                int before = work.cardinality(role);
                int after = Math.max(0, before - 1);
                work.forget(vm);
                work.cardinalities.put(role.name(), after);
                work.events.add(ServiceEvent.vm('W', role.name(), "VM " + vm.label()
                        + " was deleted outside Flotilla; role " + role.name() + " cardinality " + before
                        + " -> " + after));
            }
        }
    }

    // ---- undeploy --------------------------------------------------------------------------------

    private void undeploy(Work work) {
        boolean changed = true;
        while (changed && work.service == ServiceState.UNDEPLOYING) {
            changed = false;
            for (RoleSnapshot role : work.snapshot.roles()) {
                RoleState state = work.roleState(role);
                if (state == RoleState.UNDEPLOYING) {
                    changed |= progressUndeployingRole(work, role);
                } else if (!state.isUndeployingOrGone() && undeployable(work, role)) {
                    work.setRole(role, RoleState.UNDEPLOYING, null);
                    for (VmSnapshot vm : work.liveVms(role)) {
                        work.terminate(vm, role.terminateHard());
                    }
                    changed = true;
                }
            }
        }
        if (work.service == ServiceState.UNDEPLOYING && work.allRoles(RoleState.DONE)) {
            work.setService(ServiceState.DONE, null);
        }
    }

    /** Under {@code straight} a parent goes only after all its children are DONE (reverse order). */
    private boolean undeployable(Work work, RoleSnapshot role) {
        if (work.snapshot.deployment() == Deployment.NONE) {
            return true;
        }
        return work.snapshot.roles().stream()
                .filter(child -> child.parents().contains(role.name()))
                .allMatch(child -> work.roleState(child) == RoleState.DONE);
    }

    private boolean progressUndeployingRole(Work work, RoleSnapshot role) {
        List<VmSnapshot> live = work.liveVms(role);
        for (VmSnapshot vm : live) {
            String reason = null;
            if (vm.terminateError() != null) {
                reason = "VM " + vm.label() + " could not be terminated: " + vm.terminateError();
            } else if (vm.isFailure()) {
                reason = "VM " + vm.label() + " failed in state " + vm.stateLabel();
            }
            if (reason != null) {
                work.setRole(role, RoleState.FAILED_UNDEPLOYING, reason);
                work.setService(ServiceState.FAILED_UNDEPLOYING, "role " + role.name() + ": " + reason);
                return true;
            }
        }
        // A VM that never got created (create failed) has nothing to wait for.
        if (live.stream().allMatch(vm -> vm.isDone() || vm.createError() != null)) {
            live.forEach(work::forget);
            work.setRole(role, RoleState.DONE, null);
            return true;
        }
        return false;
    }

    // ---- deadlines -------------------------------------------------------------------------------

    private void expireDeadline(Work work) {
        Instant deadline = work.deadline;
        if (!work.service.hasDeadline() || deadline == null || work.now.isBefore(deadline)) {
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

    // ---- the working copy a plan is built in ------------------------------------------------------

    private final class Work {
        final ServiceSnapshot snapshot;
        final Instant now;
        ServiceState service;
        Instant deadline;
        boolean deadlineChanged;
        final Map<String, RoleState> roleStates = new LinkedHashMap<>();
        final Map<String, Integer> cardinalities = new LinkedHashMap<>();
        final Map<String, Integer> lastVmNumbers = new LinkedHashMap<>();
        final List<NewVm> newVms = new ArrayList<>();
        final Map<Long, Boolean> terminateRows = new LinkedHashMap<>();
        final Set<Long> forgetRows = new LinkedHashSet<>();
        final List<ServiceEvent> events = new ArrayList<>();
        final List<DriverCall> calls = new ArrayList<>();

        Work(ServiceSnapshot snapshot, Instant now) {
            this.snapshot = snapshot;
            this.now = now;
            this.service = snapshot.state();
            this.deadline = snapshot.deadline();
        }

        void setService(ServiceState to, String reason) {
            if (to == service) {
                return;
            }
            ServiceState.transition(service, to);
            events.add(ServiceEvent.serviceState(service, to, reason));
            service = to;
            Instant newDeadline = to.hasDeadline() && !transientTimeout.isZero() ? now.plus(transientTimeout) : null;
            if (newDeadline == null ? deadline != null : !newDeadline.equals(deadline)) {
                deadline = newDeadline;
                deadlineChanged = true;
            }
        }

        RoleState roleState(RoleSnapshot role) {
            return roleStates.getOrDefault(role.name(), role.state());
        }

        RoleState roleState(String name) {
            return snapshot.role(name).map(this::roleState).orElse(RoleState.PENDING);
        }

        void setRole(RoleSnapshot role, RoleState to, String reason) {
            RoleState from = roleState(role);
            if (from == to) {
                return;
            }
            RoleState.transition(from, to);
            roleStates.put(role.name(), to);
            events.add(ServiceEvent.roleState(role.name(), from, to, reason));
        }

        boolean allRoles(RoleState state) {
            return snapshot.roles().stream().allMatch(r -> roleState(r) == state);
        }

        int cardinality(RoleSnapshot role) {
            return cardinalities.getOrDefault(role.name(), role.cardinality());
        }

        List<VmSnapshot> liveVms(RoleSnapshot role) {
            return role.vms().stream().filter(vm -> !forgetRows.contains(vm.rowId())).toList();
        }

        long pendingNew(RoleSnapshot role) {
            return newVms.stream().filter(vm -> vm.roleName().equals(role.name())).count();
        }

        void createMissingVms(RoleSnapshot role) {
            int next = lastVmNumbers.getOrDefault(role.name(), role.lastVmNumber());
            long missing = cardinality(role) - liveVms(role).size() - pendingNew(role);
            for (long i = 0; i < missing; i++) {
                String name = VmNames.render(vmNameTemplate, snapshot.id(), snapshot.name(), role.name(), next);
                String key = snapshot.id() + "-" + role.name() + "-" + next + "-v" + snapshot.version();
                newVms.add(new NewVm(role.name(), next, name, key));
                calls.add(new DriverCall.Create(key, role.name(), name, role.templateId(), false));
                next++;
            }
            if (missing > 0) {
                lastVmNumbers.put(role.name(), next);
                events.add(ServiceEvent.vm('I', role.name(), "Role " + role.name() + ": creating " + missing
                        + " VM(s)"));
            }
        }

        void terminate(VmSnapshot vm, boolean hard) {
            if (vm.terminateRequested() || vm.createError() != null) {
                return;
            }
            terminateRows.put(vm.rowId(), hard);
            calls.add(new DriverCall.Terminate(vm.requestKey(), vm.vmId(), hard));
        }

        void forget(VmSnapshot vm) {
            forgetRows.add(vm.rowId());
        }

        /** Calls recorded before a crash but never confirmed are made again; the driver makes them idempotent. */
        private void resendUnconfirmedCalls() {
            for (RoleSnapshot role : snapshot.roles()) {
                for (VmSnapshot vm : liveVms(role)) {
                    boolean planned = terminateRows.containsKey(vm.rowId());
                    if (vm.vmId() == null && vm.createError() == null && !vm.terminateRequested() && !planned) {
                        calls.add(new DriverCall.Create(vm.requestKey(), role.name(), vm.name(), role.templateId(),
                                false));
                    } else if (vm.terminateRequested() && !vm.terminateSent() && vm.terminateError() == null
                            && vm.createError() == null && !vm.isDone()) {
                        calls.add(new DriverCall.Terminate(vm.requestKey(), vm.vmId(), role.terminateHard()));
                    }
                }
            }
        }

        Plan finish() {
            resendUnconfirmedCalls();
            if (service != snapshot.state() && !service.hasDeadline() && deadline != null) {
                deadline = null;
                deadlineChanged = true;
            }
            return new Plan(service, deadlineChanged, deadline, Map.copyOf(roleStates), Map.copyOf(cardinalities),
                    Map.copyOf(lastVmNumbers), List.copyOf(newVms), Map.copyOf(terminateRows), Set.copyOf(forgetRows),
                    List.copyOf(events), List.copyOf(calls));
        }
    }
}
