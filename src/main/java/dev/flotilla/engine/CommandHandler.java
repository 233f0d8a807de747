package dev.flotilla.engine;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.flotilla.OperationException;
import dev.flotilla.bus.CommandReply;
import dev.flotilla.bus.CommandRequest;
import dev.flotilla.config.FlotillaConfig;
import dev.flotilla.domain.Command;
import dev.flotilla.domain.Deployment;
import dev.flotilla.domain.DocumentChange;
import dev.flotilla.domain.Instantiation;
import dev.flotilla.domain.Plan;
import dev.flotilla.domain.Planner;
import dev.flotilla.domain.RoleActions;
import dev.flotilla.domain.RoleRules;
import dev.flotilla.cluster.Membership;
import dev.flotilla.domain.RoleSnapshot;
import dev.flotilla.store.LeaseStore;
import dev.flotilla.domain.ServiceNetworks;
import dev.flotilla.domain.RoleState;
import dev.flotilla.domain.ServiceEdit;
import dev.flotilla.domain.ServiceEvent;
import dev.flotilla.domain.ServiceSnapshot;
import dev.flotilla.domain.ServiceState;
import dev.flotilla.domain.TemplateValidator;
import dev.flotilla.domain.ValidationException;
import dev.flotilla.json.Json;
import dev.flotilla.store.DocumentAdmin;
import dev.flotilla.store.EventLog;
import dev.flotilla.store.EventRecord;
import dev.flotilla.store.OperationJournal;
import dev.flotilla.store.PlanWriter;
import dev.flotilla.store.RoleActionStore;
import dev.flotilla.store.ServiceRecord;
import dev.flotilla.store.ServiceRepository;
import dev.flotilla.store.TemplateRecord;
import dev.flotilla.store.TemplateStore;
import dev.flotilla.store.Tx;
import dev.flotilla.view.Documents;
import io.vertx.core.Future;
import io.vertx.core.Promise;
import io.vertx.sqlclient.Pool;

import java.time.Clock;
import java.time.Instant;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.function.Function;
import java.util.function.Supplier;

/**
 * Runs the commands clients send: each decided by the domain's rules on a fresh snapshot (in the
 * service's lane when it has one), then its effect, its journal row and its events committed in
 * one transaction, and only then answered. The first plan step a command leads to is part of the
 * same transaction, so a read right after the answer shows it (add_role answers with the service
 * DEPLOYING). A retried Idempotency-Key finds the journal row and gets its answer; nothing is done
 * twice, and a request whose transaction did not commit simply runs.
 */
final class CommandHandler {
    private final FlotillaConfig config;
    private final Pool pool;
    private final ServiceRepository services;
    private final PlanWriter plans;
    private final EventLog eventLog;
    private final TemplateStore templates;
    private final RoleActionStore actions;
    private final DocumentAdmin admin;
    private final Documents documents;
    private final OperationJournal journal;
    private final Planner planner;
    private final ServiceLanes lanes;
    private final Reconciler reconciler;
    private final Clock clock;
    private final ServiceIds serviceIds;
    private final Membership membership;

    CommandHandler(FlotillaConfig config, Pool pool, ServiceRepository services, PlanWriter plans,
                   EventLog eventLog, TemplateStore templates, RoleActionStore actions, DocumentAdmin admin,
                   OperationJournal journal, Planner planner, ServiceLanes lanes, Reconciler reconciler,
                   Clock clock, Membership membership) {
        this.membership = membership;
        this.config = config;
        this.pool = pool;
        this.services = services;
        this.plans = plans;
        this.eventLog = eventLog;
        this.templates = templates;
        this.actions = actions;
        this.admin = admin;
        this.documents = new Documents(config.defaultCooldown());
        this.journal = journal;
        this.planner = planner;
        this.lanes = lanes;
        this.reconciler = reconciler;
        this.clock = clock;
        this.serviceIds = new ServiceIds(services);
    }

    private LeaseStore.Fence fence() {
        return new LeaseStore.Fence(membership.nodeId(), membership.epoch());
    }

    /** The answer, and what is left to do once it is sent (driver calls, publishing the events). */
    private record Outcome(CommandReply reply, Supplier<Future<?>> afterwards) {
        static Outcome of(CommandReply reply) {
            return new Outcome(reply, Future::succeededFuture);
        }
    }

    Future<CommandReply> handle(CommandRequest request) {
        Command command = request.command();
        if (command instanceof Command.OnService c) {
            return inLane(c.serviceId(), () -> once(request, () -> onService(request, c)));
        }
        Promise<CommandReply> reply = Promise.promise();
        once(request, () -> run(request, command))
                .onSuccess(outcome -> reply.complete(outcome.reply()))
                .onFailure(reply::fail)
                .onSuccess(outcome -> outcome.afterwards().get());
        return reply.future();
    }

    /** Runs {@code work} in the service's lane; the answer leaves as soon as it is committed. */
    private Future<CommandReply> inLane(int serviceId, Supplier<Future<Outcome>> work) {
        Promise<CommandReply> reply = Promise.promise();
        lanes.submit(serviceId, () -> work.get()
                .onSuccess(outcome -> reply.complete(outcome.reply()))
                .onFailure(reply::fail)
                .compose(outcome -> outcome.afterwards().get())
                .recover(e -> Future.succeededFuture()));
        return reply.future();
    }

    // ---- exactly once ----------------------------------------------------------------------------

    /** A keyed request runs only when the journal has no answer for its key. */
    private Future<Outcome> once(CommandRequest request, Supplier<Future<Outcome>> run) {
        String key = request.idempotencyKey();
        if (key == null || request.command().dryRun()) {
            return run.get();
        }
        return journal.find(key).compose(found -> found.isPresent() ? replay(request, found.get())
                : run.get().recover(e -> OperationJournal.isDuplicateKey(e)
                // Another request with this key committed first (it held the key's row): its answer is ours.
                ? journal.find(key).compose(first -> replay(request, first.orElseThrow()))
                : Future.failedFuture(e)));
    }

    private static Future<Outcome> replay(CommandRequest request, OperationJournal.Answered answered) {
        if (answered.uid() != request.uid() || !answered.requestHash().equals(request.requestHash())) {
            return Future.failedFuture(new OperationException(409, "idempotency_key_reused",
                    "This Idempotency-Key was used for a different request", Map.of("field", "Idempotency-Key")));
        }
        return Future.succeededFuture(Outcome.of(CommandReply.of(answered.status(), answered.body()).replayed(true)));
    }

    /** What a command's transaction wrote, and the answer it commits with. */
    private record Done<T>(T value, CommandReply reply) {
        static <T> Done<T> noContent(T value) {
            return new Done<>(value, CommandReply.noContent());
        }
    }

    /** The effect, its answer and its journal row, in one transaction. */
    private <T> Future<Done<T>> commit(CommandRequest request, Integer serviceId, Integer templateId,
                                       Function<Tx, Future<Done<T>>> effect) {
        return Tx.run(pool, tx -> effect.apply(tx).compose(done -> journal.record(tx, new OperationJournal.Entry(
                request.command().kind(), serviceId, templateId, request.uid(), Json.MAPPER.valueToTree(request.command()),
                request.idempotencyKey(), request.requestHash(), done.reply().status(),
                // Only a keyed request's answer is ever replayed.
                request.idempotencyKey() == null ? null : done.reply().body()))
                .map(done)))
                .onSuccess(done -> {
                    if (serviceId != null) {
                        reconciler.changed(List.of(serviceId));
                    }
                    FaultPoint.afterCommit(request.command().kind());
                });
    }

    // ---- commands on a service ------------------------------------------------------------------

    private Future<Outcome> onService(CommandRequest request, Command.OnService command) {
        int id = command.serviceId();
        // PUT compares against the BODY clients see, log included.
        Future<Optional<ServiceRecord>> read = command instanceof Command.UpdateService
                ? services.find(id) : services.findForEngine(id);
        return read.compose(found -> {
            ServiceRecord record = found.orElseThrow(() -> notFound(id));
            ServiceSnapshot snapshot = record.snapshot(config.shutdownAction());
            Instant now = clock.instant();
            if (command instanceof Command.Undeploy) {
                return planned(request, record, snapshot, planner.undeploy(snapshot, now));
            } else if (command instanceof Command.Recover c) {
                return planned(request, record, snapshot,
                        c.delete() ? planner.forceDelete(snapshot, now) : planner.recover(snapshot, now));
            } else if (command instanceof Command.Release) {
                return planned(request, record, snapshot, planner.release(snapshot, now));
            } else if (command instanceof Command.Scale c) {
                return planned(request, record, snapshot,
                        planner.scale(snapshot, now, c.role(), c.cardinality(), c.force()));
            } else if (command instanceof Command.RemoveRole c) {
                return planned(request, record, snapshot, planner.removeRole(snapshot, now, c.role()));
            } else if (command instanceof Command.AddRole c) {
                return addRole(request, record, snapshot, c, now);
            } else if (command instanceof Command.RoleAction c) {
                return roleAction(request, snapshot, c, now);
            } else if (command instanceof Command.CancelAction c) {
                return commit(request, id, null, tx -> actions.cancel(tx, c.schedId(), id, c.role())
                        .compose(cancelled -> !cancelled ? Future.succeededFuture(List.<EventRecord>of())
                                : eventLog.appendEvents(tx, id, List.of(ServiceEvent.info("Sched action " + c.schedId()
                                + " cancelled; the batches not yet run will not run"))))
                        .map(Done::noContent))
                        .map(done -> new Outcome(done.reply(), () -> {
                            reconciler.publish(done.value());
                            return Future.succeededFuture();
                        }));
            } else if (command instanceof Command.UpdateService c) {
                ServiceEdit.Result edit = ServiceEdit.apply(record.state(), record.body(),
                        record.oneFlowBody(config.defaultCooldown()), c.request(), config.maxCardinality());
                return commit(request, id, null, tx -> services.claimVersion(tx, id, record.version(), fence())
                        .compose(v -> services.updateBodies(tx, id, edit.serviceBody(), edit.roleBodies()))
                        .map(Done::noContent))
                        .map(done -> Outcome.of(done.reply()));
            } else if (command instanceof Command.ChangeService c) {
                List<Integer> vmIds = snapshot.roles().stream().flatMap(r -> r.vms().stream())
                        .map(dev.flotilla.domain.VmSnapshot::vmId).filter(java.util.Objects::nonNull).toList();
                return change(request, DocumentAdmin.Kind.SERVICE, id, c.change(), vmIds);
            }
            throw new IllegalArgumentException("not a service command: " + command.kind());
        });
    }

    /** A command whose effect is a plan: committed, answered, then its driver calls are made. */
    private Future<Outcome> planned(CommandRequest request, ServiceRecord record, ServiceSnapshot snapshot, Plan plan) {
        if (request.command().dryRun()) {
            return Future.succeededFuture(Outcome.of(CommandReply.of(200, Json.parse(PlanView.of(snapshot, plan)
                    .encode()))));
        }
        String trigger = "command:" + request.command().kind();
        return commit(request, snapshot.id(), null, tx -> plans.apply(tx, snapshot, plan).map(Done::noContent))
                .map(done -> new Outcome(done.reply(), () -> reconciler.afterCommit(snapshot, plan, done.value(),
                        Reconciler.owner(record), record::templateContents, trigger)));
    }

    /** add_role stores the role and the service's next step with it: the answer finds it DEPLOYING. */
    private Future<Outcome> addRole(CommandRequest request, ServiceRecord record, ServiceSnapshot snapshot,
                                    Command.AddRole command, Instant now) {
        ObjectNode role = command.role().deepCopy();
        RoleRules.checkNewRole(snapshot, record.body(), role, config.maxCardinality(), config.defaultCooldown());
        String name = role.get("name").asText();
        List<String> parents = new ArrayList<>();
        role.path("parents").forEach(p -> parents.add(p.asText()));
        RoleSnapshot added = RoleRules.snapshot(name, RoleState.PENDING, role.path("cardinality").asInt(0),
                role.get("template_id").asInt(), parents, 0, role, record.body(), config.shutdownAction(), false,
                List.of());
        ServiceSnapshot after = snapshot.withRole(added);
        Plan plan = planner.plan(after, now);
        Function<String, JsonNode> contents = r -> r.equals(name)
                ? ServiceNetworks.fillNics(role.get("template_contents"), record.networkIds())
                : record.templateContents(r);
        return commit(request, snapshot.id(), null, tx -> services.addRole(tx, snapshot.id(), role)
                .compose(v -> eventLog.appendEvents(tx, snapshot.id(), List.of(ServiceEvent.info("add_role " + name))))
                .compose(first -> plans.apply(tx, after, plan).map(rest -> Done.noContent(concat(first, rest)))))
                .map(done -> new Outcome(done.reply(), () -> reconciler.afterCommit(after, plan, done.value(),
                        Reconciler.owner(record), contents, "command:add_role")));
    }

    /**
     * A role action: batches of {@code number} VMs every {@code period} seconds over the VMs the
     * role has now, stored for the batch timer; each role's schedule is a line in the log.
     */
    private Future<Outcome> roleAction(CommandRequest request, ServiceSnapshot snapshot, Command.RoleAction command,
                                       Instant now) {
        int id = snapshot.id();
        Map<String, List<RoleActions.Batch>> schedule = new LinkedHashMap<>();
        List<RoleActionStore.NewBatch> batches = new ArrayList<>();
        for (RoleRules.Target target : RoleRules.actionTargets(snapshot, command.role(), command.vmIds())) {
            schedule.put(target.role(), RoleActions.schedule(target.vmIds(), command.number(), command.period(), now));
            if (!target.vmIds().isEmpty()) {
                batches.add(new RoleActionStore.NewBatch(id, target.role(), command.action(), command.args(),
                        command.number(), command.period(), target.vmIds(), now));
            }
        }
        if (command.dryRun()) {
            return Future.succeededFuture(Outcome.of(CommandReply.of(200, Json.parse(
                    PlanView.of(command.action(), schedule).encode()))));
        }
        return commit(request, id, null, tx -> actions.insert(tx, batches).compose(ids -> {
            List<ServiceEvent> events = new ArrayList<>();
            for (int i = 0; i < batches.size(); i++) {
                RoleActionStore.NewBatch b = batches.get(i);
                events.add(RoleActions.scheduledEvent(b.role(), command.action(), command.args(), b.vmIds(),
                        schedule.get(b.role()).size(), command.number(), command.period(), ids.get(i)));
            }
            return eventLog.appendEvents(tx, id, events).map(Done::noContent);
        })).map(done -> new Outcome(done.reply(), () -> {
            reconciler.publish(done.value());
            return Future.succeededFuture();
        }));
    }

    // ---- commands without a service yet -----------------------------------------------------------

    private Future<Outcome> run(CommandRequest request, Command command) {
        if (command instanceof Command.Instantiate c) {
            return instantiate(request, c);
        } else if (command instanceof Command.PurgeDone) {
            return commit(request, null, null, tx -> services.purgeDone(tx, 0, request.caller()).map(Done::noContent))
                    .map(done -> {
                        reconciler.changed(done.value());
                        return Outcome.of(done.reply());
                    });
        } else if (command instanceof Command.CreateTemplate c) {
            ObjectNode body = c.body().deepCopy();
            TemplateValidator.validateTemplate(body, config.maxCardinality());
            body.put("registration_time", clock.instant().getEpochSecond());
            return createTemplate(request, null, body);
        } else if (command instanceof Command.ReplaceTemplate c) {
            return template(c.templateId()).compose(existing -> replaceTemplate(request, existing, c));
        } else if (command instanceof Command.DeleteTemplate c) {
            return template(c.templateId()).compose(existing -> commit(request, null, c.templateId(),
                    tx -> templates.delete(tx, c.templateId()).map(Done::noContent)))
                    .map(done -> Outcome.of(done.reply()));
        } else if (command instanceof Command.CloneTemplate c) {
            TemplateValidator.checkName(c.name(), "name");
            return template(c.templateId()).compose(original -> {
                ObjectNode body = original.body().deepCopy();
                body.put("name", c.name());
                body.put("registration_time", clock.instant().getEpochSecond());
                return createTemplate(request, c.templateId(), body);
            });
        } else if (command instanceof Command.ChangeTemplate c) {
            return template(c.templateId()).compose(t -> change(request, DocumentAdmin.Kind.TEMPLATE,
                    c.templateId(), c.change(), List.of()));
        }
        throw new IllegalArgumentException("unknown command " + command.kind());
    }

    /**
     * A new service and its first plan step in one transaction: it is answered already DEPLOYING
     * (or HOLD), with its VM rows and their request keys stored before any VM is created.
     */
    private Future<Outcome> instantiate(CommandRequest request, Command.Instantiate command) {
        return template(command.templateId()).compose(template -> {
            ObjectNode body = Instantiation.serviceBody(template.body(), command.mergeTemplate(),
                    config.maxCardinality());
            for (JsonNode role : body.withArray("roles")) {
                RoleRules.fillDefaults((ObjectNode) role, body, config.defaultCooldown());
            }
            return serviceIds.next().compose(id -> inLaneOutcome(id, () -> {
                List<RoleSnapshot> roles = new ArrayList<>();
                Map<String, JsonNode> contents = new LinkedHashMap<>();
                // Existing networks (networks_values with id) fill the NICs at once; made ones once made.
                Map<String, Integer> networkIds = ServiceNetworks.ids(ServiceNetworks.declared(body), List.of());
                for (JsonNode role : body.withArray("roles")) {
                    List<String> parents = new ArrayList<>();
                    role.path("parents").forEach(p -> parents.add(p.asText()));
                    String name = role.get("name").asText();
                    contents.put(name, ServiceNetworks.fillNics(role.get("template_contents"), networkIds));
                    roles.add(RoleRules.snapshot(name, RoleState.PENDING, role.get("cardinality").asInt(),
                            role.get("template_id").asInt(), parents, 0, role, body, config.shutdownAction(), false,
                            List.of()));
                }
                ServiceSnapshot snapshot = ServiceSnapshot.of(id, body.path("name").asText(), ServiceState.PENDING,
                        Deployment.of(body.path("deployment").asText("none")), body, null, 0, false, false, roles,
                        List.of());
                Plan plan = planner.plan(snapshot, clock.instant());
                ServiceEvent created = ServiceEvent.info("Service created from template " + command.templateId()
                        + "; new state: PENDING");
                // A new service is the node's that made it.
                membership.adopt(id);
                return commit(request, id, command.templateId(), tx -> services
                        .create(tx, id, request.uid(), request.gid(), ServiceState.PENDING, body, fence())
                        .compose(v -> eventLog.appendEvents(tx, id, List.of(created)))
                        .compose(first -> plans.apply(tx, snapshot, plan).map(rest -> concat(first, rest)))
                        .compose(events -> shownService(request, tx, id, 201).map(reply -> new Done<>(events, reply))))
                        .map(done -> new Outcome(done.reply(), () -> reconciler.afterCommit(snapshot, plan,
                                done.value(), new DriverCalls.Owner(request.user(), request.gid()), contents::get,
                                "command:instantiate")));
            }));
        });
    }

    /** Like {@link #inLane} for a caller that wants the outcome itself (the lane runs the rest). */
    private Future<Outcome> inLaneOutcome(int serviceId, Supplier<Future<Outcome>> work) {
        Promise<Outcome> answered = Promise.promise();
        lanes.submit(serviceId, () -> work.get()
                .onSuccess(outcome -> answered.complete(new Outcome(outcome.reply(), Future::succeededFuture)))
                .onFailure(answered::fail)
                .compose(outcome -> outcome.afterwards().get())
                .recover(e -> Future.succeededFuture()));
        return answered.future();
    }

    // ---- templates and documents ----------------------------------------------------------------

    /** A new template (from {@code from} for a clone), answered with its document as committed. */
    private Future<Outcome> createTemplate(CommandRequest request, Integer from, ObjectNode body) {
        return commit(request, null, from, tx -> templates.create(tx, request.uid(), request.gid(),
                        body.get("name").asText(), body)
                .compose(id -> shownTemplate(request, tx, id, 201)))
                .map(done -> Outcome.of(done.reply()));
    }

    /**
     * The answer that shows a document: for a keyed request the document itself, read in the
     * command's transaction and journaled with it (a retry gets these very bytes); otherwise only
     * which document, for the API to read once the commit is done.
     */
    private Future<Done<Integer>> shownTemplate(CommandRequest request, Tx tx, int id, int status) {
        if (request.idempotencyKey() == null) {
            return Future.succeededFuture(new Done<>(id, CommandReply.showing(status, "template", id)));
        }
        return templates.find(tx, id).map(t -> new Done<>(id, CommandReply.of(status,
                documents.template(t.orElseThrow()))));
    }

    private Future<CommandReply> shownService(CommandRequest request, Tx tx, int id, int status) {
        // Read in the command's transaction (as committed, and no read of its own after the commit).
        return services.find(tx, id).map(s -> CommandReply.of(status, documents.service(s.orElseThrow())));
    }

    /** The document NAME is kept (rename changes it); {@code registration_time} may not change. */
    private Future<Outcome> replaceTemplate(CommandRequest request, TemplateRecord existing,
                                            Command.ReplaceTemplate command) {
        ObjectNode body = command.body().deepCopy();
        if (command.append()) {
            ObjectNode merged = existing.body().deepCopy();
            merged.setAll(body);
            body = merged;
        }
        JsonNode stored = existing.body().get("registration_time");
        JsonNode given = body.get("registration_time");
        if (given != null && (stored == null || given.asLong() != stored.asLong())) {
            throw new ValidationException("registration_time",
                    "Immutable value: `service_template/registration_time` can not be changed");
        }
        TemplateValidator.validateTemplate(body, config.maxCardinality());
        if (stored != null) {
            body.set("registration_time", stored);
        }
        ObjectNode validated = body;
        int id = existing.meta().id();
        return commit(request, null, id, tx -> templates.updateBody(tx, id, validated)
                .compose(v -> shownTemplate(request, tx, id, 200)))
                .map(done -> Outcome.of(done.reply()));
    }

    /** chown, chgrp, chmod or rename of a service or a template; a new owner or group must exist. */
    /** A chown of a service gives its VMs the new owner and group too (in the cloud, after the commit). */
    private Future<Outcome> change(CommandRequest request, DocumentAdmin.Kind kind, int id, DocumentChange change,
                                   List<Integer> vmIds) {
        Integer serviceId = kind == DocumentAdmin.Kind.SERVICE ? id : null;
        Integer templateId = kind == DocumentAdmin.Kind.TEMPLATE ? id : null;
        Future<Void> checked = Future.succeededFuture();
        if (change instanceof DocumentChange.Chown c) {
            checked = checkOwner(c.uid(), c.gid());
        }
        return checked.compose(v -> commit(request, serviceId, templateId, tx -> {
            Future<Boolean> changed;
            if (change instanceof DocumentChange.Chown c) {
                changed = admin.chown(tx, kind, id, c.uid(), c.gid());
            } else if (change instanceof DocumentChange.Chmod c) {
                changed = admin.chmod(tx, kind, id, c.permissions());
            } else {
                changed = admin.rename(tx, kind, id, ((DocumentChange.Rename) change).name());
            }
            return changed.map(Done::noContent);
        })).map(done -> new Outcome(done.reply(), () -> {
            if (serviceId != null && !(change instanceof DocumentChange.Rename)) {
                reconciler.ownerChanged(serviceId);
            }
            // The service's VMs and the networks it made follow it (the networks are looked up there).
            return change instanceof DocumentChange.Chown c && serviceId != null
                    ? reconciler.chownVms(id, vmIds, c.uid(), c.gid()) : Future.succeededFuture();
        }));
    }

    private Future<Void> checkOwner(int uid, int gid) {
        Future<Void> user = uid < 0 ? Future.succeededFuture() : admin.userGroup(uid).compose(found -> found.isPresent()
                ? Future.succeededFuture()
                : Future.failedFuture(OperationException.notFound("[one.user.info] User " + uid + " does not exist")));
        return user.compose(v -> gid < 0 ? Future.succeededFuture() : admin.groupExists(gid).compose(exists -> exists
                ? Future.<Void>succeededFuture()
                : Future.failedFuture(OperationException.notFound("[one.group.info] Group " + gid + " does not exist"))));
    }

    private Future<TemplateRecord> template(int id) {
        return templates.find(id).map(found -> found.orElseThrow(() -> notFound(id)));
    }

    private static OperationException notFound(int id) {
        return OperationException.notFound("[one.document.info] Error getting document [" + id + "].");
    }

    private static List<EventRecord> concat(List<EventRecord> first, List<EventRecord> rest) {
        List<EventRecord> all = new ArrayList<>(first);
        all.addAll(rest);
        return all;
    }
}
