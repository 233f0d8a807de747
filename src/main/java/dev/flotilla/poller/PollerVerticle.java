package dev.flotilla.poller;

import dev.flotilla.cloud.CloudDrivers;
import dev.flotilla.config.FlotillaConfig;
import dev.flotilla.store.Database;
import dev.flotilla.store.VmObservations;
import io.vertx.core.Future;
import io.vertx.core.VerticleBase;
import io.vertx.sqlclient.Pool;

import java.time.Clock;

/** Owns the poller's pool and timer; the watching logic is in {@link VmPoller}. */
public final class PollerVerticle extends VerticleBase {
    private final FlotillaConfig config;
    private final Database database;
    private Pool pool;
    private long timer = -1;

    public PollerVerticle(FlotillaConfig config, Database database) {
        this.config = config;
        this.database = database;
    }

    @Override
    public Future<?> start() {
        pool = database.pool(vertx, 4);
        VmPoller poller = new VmPoller(CloudDrivers.create(config, pool, vertx, Clock.systemUTC()),
                new VmObservations(pool), vertx.eventBus());
        schedule(poller);
        return Future.succeededFuture();
    }

    /** One cycle at a time: the next is scheduled only when the previous one has finished. */
    private void schedule(VmPoller poller) {
        timer = vertx.setTimer(config.pollIntervalMs(), t -> poller.cycle().onComplete(ar -> schedule(poller)));
    }

    @Override
    public Future<?> stop() {
        vertx.cancelTimer(timer);
        return pool == null ? Future.succeededFuture() : pool.close();
    }
}
