package dev.flotilla.autoscaler;

import dev.flotilla.cloud.CloudDrivers;
import dev.flotilla.config.FlotillaConfig;
import dev.flotilla.store.AutoscalerStore;
import dev.flotilla.store.Database;
import dev.flotilla.store.EventLog;
import io.vertx.core.Future;
import io.vertx.core.VerticleBase;
import io.vertx.sqlclient.Pool;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.time.Clock;

/** Owns the autoscaler's pool and timer: a pass every {@code autoscaler_interval} seconds, one at a time. */
public final class AutoscalerVerticle extends VerticleBase {
    private static final Logger LOG = LoggerFactory.getLogger(AutoscalerVerticle.class);

    private final FlotillaConfig config;
    private final Database database;
    private Pool pool;

    public AutoscalerVerticle(FlotillaConfig config, Database database) {
        this.config = config;
        this.database = database;
    }

    @Override
    public Future<?> start() {
        pool = database.pool(vertx, 4);
        Autoscaler autoscaler = new Autoscaler(new AutoscalerStore(pool), new EventLog(pool),
                CloudDrivers.create(config, pool, vertx, Clock.systemUTC()), vertx.eventBus(), Clock.systemUTC());
        schedule(autoscaler);
        return Future.succeededFuture();
    }

    private void schedule(Autoscaler autoscaler) {
        vertx.setTimer(Math.max(1, config.autoscalerInterval()) * 1000L, t -> autoscaler.pass()
                .onFailure(e -> LOG.warn("autoscaler pass failed: {}", e.toString()))
                .onComplete(ar -> schedule(autoscaler)));
    }

    @Override
    public Future<?> stop() {
        return pool == null ? Future.succeededFuture() : pool.close();
    }
}
