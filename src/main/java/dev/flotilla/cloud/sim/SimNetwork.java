package dev.flotilla.cloud.sim;

import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.flotilla.domain.NetworkStates;

import java.time.Instant;

/** One simulated virtual network as stored in {@code sim_networks}; its state follows from the clock. */
public record SimNetwork(
        int id,
        String requestKey,
        String name,
        Integer parentId,
        Integer templateId,
        SimVm.Owner owner,
        ObjectNode attributes,
        SimNetClock.Phase phase,
        Instant phaseStartedAt,
        double createSeconds,
        double deleteSeconds,
        SimNetClock.Fail fail,
        Instant createdAt) {

    /** Its state (NetworkStates) at {@code now}. */
    public int stateAt(Instant now) {
        return SimNetClock.stateAt(phase, phaseStartedAt, createSeconds, deleteSeconds, fail, now);
    }

    /** Deleted: no longer listed, and reported as DONE. */
    public boolean goneAt(Instant now) {
        return stateAt(now) == NetworkStates.DONE;
    }

    /**
     * A delete that starts now, timed and failing as the network's attributes say now (an admin may
     * have cleared SIM_NET_FAIL since it was created).
     */
    public SimNetwork deleting(Instant now) {
        return new SimNetwork(id, requestKey, name, parentId, templateId, owner, attributes, SimNetClock.Phase.DELETE,
                now, createSeconds, SimNetAttributes.deleteSeconds(attributes),
                SimNetAttributes.failing(attributes, SimNetClock.Fail.DELETE), createdAt);
    }
}
