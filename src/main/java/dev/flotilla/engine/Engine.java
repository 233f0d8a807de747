package dev.flotilla.engine;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.flotilla.OperationException;
import dev.flotilla.cloud.CloudDriver;
import dev.flotilla.cloud.CloudRefusedException;
import dev.flotilla.cloud.VmRequest;
import dev.flotilla.config.FlotillaConfig;
import dev.flotilla.domain.ConflictException;
import dev.flotilla.domain.DriverCall;
import dev.flotilla.domain.RoleActions;
import dev.flotilla.domain.RoleState;
import dev.flotilla.domain.TemplateValidator;
import dev.flotilla.domain.UnknownRoleException;
import dev.flotilla.domain.ValidationException;
import dev.flotilla.domain.VmSnapshot;
import dev.flotilla.store.RoleActionStore;
import dev.flotilla.store.RoleRecord;
import dev.flotilla.domain.Instantiation;
import dev.flotilla.domain.Plan;
import dev.flotilla.domain.Planner;
import dev.flotilla.domain.ServiceEvent;
import dev.flotilla.domain.ServiceSnapshot;
import dev.flotilla.store.EventRecord;
import dev.flotilla.json.Json;
import dev.flotilla.store.ServiceRecord;
import dev.flotilla.store.ServiceStore;
import dev.flotilla.store.TemplateStore;
import io.vertx.core.Future;
import io.vertx.core.eventbus.EventBus;
import io.vertx.core.json.JsonObject;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.time.Clock;
import java.util.ArrayList;
import java.util.List;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;
import java.util.function.BiFunction;
import java.time.Instant;

/**
 * The lifecycle engine: the only writer of service and role state. Each service is reconciled in
 * its own lane: read a snapshot, plan purely, commit the plan, then call the driver.
 */
public final class Engine {
    private static final Logger LOG = LoggerFactory.getLogger(Engine.class);

    private final FlotillaConfig config;
    private final ServiceStore services;
    private final TemplateStore templates;
    private final CloudDriver driver;
    private final EventPublisher publisher;
    private final Clock clock;
    private final Planner planner;
    private final RoleActionStore actions;
    private final ServiceLanes lanes = new ServiceLanes();

    public Engine(FlotillaConfig config, ServiceStore services, TemplateStore templates, RoleActionStore actions,
                  CloudDriver driver, EventBus bus, Clock clock) {
        this.config = config;
        this.services = services;
        this.actions = actions;
        this.templates = templates;
        this.driver = driver;
        this.publisher = new EventPublisher(bus);
        this.clock = clock;
        this.planner = new Planner(config.vmNameTemplate(), config.transientTimeout());
    }

    // ---- triggers ------------------------------------------------------------------------------

    /** Look at service {@code id} again soon; wakes that pile up for one service coalesce. */
    public void wake(int id) {
        lanes.wake(id, () -> reconcile(id).recover(e -> {
            LOG.warn("service={} trigger=wake reconcile failed: {}", id, e.toString());
            if (e instanceof ServiceStore.StaleSnapshotException) {
                wake(id);
            }
            return Future.succeededFuture();
        }));
    }

    /** Start-up catch-up: every unfinished service is re-planned from what is stored. */
    public Future<Integer> resyncAll() {
        return services.unfinishedIds().map(this::wakeAll);
    }

    /**
     * Periodic resync of the services on their way somewhere, covering any lost wake-up; stable
     * services are woken by the poller when their VMs change, so the cost does not grow with them.
     */
    public Future<Integer> resyncInMotion() {
        return services.inMotionIds().map(this::wakeAll);
    }

    private int wakeAll(List<Integer> ids) {
        ids.forEach(this::wake);
        return ids.size();
    }

    /** Services whose transient state outlived its deadline are looked at now, not at the next resync. */
    public Future<Void> wakeExpiredDeadlines() {
        return services.expiredDeadlineIds().map(this::wakeAll).mapEmpty();
    }

    public Future<Void> purgeExpiredDone() {
        if (config.doneRetention().isZero()) {
            return Future.succeededFuture();
        }
        return services.purgeDone(config.doneRetention().toSeconds()).mapEmpty();
    }

    // ---- commands ------------------------------------------------------------------------------

    /** Runs one API command; the reply is a JSON object, a failure an {@link OperationException}. */
    public Future<JsonObject> handle(JsonObject command) {
        String name = command.getString("command", "");
        return switch (name) {
            case "instantiate" -> instantiate(command);
            case "undeploy" -> command(command, planner::undeploy);
            case "recover" -> command(command, command.getBoolean("delete", false)
                    ? planner::forceDelete : planner::recover);
            case "release" -> command(command, planner::release);
            case "scale" -> command(command, (snapshot, now) -> planner.scale(snapshot, now,
                    command.getString("role"), command.getInteger("cardinality"), command.getBoolean("force", false)));
            case "remove_role" -> command(command, (snapshot, now) -> planner.removeRole(snapshot, now,
                    command.getString("role")));
            case "add_role" -> addRole(command.getInteger("serviceId"),
                    Json.parseObject(command.getJsonObject("role").encode()));
            case "role_action" -> roleAction(command);
            case "cancel_action" -> actions.cancel(command.getLong("schedId"), command.getInteger("serviceId"),
                    command.getString("role")).map(found -> new JsonObject().put("cancelled", found));
            case "purge_done" -> services.purgeDone(0).map(ids -> new JsonObject().put("purged", ids.size()));
            default -> Future.failedFuture(OperationException.badRequest("command", "Unknown command " + name));
        };
    }

    private Future<JsonObject> instantiate(JsonObject command) {
        int templateId = command.getInteger("templateId");
        ObjectNode merge = command.containsKey("mergeTemplate")
                ? Json.parseObject(command.getJsonObject("mergeTemplate").encode()) : null;
        return templates.find(templateId).compose(found -> {
            if (found.isEmpty()) {
                return Future.failedFuture(OperationException.notFound(
                        "[one.document.info] Error getting document [" + templateId + "]."));
            }
            ObjectNode body = Instantiation.serviceBody(found.get().body(), merge, config.maxCardinality());
            for (JsonNode role : body.withArray("roles")) {
                ObjectNode r = (ObjectNode) role;
                if (!r.has("cooldown")) {
                    r.put("cooldown", body.path("cooldown").asInt(config.defaultCooldown()));
                }
                if (!r.has("on_hold")) {
                    r.put("on_hold", false);
                }
            }
            return services.create(command.getInteger("uid"), command.getInteger("gid"), body);
        }).compose(id -> services.appendEvents(id, List.of(ServiceEvent.info("Service created from template "
                        + templateId + "; new state: PENDING")))
                .onSuccess(publisher::publish)
                .map(events -> {
                    LOG.info("service={} instantiated from template={}", id, templateId);
                    wake(id);
                    return new JsonObject().put("id", id);
                }));
    }

    /**
     * A command runs in the service's lane: no other change to that service interleaves with it. A
     * dry run answers the plan instead of committing it.
     */
    private Future<JsonObject> command(JsonObject command, BiFunction<ServiceSnapshot, Instant, Plan> decide) {
        int id = command.getInteger("serviceId");
        boolean dryRun = command.getBoolean("dryRun", false);
        return lanes.submit(id, () -> load(id).compose(record -> {
            ServiceSnapshot snapshot = record.snapshot(config.shutdownAction());
            Plan plan = decide.apply(snapshot, clock.instant());
            if (dryRun) {
                return Future.succeededFuture(PlanView.of(snapshot, plan));
            }
            return commitAndCall(record, snapshot, plan).map(v -> new JsonObject().put("id", id));
        }));
    }

    /** add_role stores the validated role (PENDING); the next plan deploys it (states.md §11.1). */
    private Future<JsonObject> addRole(int id, ObjectNode role) {
        return lanes.submit(id, () -> load(id).compose(record -> {
            ServiceSnapshot snapshot = record.snapshot(config.shutdownAction());
            Planner.checkCanModifyRoles(snapshot);
            TemplateValidator.validateRoleSchema(role, config.maxCardinality());
            String name = role.get("name").asText();
            if (snapshot.role(name).isPresent()) {
                throw new ConflictException("Role " + name + " already exists", snapshot.state().name());
            }
            for (JsonNode parent : role.path("parents")) {
                if (snapshot.role(parent.asText()).isEmpty()) {
                    throw new ValidationException("parents", "Role '" + name + "' has unknown parent '"
                            + parent.asText() + "'");
                }
            }
            if (!role.has("cooldown")) {
                role.put("cooldown", record.body().path("cooldown").asInt(config.defaultCooldown()));
            }
            if (!role.has("on_hold")) {
                role.put("on_hold", false);
            }
            return services.addRole(id, role, List.of(ServiceEvent.info("add_role " + name)));
        })).map(v -> {
            wake(id);
            return new JsonObject().put("id", id);
        });
    }

    /**
     * A role action (or, without a role, the action on every role): batches of {@code number} VMs
     * every {@code period} seconds over the role's current VMs, persisted and driven by the timer.
     */
    private Future<JsonObject> roleAction(JsonObject command) {
        int id = command.getInteger("serviceId");
        String roleName = command.getString("role");
        String action = command.getString("action");
        String args = command.getString("args");
        int number = command.getInteger("number");
        int period = command.getInteger("period");
        // Flotilla's extension for the UI's per-VM actions: only these VMs of the role.
        java.util.Set<Integer> only = command.getJsonArray("vmIds") == null ? null
                : new java.util.HashSet<>(command.getJsonArray("vmIds").stream().map(v -> ((Number) v).intValue()).toList());
        return lanes.submit(id, () -> load(id).compose(record -> {
            Instant now = clock.instant();
            List<RoleRecord> roles;
            if (roleName != null) {
                RoleRecord role = record.role(roleName);
                if (role == null) {
                    throw new UnknownRoleException("Role '" + roleName + "' not found");
                }
                if (role.state() == RoleState.DONE) {
                    throw new ConflictException("Role " + roleName + " is in DONE state", role.state().name());
                }
                roles = List.of(role);
            } else {
                roles = record.roles().stream().filter(r -> r.state() != RoleState.DONE).toList();
            }
            if (only != null) {
                java.util.Set<Integer> unknown = new java.util.TreeSet<>(only);
                roles.forEach(role -> role.members().forEach(vm -> unknown.remove(vm.vmId())));
                if (!unknown.isEmpty()) {
                    throw new ValidationException("action.params.vm_ids", "VM(s) " + unknown + " are not VMs of "
                            + (roleName == null ? "service " + id : "role " + roleName));
                }
            }
            Map<String, List<RoleActions.Batch>> schedule = new LinkedHashMap<>();
            List<RoleActionStore.NewBatch> batches = new ArrayList<>();
            for (RoleRecord role : roles) {
                List<Integer> vmIds = role.members().stream().map(VmSnapshot::vmId).filter(Objects::nonNull)
                        .filter(vm -> only == null || only.contains(vm)).toList();
                schedule.put(role.name(), RoleActions.schedule(vmIds, number, period, now));
                if (!vmIds.isEmpty()) {
                    batches.add(new RoleActionStore.NewBatch(id, role.name(), action, args, number, period, vmIds, now));
                }
            }
            if (command.getBoolean("dryRun", false)) {
                return Future.succeededFuture(PlanView.of(action, schedule));
            }
            return actions.insert(batches).compose(ids -> {
                List<ServiceEvent> events = new ArrayList<>();
                for (int i = 0; i < batches.size(); i++) {
                    RoleActionStore.NewBatch b = batches.get(i);
                    int count = schedule.get(b.role()).size();
                    events.add(ServiceEvent.vm('I', b.role(), "Role " + b.role() + ": action " + action
                            + (args == null ? "" : " (" + args + ")") + " on VMs " + b.vmIds() + " in " + count
                            + " batch(es)" + (count > 1 ? " of " + number + " every " + period + " s" : "")
                            + "; sched action " + ids.get(i)));
                }
                return services.appendEvents(id, events);
            }).onSuccess(publisher::publish).map(v -> new JsonObject().put("id", id));
        }));
    }

    private Future<ServiceRecord> load(int id) {
        return services.findForEngine(id).compose(found -> found.map(Future::succeededFuture)
                .orElseGet(() -> Future.failedFuture(OperationException.notFound(
                        "[one.document.info] Error getting document [" + id + "]."))));
    }

    // ---- the reconcile pipeline -----------------------------------------------------------------

    private Future<Void> reconcile(int id) {
        return services.findForEngine(id).compose((Optional<ServiceRecord> found) -> {
            if (found.isEmpty()) {
                return Future.succeededFuture();
            }
            ServiceRecord record = found.get();
            // Decide purely from the snapshot and the current time.
            ServiceSnapshot snapshot = record.snapshot(config.shutdownAction());
            Plan plan = planner.plan(snapshot, clock.instant());
            return commitAndCall(record, snapshot, plan);
        });
    }

    /** Intent first: the plan is committed before any driver call, so a crash never loses or repeats a VM. */
    private Future<Void> commitAndCall(ServiceRecord record, ServiceSnapshot snapshot, Plan plan) {
        Future<List<EventRecord>> committed = plan.changesStore()
                ? services.apply(snapshot, plan) : Future.succeededFuture(List.of());
        return committed
                .onSuccess(events -> {
                    logTransitions(snapshot, plan);
                    publisher.publish(events);
                })
                // Then act: driver calls; results that change the plan's inputs wake the service again.
                .compose(events -> callDriver(record, plan.driverCalls()))
                .map(needsAnotherLook -> {
                    if (needsAnotherLook) {
                        wake(record.meta().id());
                    }
                    return null;
                });
    }

    private Future<Boolean> callDriver(ServiceRecord record, List<DriverCall> calls) {
        if (calls.isEmpty()) {
            return Future.succeededFuture(false);
        }
        List<DriverCall.Create> creates = new ArrayList<>();
        List<Future<Boolean>> results = new ArrayList<>();
        for (DriverCall call : calls) {
            if (call instanceof DriverCall.Create create) {
                creates.add(create);
            } else if (call instanceof DriverCall.Terminate terminate) {
                results.add(terminate(record, terminate));
            } else if (call instanceof DriverCall.Release release) {
                results.add(release(record, release));
            } else if (call instanceof DriverCall.Resume resume) {
                results.add(resume(record, resume));
            }
        }
        if (!creates.isEmpty()) {
            results.add(create(record, creates));
        }
        return Future.join(results).transform(ar -> Future.succeededFuture(
                results.stream().anyMatch(f -> Boolean.TRUE.equals(f.result()))));
    }

    /**
     * Creates the planned VMs in one driver call and records their ids in one statement. A refused
     * VM is recorded with the cloud's message (the planner fails the role); if the cloud could not
     * be asked at all, the rows stay unconfirmed and the next resync asks again with the same keys.
     */
    private Future<Boolean> create(ServiceRecord record, List<DriverCall.Create> calls) {
        int id = record.meta().id();
        List<VmRequest> requests = calls.stream().map(call -> {
            JsonNode contents = Optional.ofNullable(record.role(call.roleName()))
                    .map(r -> r.body().get("template_contents")).orElse(null);
            return new VmRequest(call.requestKey(), call.templateId(), call.vmName(), call.hold(), id,
                    call.roleName(), contents instanceof ObjectNode o ? o : null);
        }).toList();
        return driver.instantiate(requests).compose(results -> {
            List<String> keys = new ArrayList<>();
            List<Integer> vmIds = new ArrayList<>();
            List<Future<?>> failures = new ArrayList<>();
            for (int i = 0; i < results.size(); i++) {
                CloudDriver.Instantiated result = results.get(i);
                DriverCall.Create call = calls.get(i);
                if (result.error() == null) {
                    keys.add(result.requestKey());
                    vmIds.add(result.vmId());
                } else {
                    String message = "Error instantiating VM Template " + call.templateId() + " in Role "
                            + call.roleName() + ": " + result.error();
                    LOG.warn("service={} role={} {}", id, call.roleName(), message);
                    failures.add(services.recordCreateFailed(call.requestKey(), result.error())
                            .compose(v -> services.appendEvents(id, List.of(ServiceEvent.vm('E', call.roleName(),
                                    message))))
                            .onSuccess(publisher::publish));
                }
            }
            return Future.all(services.recordCreated(keys, vmIds), Future.all(failures))
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
    private Future<Boolean> terminate(ServiceRecord record, DriverCall.Terminate call) {
        int id = record.meta().id();
        return driver.terminate(call.requestKey(), call.vmId(), call.hard()).compose(outcome -> switch (outcome) {
            case TERMINATING -> services.recordTerminateSent(call.requestKey(), call.vmId()).map(false);
            case NOT_FOUND -> services.recordNeverCreated(call.requestKey()).map(true);
        }).recover(e -> {
            String vm = call.vmId() == null ? call.requestKey() : Integer.toString(call.vmId());
            if (!(e instanceof CloudRefusedException)) {
                LOG.warn("service={} terminate of VM {} not sent, will retry: {}", id, vm, e.getMessage());
                return Future.succeededFuture(false);
            }
            String message = "Terminate failed for VM " + vm + ": " + e.getMessage();
            LOG.warn("service={} {}", id, message);
            return services.recordTerminateFailed(call.requestKey(), e.getMessage())
                    .compose(v -> services.appendEvents(id, List.of(new ServiceEvent("vm", 'E', message, Map.of()))))
                    .onSuccess(publisher::publish)
                    .map(true);
        });
    }

    private Future<Boolean> release(ServiceRecord record, DriverCall.Release call) {
        return driver.release(call.requestKey(), call.vmId())
                .compose(v -> services.recordReleaseSent(call.requestKey()).map(false))
                .recover(e -> logVmActionFailure(record, "release", call.requestKey(), call.vmId(), e));
    }

    private Future<Boolean> resume(ServiceRecord record, DriverCall.Resume call) {
        return driver.resume(call.requestKey(), call.vmId()).map(false)
                .recover(e -> logVmActionFailure(record, "resume", call.requestKey(), call.vmId(), e));
    }

    private Future<Boolean> logVmActionFailure(ServiceRecord record, String action, String key, Integer vmId,
                                               Throwable e) {
        int id = record.meta().id();
        String message = "Action " + action + " failed for VM " + (vmId == null ? key : vmId) + ": " + e.getMessage();
        LOG.warn("service={} {}", id, message);
        return services.appendEvents(id, List.of(new ServiceEvent("vm", 'E', message, Map.of())))
                .onSuccess(publisher::publish).map(false);
    }

    private void logTransitions(ServiceSnapshot snapshot, Plan plan) {
        if (plan.states().serviceState() != snapshot.state()) {
            LOG.info("service={} state {} -> {}", snapshot.id(), snapshot.state(), plan.states().serviceState());
        }
        plan.states().roleStates().forEach((role, state) ->
                LOG.info("service={} role={} state -> {}", snapshot.id(), role, state));
    }

}
