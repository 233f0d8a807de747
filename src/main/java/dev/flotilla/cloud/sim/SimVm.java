package dev.flotilla.cloud.sim;

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
        ObjectNode userTemplate,
        long changeSeq,
        Instant createdAt) {

    /** The same VM with its timed state recomputed for {@code now}. */
    public SimVm at(Instant now) {
        SimClock.SimState s = SimClock.at(phase, phaseStartedAt, deploySeconds, terminateSeconds, readySeconds, now);
        return new SimVm(id, requestKey, name, templateId, serviceId, roleName, s.state(), s.lcmState(), s.ready(),
                phase, deploySeconds, terminateSeconds, readySeconds, phaseStartedAt, s.nextChangeAt(), terminateHard,
                userTemplate, changeSeq, createdAt);
    }

    public SimVm terminating(Instant now, boolean hard) {
        return new SimVm(id, requestKey, name, templateId, serviceId, roleName, state, lcmState, false,
                SimClock.Phase.TERMINATE, deploySeconds, terminateSeconds, readySeconds, now, null, hard, userTemplate,
                changeSeq, createdAt).at(now);
    }
}
