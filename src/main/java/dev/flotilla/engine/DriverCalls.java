package dev.flotilla.engine;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.flotilla.cloud.CloudDriver;
import dev.flotilla.cloud.CloudRefusedException;
import dev.flotilla.cloud.VmRequest;
import dev.flotilla.domain.DriverCall;
import dev.flotilla.domain.ServiceEvent;
import dev.flotilla.store.EventLog;
import dev.flotilla.store.VmObservations;
import io.vertx.core.Future;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.function.Function;

/**
 * The driver calls of a committed plan, and what their outcomes write back. Every call carries
 * the request key committed with the plan, so making one twice (after a crash) does no harm.
 */
final class DriverCalls {
    private static final Logger LOG = LoggerFactory.getLogger(DriverCalls.class);

    private final VmObservations observations;
    private final EventLog eventLog;
    private final CloudDriver driver;
    private final EventPublisher publisher;

    DriverCalls(VmObservations observations, EventLog eventLog, CloudDriver driver, EventPublisher publisher) {
        this.observations = observations;
        this.eventLog = eventLog;
        this.driver = driver;
        this.publisher = publisher;
    }

    /** Whose a service's VMs are: they are created as this user, in this group. */
    record Owner(String name, int gid) {
    }

    /**
     * Makes the calls for service {@code id}, owned by {@code owner}, whose roles'
     * {@code template_contents} are given by {@code contents}; true when an outcome changed what
     * the planner sees (look again soon).
     */
    Future<Boolean> make(int id, Owner owner, Function<String, JsonNode> contents, List<DriverCall> calls) {
        if (calls.isEmpty()) {
            return Future.succeededFuture(false);
        }
        List<DriverCall.Create> creates = new ArrayList<>();
        List<Future<Boolean>> results = new ArrayList<>();
        for (DriverCall call : calls) {
            if (call instanceof DriverCall.Create create) {
                creates.add(create);
            } else if (call instanceof DriverCall.Terminate terminate) {
                results.add(terminate(id, terminate));
            } else if (call instanceof DriverCall.Release release) {
                results.add(release(id, release));
            } else if (call instanceof DriverCall.Resume resume) {
                results.add(resume(id, resume));
            }
        }
        if (!creates.isEmpty()) {
            results.add(create(id, owner, contents, creates));
        }
        return Future.join(results).transform(ar -> Future.succeededFuture(
                results.stream().anyMatch(f -> Boolean.TRUE.equals(f.result()))));
    }

    /**
     * Creates the planned VMs in one driver call and records their ids in one statement. A refused
     * VM is recorded with the cloud's message (the planner fails the role); if the cloud could not
     * be asked at all, the rows stay unconfirmed and the next resync asks again with the same keys.
     */
    private Future<Boolean> create(int id, Owner owner, Function<String, JsonNode> contentsOf,
                                   List<DriverCall.Create> calls) {
        List<VmRequest> requests = calls.stream().map(call -> {
            JsonNode contents = contentsOf.apply(call.roleName());
            return new VmRequest(call.requestKey(), call.templateId(), call.vmName(), call.hold(), id,
                    call.roleName(), contents instanceof ObjectNode o ? o : null, owner.name(), owner.gid(),
                    call.again());
        }).toList();
        return driver.instantiate(requests).compose(results -> {
            List<String> keys = new ArrayList<>();
            List<Integer> vmIds = new ArrayList<>();
            List<Future<?>> failures = new ArrayList<>();
            for (int i = 0; i < results.size(); i++) {
                CloudDriver.Instantiated result = results.get(i);
                DriverCall.Create call = calls.get(i);
                if (result.error() == null && result.vmId() == null) {
                    continue; // the cloud could not be asked about this one: it stays unconfirmed
                }
                if (result.error() == null) {
                    keys.add(result.requestKey());
                    vmIds.add(result.vmId());
                } else {
                    String message = "Error instantiating VM Template " + call.templateId() + " in Role "
                            + call.roleName() + ": " + result.error();
                    LOG.warn("service={} role={} {}", id, call.roleName(), message);
                    failures.add(observations.recordCreateFailed(call.requestKey(), result.error())
                            .compose(v -> eventLog.appendEvents(id, List.of(ServiceEvent.vm('E', call.roleName(),
                                    message))))
                            .onSuccess(publisher::publish));
                }
            }
            return Future.all(observations.recordCreated(keys, vmIds), Future.all(failures))
                    .map(v -> !failures.isEmpty());
        }).recover(e -> {
            LOG.warn("service={} driver could not create {} VM(s), will retry: {}", id, calls.size(), e.toString());
            return Future.succeededFuture(false);
        });
    }

    /**
     * A refusal is recorded (the planner decides what it means); an unreachable cloud is not: the
     * terminate stays unconfirmed and is made again at the next resync.
     */
    private Future<Boolean> terminate(int id, DriverCall.Terminate call) {
        return driver.terminate(call.requestKey(), call.vmId(), call.hard()).compose(outcome -> switch (outcome) {
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
        return driver.release(call.requestKey(), call.vmId())
                .compose(v -> observations.recordReleaseSent(call.requestKey()).map(false))
                .recover(e -> logFailure(id, "release", call.requestKey(), call.vmId(), e));
    }

    private Future<Boolean> resume(int id, DriverCall.Resume call) {
        return driver.resume(call.requestKey(), call.vmId())
                .compose(v -> observations.recordResumeSent(call.requestKey()).map(false))
                .recover(e -> logFailure(id, "resume", call.requestKey(), call.vmId(), e));
    }

    Future<Void> chown(int id, List<Integer> vmIds, int uid, int gid) {
        return driver.chown(vmIds, uid, gid).recover(e -> logFailure(id, "chown", "-", null, e).mapEmpty());
    }

    private Future<Boolean> logFailure(int id, String action, String key, Integer vmId, Throwable e) {
        String message = "Action " + action + " failed for VM " + (vmId == null ? key : vmId) + ": " + e.getMessage();
        LOG.warn("service={} {}", id, message);
        return eventLog.appendEvents(id, List.of(new ServiceEvent("vm", 'E', message, Map.of())))
                .onSuccess(publisher::publish).map(false);
    }
}
