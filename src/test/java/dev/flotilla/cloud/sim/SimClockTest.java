package dev.flotilla.cloud.sim;

import dev.flotilla.domain.VmStates;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

import java.time.Instant;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;

class SimClockTest {
    private static final Instant T0 = Instant.parse("2026-01-01T00:00:00Z");

    /** Deploy of 3 s with READY 1 s after RUNNING; terminate of 2 s; optionally an injected failure. */
    @ParameterizedTest(name = "{0} fail={1} at +{2} ms -> {3}/{4} ready={5}")
    @CsvSource({
        "DEPLOY,,0,1,0,false",
        "DEPLOY,,999,1,0,false",
        "DEPLOY,,1000,3,1,false",
        "DEPLOY,,2000,3,2,false",
        "DEPLOY,,3000,3,3,false",
        "DEPLOY,,3999,3,3,false",
        "DEPLOY,,4000,3,3,true",
        "DEPLOY,DEPLOY,2999,3,2,false",
        "DEPLOY,DEPLOY,3000,3,36,false",
        "DEPLOY,DEPLOY,90000,3,36,false",
        "TERMINATE,,0,3,12,false",
        "TERMINATE,,1000,3,11,false",
        "TERMINATE,,2000,6,0,false",
        "TERMINATE,TERMINATE,999,3,12,false",
        "TERMINATE,TERMINATE,1000,3,40,false",
        "TERMINATE,TERMINATE,9000,3,40,false",
        "HOLD,,50000,2,0,false"})
    void stateFollowsFromTheTimestamps(SimClock.Phase phase, SimClock.FailStep fail, long millis, int state, int lcm,
                                       boolean ready) {
        SimClock.SimState s = SimClock.at(phase, T0, 3, 2, 1, fail, T0.plusMillis(millis));
        assertEquals(state, s.state());
        assertEquals(lcm, s.lcmState());
        assertEquals(ready, s.ready());
    }

    @ParameterizedTest(name = "zero timings: {0} is at rest at once")
    @CsvSource({"DEPLOY", "TERMINATE"})
    void zeroTimingsReachTheEndImmediately(SimClock.Phase phase) {
        SimClock.SimState s = SimClock.at(phase, T0, 0, 0, 0, null, T0);
        assertNull(s.nextChangeAt());
        assertEquals(phase == SimClock.Phase.DEPLOY ? VmStates.ACTIVE : VmStates.DONE, s.state());
    }
}
