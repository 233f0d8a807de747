package dev.flotilla.engine;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.flotilla.cloud.CloudDriver;
import dev.flotilla.cloud.CloudRefusedException;
import dev.flotilla.cloud.NetworkRequest;
import dev.flotilla.domain.NetworkStates;
import dev.flotilla.store.NetworkObservations;
import dev.flotilla.cloud.VmRequest;
import dev.flotilla.domain.DriverCall;
import dev.flotilla.domain.ServiceEvent;
import dev.flotilla.store.EventLog;
import dev.flotilla.store.VmObservations;
import io.vertx.core.Future;
import io.vertx.core.Promise;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;
import java.util.function.Function;

/**
 * The driver calls of a committed plan (VMs and service networks), and what their outcomes write back. Every call carries
 * the request key committed with the plan, so making one twice (after a crash) does no harm.
 */
final class DriverCalls {
    private static final Logger LOG = LoggerFactory.getLogger(DriverCalls.class);

    private final VmObservations observations;
    private final NetworkObservations networkObservations;
    private final EventLog eventLog;
    private final CloudDriver driver;
    private final EventPublisher publisher;

    private final EngineMetrics metrics;

    DriverCalls(VmObservations observations, NetworkObservations networkObservations, EventLog eventLog,
                CloudDriver driver, EventPublisher publisher, EngineMetrics metrics) {
        this.metrics = metrics;
        this.observations = observations;
        this.networkObservations = networkObservations;
        this.eventLog = eventLog;
        this.driver = driver;
        this.publisher = publisher;
    }

    /** Whose a service's VMs are: they are created as this user, in this group. */
    record Owner(String name, int gid) {
    }

    /** The driver calls of one service's committed plan; its VMs' owner and its roles' contents. */
    record ServiceCalls(int id, Owner owner, Function<String, JsonNode> contents, List<DriverCall> calls) {
    }

    /**
     * Makes the calls for service {@code id}, owned by {@code owner}, whose roles'
     * {@code template_contents} are given by {@code contents}; true when an outcome changed what
     * the planner sees (look again soon).
     */
    Future<Boolean> make(int id, Owner owner, Function<String, JsonNode> contents, List<DriverCall> calls) {
        return makeAll(List.of(new ServiceCalls(id, owner, contents, calls))).map(again -> again.contains(id));
    }

    /**
     * The calls of many services' plans: their VMs are created in one driver call and recorded in
     * one statement (group commit for the cloud's answers); the other calls are made one by one.
     * Answers the services an outcome changed for the planner (look again soon).
     */
    Future<Set<Integer>> makeAll(List<ServiceCalls> services) {
        List<PendingCreate> creates = new ArrayList<>();
        List<Future<Boolean>> results = new ArrayList<>();
        List<Integer> resultOwners = new ArrayList<>();
        for (ServiceCalls service : services) {
            int id = service.id();
            for (DriverCall call : service.calls()) {
                Future<Boolean> result = null;
                if (call instanceof DriverCall.Create create) {
                    creates.add(new PendingCreate(id, service.owner(), service.contents().apply(create.roleName()),
                            create));
                } else if (call instanceof DriverCall.Terminate terminate) {
                    result = terminate(id, terminate);
                } else if (call instanceof DriverCall.Release release) {
                    result = release(id, release);
                } else if (call instanceof DriverCall.Resume resume) {
                    result = resume(id, resume);
                } else if (call instanceof DriverCall.CreateNetwork create) {
                    result = createNetwork(id, service.owner(), create);
                } else if (call instanceof DriverCall.DeleteNetwork delete) {
                    result = deleteNetwork(id, delete);
                } else if (call instanceof DriverCall.WatchNetwork watch) {
                    result = watchNetwork(id, watch);
                }
                if (result != null) {
                    results.add(result);
                    resultOwners.add(id);
                }
            }
        }
        Future<Set<Integer>> created = creates.isEmpty() ? Future.succeededFuture(Set.of()) : createSoon(creates);
        return Future.join(Future.join(results), created).transform(ar -> {
            Set<Integer> again = new TreeSet<>();
            for (int i = 0; i < results.size(); i++) {
                if (Boolean.TRUE.equals(results.get(i).result())) {
                    again.add(resultOwners.get(i));
                }
            }
            if (created.succeeded()) {
                again.addAll(created.result());
            }
            return Future.succeededFuture(again);
        });
    }

    /** A VM to create: the call, and whose service it is for. */
    private record PendingCreate(int serviceId, Owner owner, JsonNode contents, DriverCall.Create call) {
    }

    /** Creates waiting for the create call in flight to end, and who waits for them. */
    private final List<PendingCreate> queuedCreates = new ArrayList<>();
    private final List<Promise<Set<Integer>>> queuedWaiters = new ArrayList<>();
    private final List<Set<Integer>> queuedServices = new ArrayList<>();
    private boolean creating;

    /**
     * Group commit for the cloud's answers: VMs planned while a create call is in flight (by the
     * reconciler's batches and by commands alike) go together in the next call and its one
     * recording statement. Answers which of {@code creates}' services had a VM refused.
     */
    private Future<Set<Integer>> createSoon(List<PendingCreate> creates) {
        Promise<Set<Integer>> refused = Promise.promise();
        queuedCreates.addAll(creates);
        queuedWaiters.add(refused);
        Set<Integer> mine = new TreeSet<>();
        creates.forEach(c -> mine.add(c.serviceId()));
        queuedServices.add(mine);
        flushCreates();
        return refused.future();
    }

    private void flushCreates() {
        if (creating || queuedCreates.isEmpty()) {
            return;
        }
        creating = true;
        List<PendingCreate> creates = new ArrayList<>(queuedCreates);
        List<Promise<Set<Integer>>> waiters = new ArrayList<>(queuedWaiters);
        List<Set<Integer>> services = new ArrayList<>(queuedServices);
        queuedCreates.clear();
        queuedWaiters.clear();
        queuedServices.clear();
        create(creates).onComplete(ar -> {
            Set<Integer> refused = ar.succeeded() ? ar.result() : Set.of();
            for (int i = 0; i < waiters.size(); i++) {
                Set<Integer> theirs = new TreeSet<>(services.get(i));
                theirs.retainAll(refused);
                waiters.get(i).complete(theirs);
            }
            creating = false;
            flushCreates();
        });
    }

    /**
     * Creates the planned VMs in one driver call and records their ids in one statement. A refused
     * VM is recorded with the cloud's message (the planner fails the role); if the cloud could not
     * be asked at all, the rows stay unconfirmed and the next resync asks again with the same keys.
     * Answers the services with a refused VM.
     */
    private Future<Set<Integer>> create(List<PendingCreate> creates) {
        List<VmRequest> requests = creates.stream().map(c -> new VmRequest(c.call().requestKey(),
                c.call().templateId(), c.call().vmName(), c.call().hold(), c.serviceId(), c.call().roleName(),
                c.contents() instanceof ObjectNode o ? o : null, c.owner().name(), c.owner().gid(),
                c.call().again())).toList();
        return metrics.driverCall("instantiate", () -> driver.instantiate(requests)).compose(results -> {
            List<String> keys = new ArrayList<>();
            List<Integer> vmIds = new ArrayList<>();
            List<Future<?>> failures = new ArrayList<>();
            Set<Integer> refused = new TreeSet<>();
            for (int i = 0; i < results.size(); i++) {
                CloudDriver.Instantiated result = results.get(i);
                PendingCreate create = creates.get(i);
                DriverCall.Create call = create.call();
                if (result.error() == null && result.vmId() == null) {
                    continue; // the cloud could not be asked about this one: it stays unconfirmed
                }
                if (result.error() == null) {
                    keys.add(result.requestKey());
                    vmIds.add(result.vmId());
                } else {
                    int id = create.serviceId();
                    String message = "Error instantiating VM Template " + call.templateId() + " in Role "
                            + call.roleName() + ": " + result.error();
                    LOG.warn("service={} role={} {}", id, call.roleName(), message);
                    refused.add(id);
                    failures.add(observations.recordCreateFailed(call.requestKey(), result.error())
                            .compose(v -> eventLog.appendEvents(id, List.of(ServiceEvent.vm('E', call.roleName(),
                                    message))))
                            .onSuccess(publisher::publish));
                }
            }
            return Future.all(observations.recordCreated(keys, vmIds), Future.all(failures)).map(v -> (Set<Integer>) refused);
        }).recover(e -> {
            LOG.warn("services={} driver could not create {} VM(s), will retry: {}",
                    creates.stream().map(PendingCreate::serviceId).distinct().toList(), creates.size(), e.toString());
            return Future.succeededFuture(Set.of());
        });
    }

    /**
     * A refusal is recorded (the planner decides what it means); an unreachable cloud is not: the
     * terminate stays unconfirmed and is made again at the next resync.
     */
    private Future<Boolean> terminate(int id, DriverCall.Terminate call) {
        return metrics.driverCall(call.hard() ? "terminate-hard" : "terminate",
                () -> driver.terminate(call.requestKey(), call.vmId(), call.hard())).compose(outcome -> switch (outcome) {
            case TERMINATING -> observations.recordTerminateSent(call.requestKey(), call.vmId()).map(false);
            case NOT_FOUND -> observations.recordNeverCreated(call.requestKey()).map(true);
        }).recover(e -> {
            String vm = call.vmId() == null ? call.requestKey() : Integer.toString(call.vmId());
            if (!(e instanceof CloudRefusedException)) {
                LOG.warn("service={} terminate of VM {} not sent, will retry: {}", id, vm, e.getMessage());
                return Future.succeededFuture(false);
            }
            String message = "Terminate failed for VM " + vm + ": " + e.getMessage();
            LOG.warn("service={} {}", id, message);
            return observations.recordTerminateFailed(call.requestKey(), e.getMessage())
                    .compose(v -> eventLog.appendEvents(id, List.of(new ServiceEvent("vm", 'E', message, Map.of()))))
                    .onSuccess(publisher::publish)
                    .map(true);
        });
    }

    private Future<Boolean> release(int id, DriverCall.Release call) {
        return metrics.driverCall("release", () -> driver.release(call.requestKey(), call.vmId()))
                .compose(v -> observations.recordReleaseSent(call.requestKey()).map(false))
                .recover(e -> logFailure(id, "release", call.requestKey(), call.vmId(), e));
    }

    private Future<Boolean> resume(int id, DriverCall.Resume call) {
        return metrics.driverCall("resume", () -> driver.resume(call.requestKey(), call.vmId()))
                .compose(v -> observations.recordResumeSent(call.requestKey()).map(false))
                .recover(e -> logFailure(id, "resume", call.requestKey(), call.vmId(), e));
    }

    /** A service's VMs and the networks it made follow its chown; a refusal is logged. */
    Future<Void> chown(int id, List<Integer> vmIds, int uid, int gid) {
        Future<Void> vms = vmIds.isEmpty() ? Future.succeededFuture()
                : metrics.driverCall("chown", () -> driver.chown(vmIds, uid, gid))
                .recover(e -> logFailure(id, "chown", "-", null, e).mapEmpty());
        Future<Void> networks = networkObservations.madeBy(id).compose(netIds -> netIds.isEmpty()
                ? Future.<Void>succeededFuture()
                : metrics.driverCall("network-chown", () -> driver.chownNetworks(netIds, uid, gid))
                .recover(e -> networkFailure(id, "Chown of networks " + netIds + " failed: " + e.getMessage())));
        return Future.join(vms, networks).mapEmpty();
    }

    // ---- service networks -------------------------------------------------------------------------

    /**
     * Makes a network as the service's owner. Its id, or the cloud's refusal, is recorded (the
     * planner decides what they mean, so look again); an unreachable cloud is not: the attempt stays
     * unconfirmed and the next resync asks again with the same key.
     */
    private Future<Boolean> createNetwork(int id, Owner owner, DriverCall.CreateNetwork call) {
        NetworkRequest request = new NetworkRequest(call.requestKey(), call.source(), call.sourceId(), call.netName(),
                call.extra(), id, owner.name(), owner.gid(), call.again());
        return metrics.driverCall("network-create", () -> driver.createNetwork(request)).compose(made -> {
            if (made.vmId() != null) {
                FaultPoint.afterNetworkCreated(call.requestKey());
                return networkObservations.recordCreated(call.requestKey(), made.vmId()).map(true);
            }
            if (made.error() == null) {
                return Future.succeededFuture(false);
            }
            String message = "Error creating network " + call.name() + " (" + call.source().key() + " "
                    + call.sourceId() + "): " + made.error();
            return networkObservations.recordCreateFailed(call.requestKey(), made.error())
                    .compose(v -> networkFailure(id, call.name(), message)).map(true);
        }).recover(e -> {
            LOG.warn("service={} network {} not created, will retry: {}", id, call.name(), e.toString());
            return Future.succeededFuture(false);
        });
    }

    private Future<Boolean> deleteNetwork(int id, DriverCall.DeleteNetwork call) {
        return metrics.driverCall("network-delete", () -> driver.deleteNetwork(call.requestKey(), call.netId()))
                .compose(outcome -> switch (outcome) {
                    case TERMINATING -> networkObservations.recordDeleteSent(call.requestKey(), call.netId()).map(true);
                    case NOT_FOUND -> networkObservations.recordDeleteSent(call.requestKey(), call.netId())
                            .compose(v -> recordNetworkState(call.requestKey(), call.netId(), NetworkStates.DONE));
                }).recover(e -> {
                    String net = call.netId() == null ? call.requestKey() : Integer.toString(call.netId());
                    if (!(e instanceof CloudRefusedException)) {
                        LOG.warn("service={} delete of network {} not sent, will retry: {}", id, net, e.toString());
                        return Future.succeededFuture(false);
                    }
                    return networkObservations.recordDeleteFailed(call.requestKey(), e.getMessage())
                            .compose(v -> networkFailure(id, "Delete failed for network " + net + ": "
                                    + e.getMessage())).map(true);
                });
    }

    /** The network waits: the state is recorded, and a change makes the planner look again. */
    private Future<Boolean> watchNetwork(int id, DriverCall.WatchNetwork call) {
        return metrics.driverCall("network-info", () -> driver.network(call.requestKey(), call.netId()))
                .compose(seen -> recordNetworkState(call.requestKey(), seen.netId(), seen.state()))
                .recover(e -> {
                    LOG.warn("service={} network {} not read, will retry: {}", id, call.requestKey(), e.toString());
                    return Future.succeededFuture(false);
                });
    }

    private Future<Boolean> recordNetworkState(String requestKey, Integer netId, int state) {
        return networkObservations.recordState(requestKey, netId, state).map(events -> {
            publisher.publish(events);
            return !events.isEmpty();
        });
    }

    private Future<Void> networkFailure(int id, String message) {
        return networkFailure(id, "", message);
    }

    private Future<Void> networkFailure(int id, String network, String message) {
        LOG.warn("service={} {}", id, message);
        return eventLog.appendEvents(id, List.of(ServiceEvent.network('E', network, message)))
                .onSuccess(publisher::publish).mapEmpty();
    }

    private Future<Boolean> logFailure(int id, String action, String key, Integer vmId, Throwable e) {
        String message = "Action " + action + " failed for VM " + (vmId == null ? key : vmId) + ": " + e.getMessage();
        LOG.warn("service={} {}", id, message);
        return eventLog.appendEvents(id, List.of(new ServiceEvent("vm", 'E', message, Map.of())))
                .onSuccess(publisher::publish).map(false);
    }
}
