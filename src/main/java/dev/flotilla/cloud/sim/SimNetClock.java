package dev.flotilla.cloud.sim;

import dev.flotilla.domain.NetworkStates;

import java.time.Duration;
import java.time.Instant;

/**
 * A simulated network's state as a pure function of its phase, when the phase started, its timings,
 * its injected failure and {@code now} (states.md §3.4): a create is LOCK_CREATE for its create
 * time, then READY, or ERROR when set to fail at create; a delete is LOCK_DELETE for its delete time,
 * then DONE (gone), or ERROR when set to fail at delete. As for the VMs, nothing needs to run for a
 * network to move on, and a restart loses nothing.
 */
public final class SimNetClock {

    /** READY: at rest for good (the seeded network); CREATE and DELETE are timed. */
    public enum Phase { CREATE, READY, DELETE }

    public enum Fail { CREATE, DELETE }

    private SimNetClock() {
    }

    public static int stateAt(Phase phase, Instant started, double createSeconds, double deleteSeconds, Fail fail,
                              Instant now) {
        switch (phase) {
            case READY:
                return NetworkStates.READY;
            case CREATE:
                if (now.isBefore(plus(started, createSeconds))) {
                    return NetworkStates.LOCK_CREATE;
                }
                return fail == Fail.CREATE ? NetworkStates.ERROR : NetworkStates.READY;
            case DELETE:
                if (now.isBefore(plus(started, deleteSeconds))) {
                    return NetworkStates.LOCK_DELETE;
                }
                return fail == Fail.DELETE ? NetworkStates.ERROR : NetworkStates.DONE;
            default:
                throw new IllegalArgumentException("unknown phase " + phase);
        }
    }

    private static Instant plus(Instant t, double seconds) {
        return t.plus(Duration.ofNanos((long) (seconds * 1_000_000_000L)));
    }
}
