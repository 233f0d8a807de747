package dev.flotilla.api;

import java.util.HashMap;
import java.util.Map;

/**
 * Slows password guessing. From the {@value #FREE_FAILURES}th failed sign-in for one user name (the
 * {@value #FREE_ADDRESS_FAILURES}th from one address, which may be a whole office behind NAT trying
 * many names), each failure locks that name or address out for twice as long as the last (5 s,
 * 10 s, 20 s, ... up to 15 minutes); a minute without failures forgets them, and a correct password
 * works again as soon as the wait is over. Credentials already verified (the authenticator's cache)
 * are not guesses and pass. Kept in memory, shared by the API verticles of one server (hence
 * synchronized): a restart, or another node, counts afresh.
 */
final class SignInThrottle {
    static final int FREE_FAILURES = 5;
    static final int FREE_ADDRESS_FAILURES = 20;
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

    /** Seconds to wait before {@code user} may try again from {@code address}; 0 when it may now. */
    synchronized long waitSeconds(String user, String address, long now) {
        long until = Math.max(lockedUntil("user:" + user, now), lockedUntil("address:" + address, now));
        return until <= now ? 0 : Math.max(1, (until - now + 999) / 1000);
    }

    synchronized void failed(String user, String address, long now) {
        count("user:" + user, FREE_FAILURES, now);
        count("address:" + address, FREE_ADDRESS_FAILURES, now);
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
        if (now - f.last > FORGET_AFTER_MILLIS && f.lockedUntil <= now) {
            byKey.remove(key);
            return 0;
        }
        return f.lockedUntil;
    }

    private void count(String key, int free, long now) {
        if (byKey.size() >= MAX_TRACKED && !byKey.containsKey(key)) {
            byKey.values().removeIf(f -> now - f.last > FORGET_AFTER_MILLIS && f.lockedUntil <= now);
            if (byKey.size() >= MAX_TRACKED) {
                byKey.clear();
            }
        }
        Failures f = byKey.computeIfAbsent(key, k -> new Failures());
        if (now - f.last > FORGET_AFTER_MILLIS && f.lockedUntil <= now) {
            f.count = 0;
        }
        f.count++;
        f.last = now;
        if (f.count >= free) {
            int doublings = Math.min(f.count - free, 20);
            f.lockedUntil = now + Math.min(FIRST_LOCK_MILLIS << doublings, MAX_LOCK_MILLIS);
        }
    }
}
