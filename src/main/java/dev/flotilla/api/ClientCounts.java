package dev.flotilla.api;

import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * What all clients of one server hold, counted across its API verticles: connections, streams per
 * user, and failed sign-ins (a guesser's requests are spread over every verticle).
 */
public final class ClientCounts {
    final AtomicInteger connections = new AtomicInteger();
    final SignInThrottle signIns;

    public ClientCounts(int signInFreeFailures) {
        this.signIns = new SignInThrottle(signInFreeFailures);
    }
    private final ConcurrentHashMap<Integer, Integer> streams = new ConcurrentHashMap<>();

    /** Takes one of the user's {@code max} stream places; false when all are taken. */
    boolean takeStream(int uid, int max) {
        boolean[] taken = {false};
        streams.compute(uid, (k, n) -> {
            int held = n == null ? 0 : n;
            if (held >= max) {
                return n;
            }
            taken[0] = true;
            return held + 1;
        });
        return taken[0];
    }

    void releaseStream(int uid) {
        streams.computeIfPresent(uid, (k, n) -> n <= 1 ? null : n - 1);
    }

    public int openConnections() {
        return connections.get();
    }

    /** Event streams open now, all users together. */
    public int openStreams() {
        return streams.values().stream().mapToInt(Integer::intValue).sum();
    }
}
