package dev.flotilla.autoscaler;

import dev.flotilla.cloud.CloudDrivers;
import dev.flotilla.config.FlotillaConfig;
import dev.flotilla.cluster.Membership;
import dev.flotilla.store.AutoscalerStore;
import dev.flotilla.store.Database;
import dev.flotilla.store.EventLog;
import io.micrometer.core.instrument.Gauge;
import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.Timer;
import io.vertx.core.Future;
import io.vertx.core.VerticleBase;
import io.vertx.sqlclient.Pool;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.time.Clock;
import java.util.concurrent.atomic.AtomicLong;

/** Owns the autoscaler's pool and timer: a pass every {@code autoscaler_interval} seconds, one at a time. */
public final class AutoscalerVerticle extends VerticleBase {
    private static final Logger LOG = LoggerFactory.getLogger(AutoscalerVerticle.class);

    private final FlotillaConfig config;
    private final Database database;
    private final MeterRegistry registry;
    private final Membership membership;
    /** When the last pass ended (ms since the epoch), for the pass-age gauge: 0 before the first. */
    private final AtomicLong lastPassEnded = new AtomicLong();
    private Pool pool;
    private Timer passes;

    public AutoscalerVerticle(FlotillaConfig config, Database database, MeterRegistry registry,
                              Membership membership) {
        this.membership = membership;
        this.config = config;
        this.database = database;
        this.registry = registry;
    }

    @Override
    public Future<?> start() {
        pool = database.pool(vertx, 4);
        Autoscaler autoscaler = new Autoscaler(new AutoscalerStore(pool), new EventLog(pool),
                CloudDrivers.create(config, pool, vertx, Clock.systemUTC()), vertx.eventBus(), Clock.systemUTC(),
                membership.nodeId());
        passes = Timer.builder("flotilla_autoscaler_pass").description("Autoscaler passes (every policy of every role)")
                .register(registry);
        // A pass that stopped happening shows as a growing age (alert on it), not as silence.
        Gauge.builder("flotilla_autoscaler_last_pass_age_seconds", lastPassEnded,
                        ended -> ended.get() == 0 ? Double.NaN : (System.currentTimeMillis() - ended.get()) / 1000.0)
                .description("Seconds since the last autoscaler pass ended").register(registry);
        schedule(autoscaler);
        return Future.succeededFuture();
    }

    private void schedule(Autoscaler autoscaler) {
        vertx.setTimer(Math.max(1, config.autoscalerInterval()) * 1000L, t -> {
            long start = System.nanoTime();
            autoscaler.pass()
                    .onFailure(e -> LOG.warn("autoscaler pass failed: {}", e.toString()))
                    .onComplete(ar -> {
                        passes.record(java.time.Duration.ofNanos(System.nanoTime() - start));
                        lastPassEnded.set(System.currentTimeMillis());
                        schedule(autoscaler);
                    });
        });
    }

    @Override
    public Future<?> stop() {
        return pool == null ? Future.succeededFuture() : pool.close();
    }
}
