package dev.flotilla.engine;

import com.fasterxml.jackson.databind.JsonNode;
import dev.flotilla.config.FlotillaConfig;
import dev.flotilla.domain.Plan;
import dev.flotilla.domain.Planner;
import dev.flotilla.domain.ServiceSnapshot;
import dev.flotilla.cluster.Membership;
import dev.flotilla.store.EventRecord;
import dev.flotilla.store.LeaseStore;
import dev.flotilla.store.PlanWriter;
import dev.flotilla.store.ServiceRecord;
import dev.flotilla.store.ServiceRepository;
import dev.flotilla.store.StaleSnapshotException;
import io.vertx.core.Future;
import io.vertx.core.Promise;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.time.Clock;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.function.Function;

/**
 * The level-triggered loop: a service that may need a step (its VMs changed, a timer, a resync)
 * is read, planned purely and committed in its lane, then the plan's driver calls are made. Each
 * run says why it ran ({@code trigger}), so "why did this happen" has an answer in the log.
 */
final class Reconciler {
    private static final Logger LOG = LoggerFactory.getLogger(Reconciler.class);
    /** Services per group commit: bounds one transaction's statements and one create call's VMs. */
    private static final int MAX_BATCH = 64;

    private final FlotillaConfig config;
    private final ServiceRepository services;
    private final PlanWriter plans;
    private final Planner planner;
    private final ServiceLanes lanes;
    private final DriverCalls driverCalls;
    private final EventPublisher publisher;
    private final Clock clock;
    private final EngineMetrics metrics;
    private final Membership membership;

    Reconciler(FlotillaConfig config, ServiceRepository services, PlanWriter plans, Planner planner,
               ServiceLanes lanes, DriverCalls driverCalls, EventPublisher publisher, Clock clock, EngineMetrics metrics,
               Membership membership) {
        this.metrics = metrics;
        this.membership = membership;
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
        if (!membership.owns(id)) {
            return; // another node's (every node hears the cluster's wakes)
        }
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
        return services.unfinishedIds(membership.nodeId()).map(ids -> wakeAll(ids, "startup"));
    }

    /**
     * Periodic resync of the services on their way somewhere, covering any lost wake-up; stable
     * services are woken by the poller when their VMs change, so the cost does not grow with them.
     */
    Future<Integer> resyncInMotion() {
        return services.inMotionIds(membership.nodeId()).map(ids -> wakeAll(ids, "resync"));
    }

    /** Services waiting for their networks (DEPLOYING_NETS, UNDEPLOYING_NETS) read them again. */
    Future<Integer> wakeNetworkWaits() {
        return services.networkWaitIds(membership.nodeId()).map(ids -> wakeAll(ids, "network-wait"));
    }

    /** Services whose transient state outlived its deadline are looked at now, not at the next resync. */
    Future<Void> wakeExpiredDeadlines() {
        return services.expiredDeadlineIds(membership.nodeId()).map(ids -> wakeAll(ids, "deadline")).mapEmpty();
    }

    private int wakeAll(List<Integer> ids, String trigger) {
        ids.forEach(id -> wake(id, trigger));
        return ids.size();
    }

    /** A service waiting for the next batch, and its lane's task to complete when its turn is over. */
    private record Waiting(String trigger, Promise<Void> done, long turnStartedNanos) {
    }

    /** Services woken while a batch commits (each in its lane, so at most once), for the next batch. */
    private final Map<Integer, Waiting> waiting = new LinkedHashMap<>();
    private boolean batchInFlight;

    /** Runs in the service's lane; done when the service's plan is committed and its driver calls made. */
    private Future<Void> reconcile(int id, String trigger) {
        Promise<Void> done = Promise.promise();
        waiting.put(id, new Waiting(trigger, done, System.nanoTime()));
        nextBatch();
        return done.future();
    }

    /**
     * Group commit: the services that woke while the previous batch was being read, planned and
     * committed go together in the next one — one read, one transaction, one create call to the
     * cloud for all of them. An idle engine commits a lone service at once; a busy one commits
     * less often, not later.
     */
    private void nextBatch() {
        if (batchInFlight || waiting.isEmpty()) {
            return;
        }
        batchInFlight = true;
        Map<Integer, Waiting> batch = new LinkedHashMap<>();
        for (var it = waiting.entrySet().iterator(); it.hasNext() && batch.size() < MAX_BATCH; ) {
            var e = it.next();
            batch.put(e.getKey(), e.getValue());
            it.remove();
        }
        metrics.batch(batch.size());
        reconcileAll(batch).onComplete(ar -> {
            batchInFlight = false;
            nextBatch();
        });
    }

    /** Done when the batch is committed; each service's own turn ends after its driver calls. */
    private Future<Void> reconcileAll(Map<Integer, Waiting> batch) {
        Instant now = clock.instant();
        return services.findManyForEngine(batch.keySet()).compose(records -> {
            List<Step> steps = new ArrayList<>();
            Set<Integer> found = new HashSet<>();
            for (ServiceRecord record : records) {
                int id = record.meta().id();
                found.add(id);
                Waiting w = batch.get(id);
                if (!record.ownedBy(new LeaseStore.Fence(membership.nodeId(), membership.epoch()))) {
                    // Taken over by another node (this one's lease ran out): not this node's to plan any more.
                    membership.lose(id);
                    LOG.info("service={} is owned by node {} now; no longer planned here", id, record.ownerNode());
                    w.done().tryComplete();
                    continue;
                }
                try {
                    ServiceSnapshot snapshot = record.snapshot(config.shutdownAction());
                    Plan plan = planner.plan(snapshot, now);
                    LOG.debug("service={} trigger={} state={} plan: {} call(s)", id, w.trigger(), snapshot.state(),
                            plan.driverCalls().size());
                    steps.add(new Step(record, snapshot, plan, w));
                } catch (RuntimeException e) {
                    w.done().tryFail(e);
                }
            }
            batch.forEach((id, w) -> {
                if (!found.contains(id)) {
                    w.done().tryComplete(); // deleted meanwhile: nothing to do
                }
            });
            List<PlanWriter.Planned> changing = steps.stream().filter(st -> st.plan().changesStore())
                    .map(st -> new PlanWriter.Planned(st.snapshot(), st.plan())).toList();
            Future<Map<Integer, List<EventRecord>>> committed = changing.isEmpty()
                    ? Future.succeededFuture(Map.of()) : plans.applyAll(changing);
            return committed.map(events -> {
                afterBatch(steps, events);
                return (Void) null;
            });
        }).recover(e -> {
            if (batch.size() == 1) {
                batch.values().forEach(w -> w.done().tryFail(e));
                return Future.succeededFuture();
            }
            // One service's rows may fail them all (or a deadlock may): each goes alone, so the others
            // are not held back by it.
            LOG.warn("batch of {} services failed, committing them one by one: {}", batch.size(), e.toString());
            List<Future<Void>> alone = new ArrayList<>();
            batch.forEach((id, w) -> alone.add(reconcileAll(Map.of(id, w))));
            return Future.join(alone).mapEmpty();
        });
    }

    /** One service in a batch: what it read and what the planner made of it. */
    private record Step(ServiceRecord record, ServiceSnapshot snapshot, Plan plan, Waiting waiting) {
    }

    private void afterBatch(List<Step> steps, Map<Integer, List<EventRecord>> committedEvents) {
        List<DriverCalls.ServiceCalls> calls = new ArrayList<>();
        Map<Integer, Waiting> calling = new HashMap<>();
        for (Step st : steps) {
            int id = st.snapshot().id();
            List<EventRecord> events = List.of();
            if (st.plan().changesStore()) {
                events = committedEvents.get(id);
                if (events == null) {
                    st.waiting().done().tryFail(new StaleSnapshotException(id));
                    continue;
                }
            }
            if (st.plan().changesStore()) {
                metrics.committed(st.waiting().turnStartedNanos());
            }
            committed(st.snapshot(), st.plan(), events, st.waiting().trigger());
            if (st.plan().driverCalls().isEmpty()) {
                st.waiting().done().tryComplete();
            } else {
                calls.add(new DriverCalls.ServiceCalls(id, owner(st.record()), st.record()::templateContents,
                        st.plan().driverCalls()));
                calling.put(id, st.waiting());
            }
        }
        if (!calls.isEmpty() && !membership.leaseValid()) {
            // The lease may have run out: the next owner makes these calls again (they are stored).
            calling.values().forEach(w -> w.done().tryComplete());
            return;
        }
        if (calls.isEmpty()) {
            return;
        }
        driverCalls.makeAll(calls).onComplete(ar -> {
            Set<Integer> again = ar.succeeded() ? ar.result() : Set.of();
            // The outcomes are stored (VM ids, refusals): the documents changed again.
            publisher.changed(calling.keySet());
            calling.forEach((id, w) -> {
                w.done().tryComplete();
                if (again.contains(id)) {
                    wake(id, "driver-outcome");
                }
            });
        });
    }

    /**
     * What follows a committed plan, whoever committed it: its events go to the stream, its
     * transitions to the log, its driver calls to the cloud; an outcome that changes the plan's
     * inputs wakes the service again.
     */
    Future<Void> afterCommit(ServiceSnapshot snapshot, Plan plan, List<EventRecord> events, DriverCalls.Owner owner,
                             Function<String, JsonNode> templateContents, String trigger) {
        committed(snapshot, plan, events, trigger);
        if (plan.driverCalls().isEmpty() || !membership.leaseValid()) {
            return Future.succeededFuture();
        }
        return driverCalls.make(snapshot.id(), owner, templateContents, plan.driverCalls()).map(needsAnotherLook -> {
            publisher.changed(List.of(snapshot.id()));
            if (needsAnotherLook) {
                wake(snapshot.id(), "driver-outcome");
            }
            return null;
        });
    }

    private void committed(ServiceSnapshot snapshot, Plan plan, List<EventRecord> events, String trigger) {
        logTransitions(snapshot, plan, trigger);
        if (plan.states().serviceState() != snapshot.state()) {
            metrics.stateChanged(snapshot.id(), snapshot.state(), plan.states().serviceState());
        }
        publisher.publish(events);
        if (plan.changesStore() && events.isEmpty()) {
            // Published events already announce their service; a silent change still must.
            publisher.changed(List.of(snapshot.id()));
        }
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
