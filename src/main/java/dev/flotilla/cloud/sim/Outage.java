package dev.flotilla.cloud.sim;

import io.vertx.core.Future;
import io.vertx.core.Promise;
import io.vertx.core.Vertx;
import io.vertx.core.shareddata.LocalMap;

/**
 * Simulated cloud outages: for a while every driver call fails at once ({@code fail}) or hangs and
 * then fails ({@code timeout}). Shared by all verticles of the process through a local map.
 */
public final class Outage {
    public enum Mode { FAIL, TIMEOUT }

    private static final String MAP = "flotilla.sim.outage";
    private static final long TIMEOUT_MILLIS = 5000;

    private final Vertx vertx;

    public Outage(Vertx vertx) {
        this.vertx = vertx;
    }

    public void start(Mode mode, long seconds) {
        LocalMap<String, Object> map = vertx.sharedData().getLocalMap(MAP);
        map.put("mode", mode.name());
        map.put("until", System.currentTimeMillis() + seconds * 1000);
    }

    public void end() {
        vertx.sharedData().getLocalMap(MAP).clear();
    }

    public boolean isOn() {
        Object until = vertx.sharedData().getLocalMap(MAP).get("until");
        return until != null && System.currentTimeMillis() < (Long) until;
    }

    /** Runs {@code call} unless an outage is on, in which case the call fails as the mode says. */
    public <T> Future<T> guard(java.util.function.Supplier<Future<T>> call) {
        LocalMap<String, Object> map = vertx.sharedData().getLocalMap(MAP);
        Object until = map.get("until");
        if (until == null || System.currentTimeMillis() >= (Long) until) {
            return call.get();
        }
        if (Mode.TIMEOUT.name().equals(map.get("mode"))) {
            Promise<T> promise = Promise.promise();
            vertx.setTimer(TIMEOUT_MILLIS, t -> promise.fail("[sim] cloud call timed out (simulated outage)"));
            return promise.future();
        }
        return Future.failedFuture("[sim] cloud unavailable (simulated outage)");
    }
}
