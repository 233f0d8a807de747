package dev.flotilla.cloud.sim;

import dev.flotilla.domain.VmStates;

import java.time.Duration;
import java.time.Instant;

/**
 * The simulator's VM state as a pure function of the current phase, when it started, the VM's
 * timings, its injected failure and {@code now}: PENDING → PROLOG → BOOT → RUNNING (each a third of
 * the deploy time), then READY after the ready delay; SHUTDOWN → EPILOG → DONE (halves of the
 * terminate time). A VM set to fail at deploy ends in BOOT_FAILURE instead of RUNNING; one set to
 * fail at terminate ends in EPILOG_FAILURE instead of DONE. Because state follows from
 * timestamps, a restart of the server loses nothing.
 */
public final class SimClock {

    /** HOLD: created on hold; REST: a state forced through the admin API, kept until changed. */
    public enum Phase { HOLD, DEPLOY, TERMINATE, REST }

    public enum FailStep { DEPLOY, TERMINATE }

    /** A VM's state at some instant and when it next changes by itself (null when at rest). */
    public record SimState(int state, int lcmState, boolean ready, Instant nextChangeAt) {
    }

    private SimClock() {
    }

    /** For every phase but REST, whose state is whatever was forced. */
    public static SimState at(Phase phase, Instant started, double deploySeconds, double terminateSeconds,
                              double readySeconds, FailStep fail, Instant now) {
        return switch (phase) {
            case HOLD -> new SimState(VmStates.HOLD, VmStates.LCM_INIT, false, null);
            case DEPLOY -> deploying(started, deploySeconds, readySeconds, fail == FailStep.DEPLOY, now);
            case TERMINATE -> terminating(started, terminateSeconds, fail == FailStep.TERMINATE, now);
            case REST -> throw new IllegalArgumentException("a forced state is not timed");
        };
    }

    private static SimState deploying(Instant started, double deploy, double ready, boolean fails, Instant now) {
        Instant prolog = plus(started, deploy / 3);
        Instant boot = plus(started, 2 * deploy / 3);
        Instant running = plus(started, deploy);
        Instant readyAt = plus(running, ready);
        if (now.isBefore(prolog)) {
            return new SimState(VmStates.PENDING, VmStates.LCM_INIT, false, prolog);
        }
        if (now.isBefore(boot)) {
            return new SimState(VmStates.ACTIVE, VmStates.LCM_PROLOG, false, boot);
        }
        if (now.isBefore(running)) {
            return new SimState(VmStates.ACTIVE, VmStates.LCM_BOOT, false, running);
        }
        if (fails) {
            return new SimState(VmStates.ACTIVE, VmStates.LCM_BOOT_FAILURE, false, null);
        }
        if (now.isBefore(readyAt)) {
            return new SimState(VmStates.ACTIVE, VmStates.LCM_RUNNING, false, readyAt);
        }
        return new SimState(VmStates.ACTIVE, VmStates.LCM_RUNNING, true, null);
    }

    private static SimState terminating(Instant started, double terminate, boolean fails, Instant now) {
        Instant epilog = plus(started, terminate / 2);
        Instant done = plus(started, terminate);
        if (now.isBefore(epilog)) {
            return new SimState(VmStates.ACTIVE, VmStates.LCM_SHUTDOWN, false, epilog);
        }
        if (fails) {
            return new SimState(VmStates.ACTIVE, VmStates.LCM_EPILOG_FAILURE, false, null);
        }
        if (now.isBefore(done)) {
            return new SimState(VmStates.ACTIVE, VmStates.LCM_EPILOG, false, done);
        }
        return new SimState(VmStates.DONE, VmStates.LCM_INIT, false, null);
    }

    private static Instant plus(Instant t, double seconds) {
        return t.plus(Duration.ofNanos((long) (seconds * 1_000_000_000L)));
    }
}
