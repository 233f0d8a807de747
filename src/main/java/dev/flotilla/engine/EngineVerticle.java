package dev.flotilla.engine;

import dev.flotilla.bus.Addresses;
import dev.flotilla.OperationException;
import dev.flotilla.cloud.CloudDriver;
import dev.flotilla.cloud.CloudDrivers;
import dev.flotilla.config.FlotillaConfig;
import dev.flotilla.store.Database;
import dev.flotilla.store.RoleActionStore;
import dev.flotilla.store.ServiceStore;
import dev.flotilla.store.TemplateStore;
import io.vertx.core.Future;
import io.vertx.core.VerticleBase;
import io.vertx.core.eventbus.Message;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import io.vertx.sqlclient.Pool;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.time.Clock;

/** Owns the engine's pool, consumers and timers; the lifecycle logic is in {@link Engine}. */
public final class EngineVerticle extends VerticleBase {
    private static final Logger LOG = LoggerFactory.getLogger(EngineVerticle.class);
    private static final long DEADLINE_CHECK_MS = 1000;
    private static final long DONE_PURGE_MS = 60_000;
    private static final long BATCH_CHECK_MS = 250;

    private final FlotillaConfig config;
    private final Database database;
    private Pool pool;

    public EngineVerticle(FlotillaConfig config, Database database) {
        this.config = config;
        this.database = database;
    }

    @Override
    public Future<?> start() {
        pool = database.pool(vertx, config.dbPoolSize());
        CloudDriver driver = CloudDrivers.create(config, pool, vertx, Clock.systemUTC());
        RoleActionStore actions = new RoleActionStore(pool);
        Engine engine = new Engine(config, new ServiceStore(pool), new TemplateStore(pool), actions, driver,
                vertx.eventBus(), Clock.systemUTC());
        BatchRunner batches = new BatchRunner(actions, new ServiceStore(pool), driver, vertx.eventBus(),
                Clock.systemUTC());
        vertx.eventBus().<JsonObject>consumer(Addresses.ENGINE_COMMAND, message -> engine.handle(message.body())
                .onSuccess(message::reply)
                .onFailure(e -> fail(message, e)));
        vertx.eventBus().<JsonObject>consumer(Addresses.ENGINE_WAKE, message -> {
            JsonArray ids = message.body().getJsonArray("serviceIds", new JsonArray());
            ids.forEach(id -> engine.wake(((Number) id).intValue()));
        });
        vertx.setPeriodic(config.resyncInterval().toMillis(), t -> engine.resyncInMotion());
        vertx.setPeriodic(DEADLINE_CHECK_MS, t -> engine.wakeExpiredDeadlines());
        vertx.setPeriodic(DONE_PURGE_MS, t -> engine.purgeExpiredDone());
        scheduleBatches(batches);
        // Catch-up after a restart: every unfinished service is re-planned from what is stored.
        return engine.resyncAll().onSuccess(n -> LOG.info("engine started; {} unfinished service(s) resumed", n));
    }

    /** Role-action batches run from a timer; the next check is scheduled when the previous one is done. */
    private void scheduleBatches(BatchRunner batches) {
        vertx.setTimer(BATCH_CHECK_MS, t -> batches.runDue()
                .onFailure(e -> LOG.warn("role-action batches: {}", e.toString()))
                .onComplete(ar -> scheduleBatches(batches)));
    }

    private static void fail(Message<JsonObject> message, Throwable e) {
        OperationException failure = OperationException.of(e);
        if (failure.isInternal()) {
            LOG.error("command {} failed", message.body().getString("command"), e);
        } else if (failure.status() >= 500) {
            LOG.warn("command {} failed: {}", message.body().getString("command"), e.toString());
        }
        message.fail(failure.status(), failure.toJson().toString());
    }

    @Override
    public Future<?> stop() {
        return pool == null ? Future.succeededFuture() : pool.close();
    }
}
