package dev.flotilla.domain;

import java.time.Duration;
import java.time.Instant;

/**
 * Decides the next safe step of a service from a snapshot and an injected {@code now}. Pure: no
 * I/O, no clock, no randomness, so every decision is unit-testable and a re-run after a crash
 * takes the same step again. This is the front: it checks each command and hands the work to the
 * step classes ({@link DeploySteps}, {@link RunningSteps}, {@link ScaleSteps}, {@link UndeploySteps},
 * {@link RecoverSteps}, {@link NetworkSteps}, {@link DeadlineSteps}), which build the plan in a {@link PlanWork}.
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
        PlanWork work = work(snapshot, now);
        switch (snapshot.state()) {
            case PENDING -> {
                if (NetworkSteps.needsNetworks(work)) {
                    NetworkSteps.deployNetworks(work);
                } else {
                    work.setService(ServiceState.DEPLOYING, null);
                    DeploySteps.deploy(work);
                }
            }
            case DEPLOYING_NETS -> NetworkSteps.deployNetworks(work);
            case UNDEPLOYING_NETS -> NetworkSteps.undeployNetworks(work);
            case DEPLOYING -> DeploySteps.deploy(work);
            case RUNNING, WARNING -> RunningSteps.watch(work);
            case UNDEPLOYING -> UndeploySteps.undeploy(work);
            case SCALING -> ScaleSteps.scaleStep(work);
            case COOLDOWN -> ScaleSteps.endCooldown(work);
            default -> {
                // Stable, failed and final states move only on a command (delete, recover, release).
            }
        }
        DeadlineSteps.expireDeadline(work);
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
        PlanWork work = work(snapshot, now);
        ScaleSteps.scale(work, role, cardinality);
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
        snapshot.role(roleName).orElseThrow(() -> new UnknownRoleException("Role " + roleName + " does not exist"));
        if (snapshot.roles().size() == 1) {
            return undeploy(snapshot, now);
        }
        for (RoleSnapshot other : snapshot.roles()) {
            if (other.parents().contains(roleName)) {
                throw new ConflictException("Role " + roleName + " is a parent of role " + other.name()
                        + " and cannot be removed", snapshot.state().name());
            }
        }
        PlanWork work = work(snapshot, now);
        UndeploySteps.removeRole(work, roleName);
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
        PlanWork work = work(snapshot, now);
        UndeploySteps.delete(work);
        return work.finish();
    }

    /**
     * {@code oneflow recover} as the seed's table says (decision 2): failed or stalled deploys and
     * undeploys are driven again, COOLDOWN is skipped, the networks that failed are made or deleted
     * again (states.md §8.1); any other state is a conflict.
     */
    public Plan recover(ServiceSnapshot snapshot, Instant now) {
        PlanWork work = work(snapshot, now);
        switch (snapshot.state()) {
            case PENDING, DEPLOYING, FAILED_DEPLOYING -> RecoverSteps.recoverDeploy(work);
            case UNDEPLOYING, FAILED_UNDEPLOYING -> RecoverSteps.recoverUndeploy(work);
            case SCALING, FAILED_SCALING -> RecoverSteps.recoverScaling(work);
            case COOLDOWN -> RecoverSteps.recoverCooldown(work);
            case DEPLOYING_NETS, FAILED_DEPLOYING_NETS -> NetworkSteps.recoverDeploy(work);
            case UNDEPLOYING_NETS, FAILED_UNDEPLOYING_NETS -> NetworkSteps.recoverUndeploy(work);
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
        PlanWork work = work(snapshot, now);
        if (snapshot.state() != ServiceState.DONE) {
            UndeploySteps.forceDelete(work);
        }
        return work.finish();
    }

    /** {@code release}: roles on hold go on (states.md §10); the service-level hold is cleared. */
    public Plan release(ServiceSnapshot snapshot, Instant now) {
        boolean anyHold = snapshot.roles().stream().anyMatch(r -> r.state() == RoleState.HOLD);
        if (!anyHold) {
            throw new ConflictException("Service has no roles in HOLD", snapshot.state().name());
        }
        PlanWork work = work(snapshot, now);
        DeploySteps.release(work);
        return work.finish();
    }

    private PlanWork work(ServiceSnapshot snapshot, Instant now) {
        return new PlanWork(snapshot, now, vmNameTemplate, transientTimeout);
    }
}
