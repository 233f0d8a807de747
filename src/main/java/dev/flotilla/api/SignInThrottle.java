package dev.flotilla.api;

import java.util.HashMap;
import java.util.Map;

/**
 * Slows password guessing. From the {@code freeFailures}th failed sign-in for one user name (four
 * times as many from one address, which may be a whole office behind NAT), each failure locks that
 * name or address out for twice as long as the last (5 s, 10 s, 20 s, ... up to 15 minutes); a
 * minute without failures after the last lock ends forgets them, and a correct password works again
 * as soon as the wait is over. Credentials already verified (the authenticator's cache)
 * are not guesses and pass. Kept in memory, shared by the API verticles of one server (hence
 * synchronized): a restart, or another node, counts afresh.
 */
final class SignInThrottle {
    private final int freeFailures;
    private static final long FORGET_AFTER_MILLIS = 60_000;
    private static final long FIRST_LOCK_MILLIS = 5_000;
    private static final long MAX_LOCK_MILLIS = 15 * 60_000;
    private static final int MAX_TRACKED = 100_000;

    private static final class Failures {
        int count;
        long last;
        long lockedUntil;
    }

    private final Map<String, Failures> byKey = new HashMap<>();

    /** {@code freeFailures} 0: never locks anyone out. */
    SignInThrottle(int freeFailures) {
        this.freeFailures = freeFailures;
    }

    /** Seconds to wait before {@code user} may try again from {@code address}; 0 when it may now. */
    synchronized long waitSeconds(String user, String address, long now) {
        long until = Math.max(lockedUntil("user:" + user, now), lockedUntil("address:" + address, now));
        return until <= now ? 0 : Math.max(1, (until - now + 999) / 1000);
    }

    synchronized void failed(String user, String address, long now) {
        if (freeFailures == 0) {
            return;
        }
        count("user:" + user, freeFailures, now);
        count("address:" + address, freeFailures * 4, now);
    }

    /** A correct password clears the name's failures; the address keeps its own (it may be guessing others). */
    synchronized void succeeded(String user) {
        byKey.remove("user:" + user);
    }

    private long lockedUntil(String key, long now) {
        Failures f = byKey.get(key);
        if (f == null) {
            return 0;
        }
        if (forgotten(f, now)) {
            byKey.remove(key);
            return 0;
        }
        return f.lockedUntil;
    }

    private void count(String key, int free, long now) {
        if (byKey.size() >= MAX_TRACKED && !byKey.containsKey(key)) {
            byKey.values().removeIf(f -> forgotten(f, now));
            if (byKey.size() >= MAX_TRACKED) {
                byKey.clear();
            }
        }
        Failures f = byKey.computeIfAbsent(key, k -> new Failures());
        if (forgotten(f, now)) {
            f.count = 0;
        }
        f.count++;
        f.last = now;
        if (f.count >= free) {
            int doublings = Math.min(f.count - free, 20);
            f.lockedUntil = now + Math.min(FIRST_LOCK_MILLIS << doublings, MAX_LOCK_MILLIS);
        }
    }

    /** A quiet minute after the last failure and after the end of its lock. */
    private static boolean forgotten(Failures f, long now) {
        return now - Math.max(f.last, f.lockedUntil) > FORGET_AFTER_MILLIS;
    }
}
