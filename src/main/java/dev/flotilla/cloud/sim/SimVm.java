package dev.flotilla.cloud.sim;

import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;

import java.time.Instant;

/** One simulated VM as stored in {@code sim_vms}. */
public record SimVm(
        int id,
        String requestKey,
        String name,
        int templateId,
        Integer serviceId,
        String roleName,
        int state,
        int lcmState,
        boolean ready,
        SimClock.Phase phase,
        double deploySeconds,
        double terminateSeconds,
        double readySeconds,
        Instant phaseStartedAt,
        Instant nextChangeAt,
        boolean terminateHard,
        SimClock.FailStep failStep,
        ObjectNode userTemplate,
        int reboots,
        ArrayNode snapshots,
        ArrayNode diskSnapshots,
        ObjectNode generators,
        long changeSeq,
        Instant createdAt,
        Owner owner) {

    /** Who the VM belongs to, as OpenNebula shows it: the service owner's name and the service's group. */
    public record Owner(String name, int gid) {
    }

    /** The same VM with its timed state recomputed for {@code now}; a forced state stays as it is. */
    public SimVm at(Instant now) {
        if (phase == SimClock.Phase.REST) {
            return this;
        }
        SimClock.SimState s = SimClock.at(phase, phaseStartedAt, deploySeconds, terminateSeconds, readySeconds,
                failStep, now);
        return with(phase, phaseStartedAt, s.state(), s.lcmState(), s.ready(), s.nextChangeAt(), terminateHard);
    }

    /** Starts the timed terminate. */
    public SimVm terminating(Instant now, boolean hard) {
        return with(SimClock.Phase.TERMINATE, now, state, lcmState, false, null, hard).at(now);
    }

    /** A deploy that starts now (release from hold). */
    public SimVm deployingFrom(Instant now) {
        return with(SimClock.Phase.DEPLOY, now, state, lcmState, false, null, false).at(now);
    }

    /** A state forced through the admin API; it stays until changed again. */
    public SimVm forced(Instant now, int newState, int newLcm, boolean newReady) {
        return with(SimClock.Phase.REST, now, newState, newLcm, newReady, null, terminateHard);
    }

    /** The same VM after a reboot: still running, one more reboot counted. */
    public SimVm rebooted(Instant now) {
        SimVm running = forced(now, state, lcmState, ready);
        return new SimVm(id, requestKey, name, templateId, serviceId, roleName, running.state, running.lcmState,
                running.ready, running.phase, deploySeconds, terminateSeconds, readySeconds, running.phaseStartedAt,
                null, terminateHard, failStep, userTemplate, reboots + 1, snapshots, diskSnapshots, generators,
                changeSeq, createdAt, owner);
    }

    private SimVm with(SimClock.Phase newPhase, Instant started, int newState, int newLcm, boolean newReady,
                       Instant next, boolean hard) {
        return new SimVm(id, requestKey, name, templateId, serviceId, roleName, newState, newLcm, newReady, newPhase,
                deploySeconds, terminateSeconds, readySeconds, started, next, hard, failStep, userTemplate, reboots,
                snapshots, diskSnapshots, generators, changeSeq, createdAt, owner);
    }
}
