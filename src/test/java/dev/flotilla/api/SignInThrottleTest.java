package dev.flotilla.api;

import org.junit.jupiter.api.Test;

import static org.junit.jupiter.api.Assertions.assertEquals;

class SignInThrottleTest {
    private final SignInThrottle throttle = new SignInThrottle(5);

    @Test
    void fiveFailuresForOneNameLockItOutForLongerEachTime() {
        long now = 1_000_000;
        for (int i = 0; i < 4; i++) {
            throttle.failed("alice", "10.0.0." + i, now);
            assertEquals(0, throttle.waitSeconds("alice", "10.0.0.9", now), "failure " + (i + 1) + " is free");
        }
        throttle.failed("alice", "10.0.0.5", now);
        assertEquals(5, throttle.waitSeconds("alice", "10.0.0.9", now), "from any address");
        assertEquals(2, throttle.waitSeconds("alice", "10.0.0.9", now + 3500), "rounded up");
        assertEquals(0, throttle.waitSeconds("bob", "10.0.0.9", now), "other names are not locked");
        assertEquals(0, throttle.waitSeconds("alice", "10.0.0.9", now + 5000), "the wait is over");
        throttle.failed("alice", "10.0.0.5", now + 5000);
        assertEquals(10, throttle.waitSeconds("alice", "10.0.0.9", now + 5000), "doubled");
        throttle.failed("alice", "10.0.0.5", now + 15000);
        assertEquals(20, throttle.waitSeconds("alice", "10.0.0.9", now + 15000));
    }

    @Test
    void aCorrectPasswordAfterTheWaitClearsTheName() {
        long now = 5_000_000;
        for (int i = 0; i < 5; i++) {
            throttle.failed("alice", "10.0.0.1", now);
        }
        throttle.succeeded("alice");
        throttle.failed("alice", "10.0.0.1", now + 6000);
        assertEquals(0, throttle.waitSeconds("alice", "10.0.0.2", now + 6000), "counting starts again");
    }

    @Test
    void oneAddressTryingManyNamesIsLockedOutToo() {
        long now = 9_000_000;
        for (int i = 0; i < 20; i++) {
            throttle.failed("user" + i, "192.0.2.7", now);
        }
        assertEquals(5, throttle.waitSeconds("someone", "192.0.2.7", now));
        assertEquals(0, throttle.waitSeconds("someone", "192.0.2.8", now));
    }

    @Test
    void longLocksAreNotForgottenWhileTheyLast() {
        long now = 30_000_000;
        for (int i = 0; i < 10; i++) {
            throttle.failed("alice", "10.0.0.1", now);
        }
        assertEquals(160, throttle.waitSeconds("alice", "10.0.0.2", now));
        assertEquals(0, throttle.waitSeconds("alice", "10.0.0.2", now + 160_000));
        throttle.failed("alice", "10.0.0.1", now + 160_000);
        assertEquals(320, throttle.waitSeconds("alice", "10.0.0.2", now + 160_000), "still counted after the lock");
    }

    @Test
    void zeroFreeFailuresNeverLocks() {
        SignInThrottle off = new SignInThrottle(0);
        for (int i = 0; i < 100; i++) {
            off.failed("alice", "10.0.0.1", 1000);
        }
        assertEquals(0, off.waitSeconds("alice", "10.0.0.1", 1000));
    }

    @Test
    void aQuietMinuteForgetsTheFailures() {
        long now = 20_000_000;
        for (int i = 0; i < 4; i++) {
            throttle.failed("alice", "10.0.0.1", now);
        }
        throttle.failed("alice", "10.0.0.1", now + 61_000);
        assertEquals(0, throttle.waitSeconds("alice", "10.0.0.1", now + 61_000));
    }
}
