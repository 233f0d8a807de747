package dev.flotilla.engine;

import com.fasterxml.jackson.databind.JsonNode;
import dev.flotilla.config.FlotillaConfig;
import dev.flotilla.domain.Plan;
import dev.flotilla.domain.Planner;
import dev.flotilla.domain.ServiceSnapshot;
import dev.flotilla.store.EventRecord;
import dev.flotilla.store.PlanWriter;
import dev.flotilla.store.ServiceRecord;
import dev.flotilla.store.ServiceRepository;
import dev.flotilla.store.StaleSnapshotException;
import io.vertx.core.Future;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.time.Clock;
import java.util.List;
import java.util.function.Function;

/**
 * The level-triggered loop: a service that may need a step (its VMs changed, a timer, a resync)
 * is read, planned purely and committed in its lane, then the plan's driver calls are made. Each
 * run says why it ran ({@code trigger}), so "why did this happen" has an answer in the log.
 */
final class Reconciler {
    private static final Logger LOG = LoggerFactory.getLogger(Reconciler.class);

    private final FlotillaConfig config;
    private final ServiceRepository services;
    private final PlanWriter plans;
    private final Planner planner;
    private final ServiceLanes lanes;
    private final DriverCalls driverCalls;
    private final EventPublisher publisher;
    private final Clock clock;

    Reconciler(FlotillaConfig config, ServiceRepository services, PlanWriter plans, Planner planner,
               ServiceLanes lanes, DriverCalls driverCalls, EventPublisher publisher, Clock clock) {
        this.config = config;
        this.services = services;
        this.plans = plans;
        this.planner = planner;
        this.lanes = lanes;
        this.driverCalls = driverCalls;
        this.publisher = publisher;
        this.clock = clock;
    }

    /** Look at service {@code id} again soon; wakes that pile up for one service coalesce. */
    void wake(int id, String trigger) {
        lanes.wake(id, () -> reconcile(id, trigger).recover(e -> {
            LOG.warn("service={} trigger={} reconcile failed: {}", id, trigger, e.toString());
            if (e instanceof StaleSnapshotException) {
                wake(id, "stale-snapshot");
            }
            return Future.succeededFuture();
        }));
    }

    /** Start-up catch-up: every unfinished service is re-planned from what is stored. */
    Future<Integer> resyncAll() {
        return services.unfinishedIds().map(ids -> wakeAll(ids, "startup"));
    }

    /**
     * Periodic resync of the services on their way somewhere, covering any lost wake-up; stable
     * services are woken by the poller when their VMs change, so the cost does not grow with them.
     */
    Future<Integer> resyncInMotion() {
        return services.inMotionIds().map(ids -> wakeAll(ids, "resync"));
    }

    /** Services whose transient state outlived its deadline are looked at now, not at the next resync. */
    Future<Void> wakeExpiredDeadlines() {
        return services.expiredDeadlineIds().map(ids -> wakeAll(ids, "deadline")).mapEmpty();
    }

    private int wakeAll(List<Integer> ids, String trigger) {
        ids.forEach(id -> wake(id, trigger));
        return ids.size();
    }

    private Future<Void> reconcile(int id, String trigger) {
        return services.findForEngine(id).compose(found -> {
            if (found.isEmpty()) {
                return Future.succeededFuture();
            }
            ServiceRecord record = found.get();
            ServiceSnapshot snapshot = record.snapshot(config.shutdownAction());
            Plan plan = planner.plan(snapshot, clock.instant());
            LOG.debug("service={} trigger={} state={} plan: {} call(s)", id, trigger, snapshot.state(),
                    plan.driverCalls().size());
            Future<List<EventRecord>> committed = plan.changesStore()
                    ? plans.apply(snapshot, plan) : Future.succeededFuture(List.of());
            return committed.compose(events -> afterCommit(snapshot, plan, events, owner(record),
                    record::templateContents, trigger));
        });
    }

    /**
     * What follows a committed plan, whoever committed it: its events go to the stream, its
     * transitions to the log, its driver calls to the cloud; an outcome that changes the plan's
     * inputs wakes the service again.
     */
    Future<Void> afterCommit(ServiceSnapshot snapshot, Plan plan, List<EventRecord> events, DriverCalls.Owner owner,
                             Function<String, JsonNode> templateContents, String trigger) {
        logTransitions(snapshot, plan, trigger);
        publisher.publish(events);
        if (plan.changesStore()) {
            publisher.changed(List.of(snapshot.id()));
        }
        if (plan.driverCalls().isEmpty()) {
            return Future.succeededFuture();
        }
        return driverCalls.make(snapshot.id(), owner, templateContents, plan.driverCalls()).map(needsAnotherLook -> {
            // The outcomes are stored (VM ids, refusals): the document changed again.
            publisher.changed(List.of(snapshot.id()));
            if (needsAnotherLook) {
                wake(snapshot.id(), "driver-outcome");
            }
            return null;
        });
    }

    static DriverCalls.Owner owner(ServiceRecord record) {
        return new DriverCalls.Owner(record.meta().uname(), record.meta().gid());
    }

    /** A service's VMs follow its chown; a cloud that refuses is logged, the service keeps its new owner. */
    Future<Void> chownVms(int serviceId, List<Integer> vmIds, int uid, int gid) {
        return driverCalls.chown(serviceId, vmIds, uid, gid);
    }

    void ownerChanged(int serviceId) {
        publisher.ownerChanged(serviceId);
    }

    void publish(List<EventRecord> events) {
        publisher.publish(events);
    }

    /** A command or a purge committed a change to these services' documents. */
    void changed(java.util.Collection<Integer> serviceIds) {
        publisher.changed(serviceIds);
    }

    private static void logTransitions(ServiceSnapshot snapshot, Plan plan, String trigger) {
        if (plan.states().serviceState() != snapshot.state()) {
            LOG.info("service={} trigger={} state {} -> {}", snapshot.id(), trigger, snapshot.state(),
                    plan.states().serviceState());
        }
        plan.states().roleStates().forEach((role, state) ->
                LOG.info("service={} role={} trigger={} state -> {}", snapshot.id(), role, trigger, state));
    }
}
