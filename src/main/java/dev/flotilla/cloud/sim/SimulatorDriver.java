package dev.flotilla.cloud.sim;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.flotilla.cloud.CloudDriver;
import dev.flotilla.cloud.VmRequest;
import dev.flotilla.config.FlotillaConfig;
import dev.flotilla.domain.VmObservation;
import dev.flotilla.domain.VmStates;
import dev.flotilla.store.Json;
import dev.flotilla.store.SimulatorStore;
import io.vertx.core.Future;

import java.time.Clock;
import java.time.Instant;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.ConcurrentHashMap;

/**
 * The built-in cloud: VMs in PostgreSQL that follow OpenNebula's states on configurable timings.
 * Timings come from, in order of precedence, the role's {@code template_contents}, the VM template's
 * attributes, and the server config ({@code SIM_DEPLOY_SECONDS}, {@code SIM_TERMINATE_SECONDS},
 * {@code SIM_READY_SECONDS}).
 */
public final class SimulatorDriver implements CloudDriver {
    /** How many due VMs one poll materializes at most; the rest follow on the next poll. */
    private static final int ADVANCE_BATCH = 5000;

    private final SimulatorStore store;
    private final FlotillaConfig.SimulatorSettings defaults;
    private final Clock clock;
    private final Map<Integer, SimTemplate> templates = new ConcurrentHashMap<>();

    public SimulatorDriver(SimulatorStore store, FlotillaConfig.SimulatorSettings defaults, Clock clock) {
        this.store = store;
        this.defaults = defaults;
        this.clock = clock;
    }

    @Override
    public Future<List<Instantiated>> instantiate(List<VmRequest> requests) {
        List<Integer> templateIds = requests.stream().map(VmRequest::templateId).distinct().toList();
        return Future.all(templateIds.stream().map(this::template).toList()).compose(found -> {
            Map<Integer, SimTemplate> known = new HashMap<>();
            for (int i = 0; i < templateIds.size(); i++) {
                Optional<SimTemplate> t = found.resultAt(i);
                t.ifPresent(template -> known.put(template.id(), template));
            }
            List<VmRequest> creatable = requests.stream().filter(r -> known.containsKey(r.templateId())).toList();
            Future<List<SimVm>> created = creatable.isEmpty() ? Future.succeededFuture(List.of())
                    : store.insertAllOrGet(creatable.stream().map(r -> newVm(r, known.get(r.templateId()))).toList());
            return created.map(vms -> {
                Map<String, Integer> ids = new HashMap<>();
                vms.forEach(vm -> ids.put(vm.requestKey(), vm.id()));
                return requests.stream().map(r -> known.containsKey(r.templateId())
                        ? new Instantiated(r.requestKey(), ids.get(r.requestKey()), null)
                        : new Instantiated(r.requestKey(), null, "[one.template.instantiate] Error getting template ["
                                + r.templateId() + "].")).toList();
            });
        });
    }

    /** VM templates never change once created, so each is read once per driver. */
    private Future<Optional<SimTemplate>> template(int id) {
        SimTemplate cached = templates.get(id);
        if (cached != null) {
            return Future.succeededFuture(Optional.of(cached));
        }
        return store.findTemplate(id).onSuccess(found -> found.ifPresent(t -> templates.put(id, t)));
    }

    private SimVm newVm(VmRequest request, SimTemplate template) {
        ObjectNode attributes = template.attributes().deepCopy();
        if (request.templateContents() != null) {
            attributes.setAll(request.templateContents());
        }
        Instant now = clock.instant();
        ObjectNode userTemplate = Json.object()
                .put("SERVICE_ID", Integer.toString(request.serviceId()))
                .put("ROLE_NAME", request.roleName());
        SimClock.Phase phase = request.hold() ? SimClock.Phase.HOLD : SimClock.Phase.DEPLOY;
        SimVm vm = new SimVm(0, request.requestKey(), request.name(), template.id(), request.serviceId(),
                request.roleName(), VmStates.PENDING, VmStates.LCM_INIT, false, phase,
                seconds(attributes, "SIM_DEPLOY_SECONDS", defaults.deploySeconds()),
                seconds(attributes, "SIM_TERMINATE_SECONDS", defaults.terminateSeconds()),
                seconds(attributes, "SIM_READY_SECONDS", defaults.readySeconds()),
                now, null, false, userTemplate, 0, now);
        return vm.at(now);
    }

    private static double seconds(ObjectNode attributes, String key, double fallback) {
        JsonNode value = attributes.get(key);
        if (value == null || value.isNull()) {
            return fallback;
        }
        try {
            double parsed = Double.parseDouble(value.asText().trim());
            return parsed >= 0 ? parsed : fallback;
        } catch (NumberFormatException e) {
            return fallback;
        }
    }

    @Override
    public Future<TerminateOutcome> terminate(String requestKey, Integer vmId, boolean hard) {
        Future<Optional<SimVm>> lookup = vmId != null ? store.findById(vmId) : store.findByKey(requestKey);
        return lookup.compose(found -> {
            if (found.isEmpty()) {
                return Future.succeededFuture(TerminateOutcome.NOT_FOUND);
            }
            Instant now = clock.instant();
            SimVm vm = found.get().at(now);
            if (vm.phase() == SimClock.Phase.TERMINATE || vm.state() == VmStates.DONE) {
                return Future.succeededFuture(TerminateOutcome.TERMINATING);
            }
            return store.save(vm.terminating(now, hard)).map(TerminateOutcome.TERMINATING);
        });
    }

    /** Materializes what became due, then reads every VM whose state changed after {@code cursor}. */
    @Override
    public Future<VmChanges> changesSince(long cursor, int limit) {
        return store.advanceDue(clock.instant(), ADVANCE_BATCH)
                .compose(advanced -> store.changesSince(cursor, limit))
                .map(vms -> {
                    long next = cursor;
                    var observations = new java.util.ArrayList<VmObservation>(vms.size());
                    for (SimVm vm : vms) {
                        observations.add(new VmObservation(vm.id(), vm.requestKey(), vm.state(), vm.lcmState(),
                                vm.ready()));
                        next = Math.max(next, vm.changeSeq());
                    }
                    return new VmChanges(observations, next);
                });
    }
}
