package dev.flotilla.engine;

import dev.flotilla.OperationException;
import dev.flotilla.bus.Addresses;
import dev.flotilla.bus.CommandRequest;
import dev.flotilla.bus.ServiceChanges;
import dev.flotilla.cloud.CloudDriver;
import dev.flotilla.cloud.CloudDrivers;
import dev.flotilla.config.FlotillaConfig;
import dev.flotilla.domain.Planner;
import dev.flotilla.store.Database;
import dev.flotilla.store.DocumentAdmin;
import dev.flotilla.store.EventLog;
import dev.flotilla.store.OperationJournal;
import dev.flotilla.store.PlanWriter;
import dev.flotilla.store.RoleActionStore;
import dev.flotilla.store.ServiceRepository;
import dev.flotilla.store.TemplateStore;
import dev.flotilla.cluster.Membership;
import dev.flotilla.store.LeaseStore;
import dev.flotilla.store.NetworkObservations;
import dev.flotilla.store.VmObservations;
import io.micrometer.core.instrument.MeterRegistry;
import io.vertx.core.Future;
import io.vertx.core.VerticleBase;
import io.vertx.core.eventbus.Message;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import io.vertx.sqlclient.Pool;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.time.Clock;

/**
 * Owns the engine's pool, consumers and timers; commands are run by {@link CommandHandler}, the
 * level-triggered loop by {@link Reconciler}, the cloud calls by {@link DriverCalls}.
 */
public final class EngineVerticle extends VerticleBase {
    private static final Logger LOG = LoggerFactory.getLogger(EngineVerticle.class);
    private static final long DEADLINE_CHECK_MS = 1000;
    private static final long PURGE_MS = 60_000;
    private static final long BATCH_CHECK_MS = 250;
    /** How long an Idempotency-Key is honoured (the journal keeps its rows that long). */
    private static final long JOURNAL_RETENTION_SECONDS = 7 * 24 * 3600;

    private final FlotillaConfig config;
    private final Database database;
    private final MeterRegistry registry;
    private final Membership membership;
    private Pool pool;
    private CloudDriver driver;

    public EngineVerticle(FlotillaConfig config, Database database, MeterRegistry registry, Membership membership) {
        this.config = config;
        this.membership = membership;
        this.registry = registry;
        this.database = database;
    }

    @Override
    public Future<?> start() {
        pool = database.pool(vertx, config.dbPoolSize());
        Clock clock = Clock.systemUTC();
        driver = CloudDrivers.create(config, pool, vertx, clock);
        ServiceRepository services = new ServiceRepository(pool);
        PlanWriter plans = new PlanWriter(pool, () -> new LeaseStore.Fence(membership.nodeId(), membership.epoch()));
        EventLog eventLog = new EventLog(pool);
        RoleActionStore actions = new RoleActionStore(pool);
        OperationJournal journal = new OperationJournal(pool);
        EventPublisher publisher = new EventPublisher(vertx.eventBus());
        Planner planner = new Planner(config.vmNameTemplate(), config.transientTimeout());
        ServiceLanes lanes = new ServiceLanes();
        EngineMetrics metrics = new EngineMetrics(registry);
        NetworkObservations networks = new NetworkObservations(pool);
        Reconciler reconciler = new Reconciler(config, services, plans, planner, lanes,
                new DriverCalls(new VmObservations(pool), networks, eventLog, driver, publisher, metrics), publisher,
                clock, metrics, membership);
        LeaseKeeper leases = new LeaseKeeper(vertx, new LeaseStore(pool), membership, config.cluster().leaseTtl(),
                reconciler);
        CommandHandler commands = new CommandHandler(config, pool, services, plans, eventLog, new TemplateStore(pool),
                actions, new DocumentAdmin(pool), journal, planner, lanes, reconciler, clock, membership);
        CommandRouter router = new CommandRouter(vertx.eventBus(), membership, leases, commands);
        BatchRunner batches = new BatchRunner(actions, eventLog, driver, vertx.eventBus(), clock,
                membership.nodeId());

        // This node's API asks here (local only); other nodes forward the commands of services this one owns.
        io.vertx.core.Handler<io.vertx.core.eventbus.Message<CommandRequest>> run = message -> {
            try {
                router.route(message.body(), CommandRouter.forwarded(message.headers()))
                        .onSuccess(message::reply).onFailure(e -> fail(message, e));
            } catch (RuntimeException e) {
                fail(message, e);
            }
        };
        vertx.eventBus().<String>localConsumer(Addresses.ENGINE_PING, message -> message.reply("alive"));
        vertx.eventBus().<JsonObject>consumer(Addresses.ENGINE_WAKE, message -> {
            String trigger = message.body().getString("trigger", "wake");
            JsonArray ids = message.body().getJsonArray("serviceIds", new JsonArray());
            ids.forEach(id -> reconciler.wake(((Number) id).intValue(), trigger));
        });
        vertx.setPeriodic(config.resyncInterval().toMillis(), t -> reconciler.resyncInMotion());
        // Network waits read each waiting network at the poll interval; a cloud with events wakes them sooner.
        vertx.setPeriodic(config.pollIntervalMs(), t -> reconciler.wakeNetworkWaits());
        driver.onNetworkChanges(netIds -> vertx.runOnContext(v -> networks.servicesOf(netIds)
                .onSuccess(ids -> ids.forEach(id -> reconciler.wake(id, "network-event")))));
        vertx.setPeriodic(DEADLINE_CHECK_MS, t -> reconciler.wakeExpiredDeadlines());
        vertx.setPeriodic(PURGE_MS, t -> purge(services, journal));
        scheduleBatches(batches);
        // Catch-up after a restart: every unfinished service this node owns is re-planned from what is stored.
        return leases.start().compose(v -> {
            // Commands only once the lease is held: a command's commit carries its epoch.
            vertx.eventBus().localConsumer(Addresses.ENGINE_COMMAND, run);
            vertx.eventBus().consumer(CommandRouter.address(membership.nodeId()), run);
            return reconciler.resyncAll();
        }).onSuccess(n -> LOG.info("engine started; {} unfinished service(s) resumed", n));
    }

    /** DONE services past :done_retention:, and journal rows past the key window. */
    private void purge(ServiceRepository services, OperationJournal journal) {
        Future<?> done = config.doneRetention().isZero() ? Future.succeededFuture()
                : services.purgeDone(config.doneRetention().toSeconds())
                        .onSuccess(ids -> ServiceChanges.announce(vertx.eventBus(), ids));
        done.compose(v -> journal.purgeOlderThan(JOURNAL_RETENTION_SECONDS))
                .onFailure(e -> LOG.warn("purge failed: {}", e.toString()));
    }

    /** Role-action batches run from a timer; the next check is scheduled when the previous one is done. */
    private void scheduleBatches(BatchRunner batches) {
        vertx.setTimer(BATCH_CHECK_MS, t -> batches.runDue()
                .onFailure(e -> LOG.warn("role-action batches: {}", e.toString()))
                .onComplete(ar -> scheduleBatches(batches)));
    }

    private static void fail(Message<CommandRequest> message, Throwable e) {
        OperationException failure = OperationException.of(e);
        String kind = message.body().command().kind();
        if (failure.isInternal()) {
            LOG.error("command {} failed", kind, e);
        } else if (failure.status() >= 500) {
            LOG.warn("command {} failed: {}", kind, e.toString());
        }
        message.fail(failure.status(), failure.toJson().toString());
    }

    @Override
    public Future<?> stop() {
        if (driver != null) {
            driver.close();
        }
        return pool == null ? Future.succeededFuture() : pool.close();
    }
}
