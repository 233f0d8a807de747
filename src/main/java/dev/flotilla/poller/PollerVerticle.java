package dev.flotilla.poller;

import dev.flotilla.cloud.CloudDrivers;
import dev.flotilla.cluster.Membership;
import dev.flotilla.config.FlotillaConfig;
import dev.flotilla.store.Database;
import dev.flotilla.store.VmObservations;
import dev.flotilla.cloud.CloudDriver;
import io.vertx.core.Context;
import io.vertx.core.Future;
import io.vertx.core.VerticleBase;
import io.vertx.sqlclient.Pool;

import java.time.Clock;

/** Owns the poller's pool and timer; the watching logic is in {@link VmPoller}. */
public final class PollerVerticle extends VerticleBase {
    private final FlotillaConfig config;
    private final Database database;
    private final Membership membership;
    private Pool pool;
    private CloudDriver driver;
    private long timer = -1;

    public PollerVerticle(FlotillaConfig config, Database database, Membership membership) {
        this.membership = membership;
        this.config = config;
        this.database = database;
    }

    @Override
    public Future<?> start() {
        pool = database.pool(vertx, 4);
        driver = CloudDrivers.create(config, pool, vertx, Clock.systemUTC());
        VmPoller poller = new VmPoller(driver, new VmObservations(pool), vertx.eventBus());
        // Changes the cloud announces are handled on this verticle's event loop, like the polls.
        Context context = vertx.getOrCreateContext();
        driver.onChanges(seen -> context.runOnContext(v -> {
            if (membership.leader()) {
                poller.observed(seen, "cloud-event");
            }
        }));
        // With events the pool read is only the safety net, every :wait_timeout: seconds.
        long interval = driver.pushesChanges() ? config.waitTimeout() * 1000L : config.pollIntervalMs();
        schedule(poller, 1, interval);
        return Future.succeededFuture();
    }

    /** One cycle at a time: the next is scheduled only when the previous one has finished. */
    private void schedule(VmPoller poller, long delay, long interval) {
        // One node watches the cloud for the whole cluster (the leader); the wakes reach every node.
        timer = vertx.setTimer(delay, t -> (membership.leader() ? poller.cycle() : Future.<Void>succeededFuture())
                .onComplete(ar -> schedule(poller, interval, interval)));
    }

    @Override
    public Future<?> stop() {
        vertx.cancelTimer(timer);
        if (driver != null) {
            driver.close();
        }
        return pool == null ? Future.succeededFuture() : pool.close();
    }
}
