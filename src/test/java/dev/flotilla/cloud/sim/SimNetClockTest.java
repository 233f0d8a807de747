package dev.flotilla.cloud.sim;

import dev.flotilla.domain.NetworkStates;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

import java.time.Instant;

import static org.junit.jupiter.api.Assertions.assertEquals;

class SimNetClockTest {
    private static final Instant T0 = Instant.parse("2026-01-01T00:00:00Z");

    /** Create of 2 s, delete of 3 s, optionally an injected failure. */
    @ParameterizedTest(name = "{0} fail={1} at +{2} ms -> {3}")
    @CsvSource({
        "CREATE,,0,LOCK_CREATE",
        "CREATE,,1999,LOCK_CREATE",
        "CREATE,,2000,READY",
        "CREATE,,900000,READY",
        "CREATE,CREATE,1999,LOCK_CREATE",
        "CREATE,CREATE,2000,ERROR",
        "CREATE,DELETE,2000,READY",
        "DELETE,,0,LOCK_DELETE",
        "DELETE,,2999,LOCK_DELETE",
        "DELETE,,3000,DONE",
        "DELETE,DELETE,2999,LOCK_DELETE",
        "DELETE,DELETE,3000,ERROR",
        "DELETE,CREATE,3000,DONE",
        "READY,,0,READY",
        "READY,DELETE,999999999,READY"})
    void stateFollowsFromTheTimestamps(SimNetClock.Phase phase, SimNetClock.Fail fail, long millis, String state) {
        assertEquals(state, NetworkStates.name(SimNetClock.stateAt(phase, T0, 2, 3, fail, T0.plusMillis(millis))));
    }

    @ParameterizedTest(name = "{0} of 0 s is at once {1}")
    @CsvSource({"CREATE,READY", "DELETE,DONE"})
    void zeroSecondsMovesOnAtOnce(SimNetClock.Phase phase, String state) {
        assertEquals(state, NetworkStates.name(SimNetClock.stateAt(phase, T0, 0, 0, null, T0)));
    }
}
