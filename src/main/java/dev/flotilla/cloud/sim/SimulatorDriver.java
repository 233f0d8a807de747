package dev.flotilla.cloud.sim;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.flotilla.cloud.CloudDriver;
import dev.flotilla.cloud.CloudRefusedException;
import dev.flotilla.cloud.NetworkRequest;
import dev.flotilla.cloud.VmRequest;
import dev.flotilla.config.FlotillaConfig;
import dev.flotilla.domain.NetworkSource;
import dev.flotilla.domain.NetworkStates;
import dev.flotilla.domain.VmObservation;
import dev.flotilla.domain.VmStates;
import dev.flotilla.json.Json;
import io.vertx.core.Future;

import java.time.Clock;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;
import java.util.SplittableRandom;
import java.util.concurrent.ConcurrentHashMap;

/**
 * The built-in cloud: VMs in PostgreSQL that follow OpenNebula's states on configurable timings.
 * Per VM, in order of precedence, the role's {@code template_contents}, the VM template's attributes
 * and the server config set {@code SIM_DEPLOY_SECONDS}, {@code SIM_TERMINATE_SECONDS},
 * {@code SIM_READY_SECONDS}; {@code SIM_FAIL=deploy|terminate|none} and {@code SIM_FAIL_RATE}
 * inject failures. Its virtual networks follow the same idea ({@link SimNetAttributes}).
 */
public final class SimulatorDriver implements CloudDriver {
    /** How many due VMs one poll materializes at most; the rest follow on the next poll. */
    private static final int ADVANCE_BATCH = 5000;

    private final SimulatorRepository store;
    private final FlotillaConfig.SimulatorSettings defaults;
    private final Outage outage;
    private final Clock clock;
    private final Map<Integer, SimTemplate> templates = new ConcurrentHashMap<>();

    public SimulatorDriver(SimulatorRepository store, FlotillaConfig.SimulatorSettings defaults, Outage outage,
                           Clock clock) {
        this.store = store;
        this.defaults = defaults;
        this.outage = outage;
        this.clock = clock;
    }

    @Override
    public Future<List<dev.flotilla.domain.Drift.CloudVm>> serviceVms() {
        java.time.Instant now = clock.instant();
        return store.listVms().map(all -> all.stream().map(vm -> vm.at(now))
                .filter(vm -> vm.serviceId() != null && !dev.flotilla.domain.VmStates.isDone(vm.state()))
                .map(vm -> new dev.flotilla.domain.Drift.CloudVm(vm.id(), vm.serviceId(), vm.roleName(), vm.state(),
                        vm.lcmState())).toList());
    }

    @Override
    public Future<String> health() {
        return Future.succeededFuture(outage.isOn() ? "simulated outage" : null);
    }

    @Override
    public Future<List<Instantiated>> instantiate(List<VmRequest> requests) {
        return outage.guard(() -> create(requests));
    }

    @Override
    public Future<Void> chown(List<Integer> vmIds, int uid, int gid) {
        return outage.guard(() -> store.chown(vmIds, uid, gid));
    }

    private Future<List<Instantiated>> create(List<VmRequest> requests) {
        List<Integer> templateIds = requests.stream().map(VmRequest::templateId).distinct().toList();
        return Future.all(templateIds.stream().map(this::template).toList()).compose(found -> {
            Map<Integer, SimTemplate> known = new HashMap<>();
            for (int i = 0; i < templateIds.size(); i++) {
                Optional<SimTemplate> t = found.resultAt(i);
                t.ifPresent(template -> known.put(template.id(), template));
            }
            List<VmRequest> creatable = requests.stream().filter(r -> known.containsKey(r.templateId())).toList();
            // Idempotent by request key: a VM already created under a key is returned, not made twice.
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
        // The NICs the role asked for, service networks filled in, so one can see where each VM is plugged.
        JsonNode nics = attributes.get("NIC");
        if (nics != null && (nics.isObject() || nics.isArray())) {
            userTemplate.set("NIC", nics.deepCopy());
        }
        SimClock.Phase phase = request.hold() ? SimClock.Phase.HOLD : SimClock.Phase.DEPLOY;
        SimVm vm = new SimVm(0, request.requestKey(), request.name(), template.id(), request.serviceId(),
                request.roleName(), VmStates.PENDING, VmStates.LCM_INIT, false, phase,
                seconds(attributes, "SIM_DEPLOY_SECONDS", defaults.deploySeconds()),
                seconds(attributes, "SIM_TERMINATE_SECONDS", defaults.terminateSeconds()),
                seconds(attributes, "SIM_READY_SECONDS", defaults.readySeconds()),
                now, null, false, failStep(attributes, request.requestKey()), userTemplate, 0,
                Json.MAPPER.createArrayNode(), Json.MAPPER.createArrayNode(), SimMetrics.generators(attributes), 0, now,
                new SimVm.Owner(request.ownerName(), request.ownerGid()));
        return vm.at(now);
    }

    /**
     * {@code SIM_FAIL} names the step every VM fails at; otherwise {@code SIM_FAIL_RATE} is the chance
     * that a VM fails to deploy, drawn from its request key so a retried create meets the same fate.
     */
    static SimClock.FailStep failStep(ObjectNode attributes, String requestKey) {
        String fail = attributes.path("SIM_FAIL").asText("none").trim().toLowerCase(Locale.ROOT);
        if (fail.equals("deploy")) {
            return SimClock.FailStep.DEPLOY;
        }
        if (fail.equals("terminate")) {
            return SimClock.FailStep.TERMINATE;
        }
        double rate = seconds(attributes, "SIM_FAIL_RATE", 0);
        return rate > 0 && new SplittableRandom(requestKey.hashCode()).nextDouble() < rate
                ? SimClock.FailStep.DEPLOY : null;
    }

    private static double seconds(ObjectNode attributes, String key, double fallback) {
        JsonNode value = attributes.get(key);
        if (value == null || value.isNull()) {
            return fallback;
        }
        try {
            double parsed = Double.parseDouble(value.asText().trim());
            // A week at most: a timestamp plus this must stay a timestamp.
            return parsed >= 0 && parsed <= 7 * 24 * 3600 ? parsed : fallback;
        } catch (NumberFormatException e) {
            return fallback;
        }
    }

    /**
     * A soft terminate of a VM set to fail at terminate ends in EPILOG_FAILURE; such a VM refuses a
     * hard terminate too (it is the VM that cannot be removed).
     */
    @Override
    public Future<TerminateOutcome> terminate(String requestKey, Integer vmId, boolean hard) {
        return outage.guard(() -> oneAtATime(() -> find(requestKey, vmId).compose(found -> {
            if (found.isEmpty()) {
                return Future.succeededFuture(TerminateOutcome.NOT_FOUND);
            }
            Instant now = clock.instant();
            SimVm vm = found.get().at(now);
            if (vm.state() == VmStates.DONE) {
                return Future.succeededFuture(TerminateOutcome.TERMINATING);
            }
            if (vm.failStep() == SimClock.FailStep.TERMINATE
                    && (hard || vm.lcmState() == VmStates.LCM_EPILOG_FAILURE)) {
                return Future.failedFuture(new CloudRefusedException("[one.vm.action] VM " + vm.id()
                        + " cannot be terminated in state " + VmStates.stateName(vm.state()) + "/" + vm.lcmState()
                        + " (SIM_FAIL=terminate)"));
            }
            if (vm.phase() == SimClock.Phase.TERMINATE) {
                return Future.succeededFuture(TerminateOutcome.TERMINATING);
            }
            return store.saveIfUnchanged(vm.terminating(now, hard)).map(TerminateOutcome.TERMINATING);
        })));
    }

    @Override
    public Future<Void> release(String requestKey, Integer vmId) {
        return outage.guard(() -> oneAtATime(() -> find(requestKey, vmId).compose(found -> {
            if (found.isEmpty()) {
                return Future.failedFuture(new CloudRefusedException("[one.vm.action] VM " + requestKey
                        + " does not exist"));
            }
            SimVm vm = found.get();
            if (vm.phase() != SimClock.Phase.HOLD) {
                // Already released (a repeat after a crash): nothing to do.
                return Future.succeededFuture();
            }
            return store.saveIfUnchanged(vm.deployingFrom(clock.instant()));
        })));
    }

    @Override
    public Future<Void> resume(String requestKey, Integer vmId) {
        return outage.guard(() -> oneAtATime(() -> find(requestKey, vmId).compose(found -> {
            if (found.isEmpty()) {
                return Future.failedFuture(new CloudRefusedException("[one.vm.action] VM " + requestKey
                        + " does not exist"));
            }
            SimVm vm = found.get().at(clock.instant());
            boolean resumable = vm.state() == VmStates.POWEROFF || vm.state() == VmStates.SUSPENDED
                    || vm.state() == VmStates.STOPPED || vm.state() == VmStates.UNDEPLOYED
                    || (vm.state() == VmStates.ACTIVE && vm.lcmState() == VmStates.LCM_UNKNOWN);
            if (!resumable) {
                return Future.failedFuture(new CloudRefusedException("[one.vm.action] resume is not allowed for VM "
                        + vm.id() + " in state " + VmStates.stateName(vm.state()) + "/" + vm.lcmState()));
            }
            return store.saveIfUnchanged(vm.forced(clock.instant(), VmStates.ACTIVE, VmStates.LCM_RUNNING, true));
        })));
    }

    @Override
    public Future<Void> vmAction(int vmId, String action, String args) {
        return outage.guard(() -> oneAtATime(() -> store.findById(vmId).compose(found -> {
            if (found.isEmpty()) {
                return Future.failedFuture(new CloudRefusedException("[one.vm.action] Error getting virtual machine ["
                        + vmId + "]."));
            }
            Instant now = clock.instant();
            try {
                return store.saveIfUnchanged(SimVmActions.apply(found.get().at(now), action, args, now));
            } catch (CloudRefusedException e) {
                return Future.failedFuture(e);
            }
        })));
    }

    @Override
    public Future<Map<Integer, VmMetrics>> metrics(List<Integer> vmIds) {
        if (vmIds.isEmpty()) {
            return Future.succeededFuture(Map.of());
        }
        return outage.guard(() -> store.findByIds(vmIds).compose(vms -> store.monitoring(vmIds).map(monitoring -> {
            Instant now = clock.instant();
            Map<Integer, VmMetrics> out = new HashMap<>();
            for (SimVm stored : vms) {
                SimVm vm = stored.at(now);
                Map<String, Double> values = new HashMap<>();
                double age = (now.toEpochMilli() - vm.createdAt().toEpochMilli()) / 1000.0;
                // Lowest precedence first, so USER_TEMPLATE wins over MONITORING (elasticity.md §4).
                vm.generators().properties().forEach(e -> {
                    double v = SimMetrics.value(e.getValue().asText(), age);
                    if (!Double.isNaN(v)) {
                        values.put(e.getKey(), v);
                    }
                });
                putNumbers(values, monitoring.getOrDefault(vm.id(), Json.object()));
                putNumbers(values, vm.userTemplate());
                out.put(vm.id(), new VmMetrics(vm.state(), vm.lcmState(), values));
            }
            return out;
        })));
    }

    /** Strings count by their leading number ("12.5" → 12.5, "12abc" → 12, "abc" → 0); structures are ignored. */
    private static void putNumbers(Map<String, Double> values, ObjectNode attributes) {
        attributes.properties().forEach(e -> {
            JsonNode v = e.getValue();
            if (v.isNumber()) {
                values.put(e.getKey().toUpperCase(Locale.ROOT), v.asDouble());
            } else if (v.isTextual()) {
                java.util.regex.Matcher m = java.util.regex.Pattern.compile("^\\s*-?[0-9]+(\\.[0-9]+)?")
                        .matcher(v.asText());
                values.put(e.getKey().toUpperCase(Locale.ROOT), m.find() ? Double.parseDouble(m.group().trim()) : 0);
            }
        });
    }

    /** Materializes what became due, then reads every VM whose state changed after {@code cursor}. */
    @Override
    public Future<VmChanges> changesSince(long cursor, int limit) {
        return outage.guard(() -> store.advanceDue(clock.instant(), ADVANCE_BATCH)
                .compose(advanced -> store.changesSince(cursor, limit))
                .map(vms -> {
                    long next = cursor;
                    List<VmObservation> observations = new ArrayList<>(vms.size());
                    for (SimVm vm : vms) {
                        observations.add(new VmObservation(vm.id(), vm.requestKey(), vm.state(), vm.lcmState(),
                                vm.ready()));
                        next = Math.max(next, vm.changeSeq());
                    }
                    return new VmChanges(observations, next);
                }));
    }

    /**
     * oned acts on one VM at a time: an action computed from a state that changed before it was
     * written (a reboot racing a terminate, a timed step) is computed again from the new state.
     */
    private static <T> Future<T> oneAtATime(java.util.function.Supplier<Future<T>> action) {
        return oneAtATime(action, 20);
    }

    private static <T> Future<T> oneAtATime(java.util.function.Supplier<Future<T>> action, int attemptsLeft) {
        return action.get().recover(e -> e instanceof SimulatorRepository.ConcurrentChange && attemptsLeft > 1
                ? oneAtATime(action, attemptsLeft - 1) : Future.failedFuture(e));
    }

    private Future<Optional<SimVm>> find(String requestKey, Integer vmId) {
        return vmId != null ? store.findById(vmId) : store.findByKey(requestKey);
    }

    // ---- service networks: oned's one.vntemplate.instantiate, one.vn.reserve, one.vn.info, one.vn.delete ----

    @Override
    public Future<Instantiated> createNetwork(NetworkRequest request) {
        if (!request.source().createdByService()) {
            return Future.failedFuture(new IllegalArgumentException("an existing network is used, not created: "
                    + request.requestKey()));
        }
        // Idempotent by request key: a network already made under the key is returned whatever its
        // source has become since (a reservation's parent may no longer be READY).
        return outage.guard(() -> store.findNetworkByKey(request.requestKey()).compose(existing -> existing.isPresent()
                ? Future.succeededFuture(new Instantiated(request.requestKey(), existing.get().id(), null))
                : request.source() == NetworkSource.TEMPLATE ? fromNetworkTemplate(request) : reservation(request)));
    }

    private Future<Instantiated> fromNetworkTemplate(NetworkRequest request) {
        return store.findNetTemplate(request.sourceId()).compose(template -> {
            if (template.isEmpty()) {
                return Future.succeededFuture(new Instantiated(request.requestKey(), null,
                        "[one.vntemplate.instantiate] Error getting virtual network template [" + request.sourceId()
                                + "]."));
            }
            return made(request, newNetwork(request, template.get().id(), null,
                    SimNetAttributes.merged(template.get().attributes(), request.extra())));
        });
    }

    /** A reservation takes nothing from its parent but its existence: its attributes are the request's. */
    private Future<Instantiated> reservation(NetworkRequest request) {
        return store.findNetwork(request.sourceId()).compose(parent -> {
            if (parent.isEmpty() || parent.get().stateAt(clock.instant()) != NetworkStates.READY) {
                return Future.succeededFuture(new Instantiated(request.requestKey(), null,
                        "[one.vn.reserve] Error getting virtual network [" + request.sourceId() + "]."));
            }
            return made(request, newNetwork(request, null, parent.get().id(),
                    SimNetAttributes.merged(null, request.extra())));
        });
    }

    private Future<Instantiated> made(NetworkRequest request, SimNetwork network) {
        return store.insertNetworkOrGet(network)
                .map(stored -> new Instantiated(request.requestKey(), stored.id(), null));
    }

    private SimNetwork newNetwork(NetworkRequest request, Integer templateId, Integer parentId, ObjectNode attributes) {
        Instant now = clock.instant();
        return new SimNetwork(0, request.requestKey(), request.name(), parentId, templateId,
                new SimVm.Owner(request.ownerName(), request.ownerGid()), attributes, SimNetClock.Phase.CREATE,
                now, SimNetAttributes.createSeconds(attributes), SimNetAttributes.deleteSeconds(attributes),
                SimNetAttributes.failing(attributes, SimNetClock.Fail.CREATE), now);
    }

    @Override
    public Future<NetworkSeen> network(String requestKey, Integer netId) {
        return outage.guard(() -> findNetwork(requestKey, netId).map(found -> found
                .map(net -> new NetworkSeen(net.id(), net.stateAt(clock.instant())))
                .orElse(new NetworkSeen(netId, NetworkStates.DONE))));
    }

    /**
     * Deleting a network being deleted (or gone) changes nothing; deleting one in ERROR (a failed
     * create or delete) starts a new delete, which fails again only if SIM_NET_FAIL still says so.
     * The seeded network stays: every reservation in the simulator comes from it.
     */
    @Override
    public Future<TerminateOutcome> deleteNetwork(String requestKey, Integer netId) {
        return outage.guard(() -> oneAtATime(() -> findNetwork(requestKey, netId).compose(found -> {
            if (found.isEmpty()) {
                return Future.succeededFuture(TerminateOutcome.NOT_FOUND);
            }
            SimNetwork net = found.get();
            if (net.phase() == SimNetClock.Phase.READY) {
                return Future.failedFuture(new CloudRefusedException("[one.vn.delete] Cannot delete virtual network ["
                        + net.id() + "]: it is the simulator's own network"));
            }
            Instant now = clock.instant();
            int state = net.stateAt(now);
            if (state == NetworkStates.DONE || state == NetworkStates.LOCK_DELETE) {
                return Future.succeededFuture(TerminateOutcome.TERMINATING);
            }
            return store.startNetworkDelete(net, net.deleting(now)).map(TerminateOutcome.TERMINATING);
        })));
    }

    @Override
    public Future<Void> chownNetworks(List<Integer> netIds, int uid, int gid) {
        return outage.guard(() -> netIds.isEmpty() ? Future.succeededFuture() : store.chownNetworks(netIds, uid, gid));
    }

    private Future<Optional<SimNetwork>> findNetwork(String requestKey, Integer netId) {
        return netId != null ? store.findNetwork(netId) : store.findNetworkByKey(requestKey);
    }
}
