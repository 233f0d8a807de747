package dev.flotilla.api;

import dev.flotilla.web.RequestJson;
import dev.flotilla.web.Http;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.flotilla.OperationException;
import dev.flotilla.view.Documents;
import dev.flotilla.domain.Command;
import dev.flotilla.domain.RoleActions;
import dev.flotilla.domain.ServiceState;
import dev.flotilla.json.Json;
import dev.flotilla.store.AutoscalerStore;
import dev.flotilla.store.ServiceRecord;
import dev.flotilla.store.ServiceRepository;
import io.vertx.core.Future;
import dev.flotilla.api.Authorizer.Decision;
import dev.flotilla.store.DocumentAdmin.Kind;
import io.vertx.ext.web.Router;
import io.vertx.ext.web.RoutingContext;

import java.util.ArrayList;
import java.util.List;
import java.util.TreeSet;

import static io.vertx.core.http.HttpMethod.DELETE;
import static io.vertx.core.http.HttpMethod.GET;
import static io.vertx.core.http.HttpMethod.POST;
import static io.vertx.core.http.HttpMethod.PUT;

/** {@code /service} routes (api.md §5). Reads go to the store; every change goes to the engine. */
final class ServiceRoutes {
    private final ServiceRepository services;
    private final DocumentCache cache;
    private final EngineClient engine;
    private final Documents documents;
    private final Answers answers;
    private final AutoscalerStore autoscaler;
    private final int defaultActionNumber;
    private final int defaultActionPeriod;
    private final int maxCardinality;

    ServiceRoutes(ServiceRepository services, DocumentCache cache, EngineClient engine, Documents documents,
                  Answers answers, AutoscalerStore autoscaler, int defaultActionNumber, int defaultActionPeriod,
                  int maxCardinality) {
        this.cache = cache;
        this.maxCardinality = maxCardinality;
        this.autoscaler = autoscaler;
        this.services = services;
        this.engine = engine;
        this.documents = documents;
        this.answers = answers;
        this.defaultActionNumber = defaultActionNumber;
        this.defaultActionPeriod = defaultActionPeriod;
    }

    void mount(Router router, Authorizer auth) {
        Decision use = Decision.use(Kind.SERVICE);
        Decision manage = Decision.manage(Kind.SERVICE, "one.document.update");
        auth.mount(router, GET, "/service", Decision.signedIn(), this::list);
        auth.mount(router, GET, "/service/:id", use, this::show);
        auth.mount(router, DELETE, "/service/:id", Decision.manage(Kind.SERVICE, "one.document.delete"), this::delete);
        auth.mount(router, PUT, "/service/:id", manage, this::update);
        auth.mount(router, GET, "/service/:id/autoscaler", use, this::evaluations);
        auth.mount(router, POST, "/service/:id/action", manage, this::action);
        auth.mount(router, POST, "/service/:id/scale", manage, this::scale);
        auth.mount(router, POST, "/service/:id/role_action", manage, this::roleAction);
        auth.mount(router, POST, "/service/:id/role/:role_name/action", manage, this::roleVmAction);
        auth.mount(router, DELETE, "/service/:id/sched_action/:sched_id", manage, this::cancelAction);
        auth.mount(router, DELETE, "/service/:id/role/:role_name/sched_action/:sched_id", manage, this::cancelAction);
        // Purges the DONE services the caller may manage (all of them for oneadmin).
        auth.mount(router, POST, "/service_pool/purge_done", Decision.signedIn(), this::purgeDone);
    }

    /**
     * What the caller may USE (OneFlow's pool filter -2); {@code page}/{@code page_size} (1-based)
     * and {@code state} narrow it.
     */
    private void list(RoutingContext ctx) {
        Integer page = Http.optionalInt(ctx, "page", 1);
        Integer pageSize = Http.optionalInt(ctx, "page_size", 1);
        ServiceState state = stateFilter(ctx.queryParams().get("state"));
        int limit = pageSize == null ? Integer.MAX_VALUE : pageSize;
        long offset = pageSize == null || page == null ? 0 : (page - 1L) * pageSize;
        Identity who = ctx.get(Authenticator.IDENTITY);
        if (cache.readThrough() || Http.noCacheAsked(ctx)) {
            services.list(who.caller(), state, limit, offset)
                    .onSuccess(all -> Http.document(ctx, documents.servicePool(all))).onFailure(ctx::fail);
            return;
        }
        cache.list(who.caller(), state, limit, offset, services)
                .onSuccess(listing -> {
                    if (!Http.answeredNotModified(ctx, listing.tag())) {
                        listing.writeTo(ctx.response());
                    }
                }).onFailure(ctx::fail);
    }

    private static ServiceState stateFilter(String raw) {
        if (raw == null || raw.isBlank()) {
            return null;
        }
        try {
            return ServiceState.ofNumber(Integer.parseInt(raw.trim()));
        } catch (NumberFormatException e) {
            return ServiceState.byName(raw.trim()).orElseThrow(() ->
                    OperationException.badRequest("state", "Unknown service state '" + raw + "'"));
        } catch (IllegalArgumentException e) {
            throw OperationException.badRequest("state", "Unknown service state '" + raw + "'");
        }
    }

    /** From the document cache; {@code Cache-Control: no-cache} reads PostgreSQL and leaves the cache alone. */
    private void show(RoutingContext ctx) {
        int id = Http.id(ctx, "id");
        if (cache.readThrough() || Http.noCacheAsked(ctx)) {
            find(id).onSuccess(s -> Http.document(ctx, documents.service(s))).onFailure(ctx::fail);
            return;
        }
        cache.document(id, services).onSuccess(e -> {
            if (e == null) {
                ctx.fail(notFound(id));
            } else {
                Http.document(ctx, DocumentCache.wrapped(e), e.tag());
            }
        }).onFailure(ctx::fail);
    }

    private void delete(RoutingContext ctx) {
        answers.after(ctx, engine.send(ctx, new Command.Undeploy(Http.id(ctx, "id"))));
    }

    /**
     * {@code recover} (with {@code delete}), {@code release}, chown/chgrp/chmod/rename, and any of
     * the 19 VM actions on every role. {@code ?dry_run=true} answers what recover or the action
     * would do, and changes nothing.
     */
    private void action(RoutingContext ctx) {
        int id = Http.id(ctx, "id");
        Http.Action action = Http.action(ctx);
        boolean dryRun = dryRun(ctx);
        // On the service, release means "release the roles on hold" (states.md §10), not the VM action.
        Command command;
        if (action.perform().equals("recover")) {
            command = new Command.Recover(id, deleteFlag(action), dryRun);
        } else if (action.perform().equals("release")) {
            command = new Command.Release(id, dryRun);
        } else if (DocumentActions.handles(action.perform())) {
            var change = DocumentActions.parse(action.perform(), action.params());
            DocumentActions.authorize(ctx, action.perform(), change);
            command = new Command.ChangeService(id, change);
        } else if (RoleActions.isAction(action.perform())) {
            command = roleAction(id, null, action, dryRun);
        } else {
            find(id).onSuccess(s -> ctx.fail(action.unsupported())).onFailure(ctx::fail);
            return;
        }
        answers.after(ctx, engine.send(ctx, command));
    }

    /** {@code POST /service/:id/role/:role_name/action}: one of the 19 VM actions, in batches. */
    private void roleVmAction(RoutingContext ctx) {
        int id = Http.id(ctx, "id");
        Http.Action action = Http.action(ctx);
        if (!RoleActions.isAction(action.perform())) {
            throw OperationException.badRequest("action.perform", "Action " + action.perform()
                    + " is not one of the role actions: " + String.join(", ", new TreeSet<>(RoleActions.NAMES)));
        }
        answers.after(ctx, engine.send(ctx, roleAction(id, ctx.pathParam("role_name"), action, dryRun(ctx))));
    }

    private Command.RoleAction roleAction(int id, String role, Http.Action action, boolean dryRun) {
        JsonNode args = action.params().get("args");
        if (args != null && !args.isNull() && !args.isTextual()) {
            throw OperationException.badRequest("action.params.args", "KEY: 'args' must be a String;");
        }
        List<Integer> vmIds = null;
        JsonNode given = action.params().get("vm_ids");
        if (given != null && !given.isNull()) {
            if (!given.isArray() || given.isEmpty()) {
                throw OperationException.badRequest("action.params.vm_ids", "KEY: 'vm_ids' must be a non-empty Array;");
            }
            vmIds = new ArrayList<>();
            for (JsonNode v : given) {
                if (!v.isIntegralNumber() || !v.canConvertToInt() || v.asInt() < 0) {
                    throw OperationException.badRequest("action.params.vm_ids", "KEY: 'vm_ids' must hold VM IDs;");
                }
                vmIds.add(v.asInt());
            }
        }
        return new Command.RoleAction(id, role, action.perform(),
                args == null || args.isNull() || args.asText().isEmpty() ? null : args.asText(),
                batchParam(action.params(), "number", defaultActionNumber),
                batchParam(action.params(), "period", defaultActionPeriod), vmIds, dryRun);
    }

    /** Missing, null and "" mean the config default (decision 3); negative counts as 0. */
    /**
     * A batch size or period: missing, null or "" is the config's default; a negative value is
     * refused, as the console refuses it (OneFlow took it as 0, "all at once", which nobody means).
     */
    private static int batchParam(JsonNode params, String key, int fallback) {
        JsonNode value = params.get(key);
        if (value == null || value.isNull() || (value.isTextual() && value.asText().isBlank())) {
            return fallback;
        }
        Integer parsed = null;
        if (value.isIntegralNumber() && value.canConvertToInt()) {
            parsed = value.asInt();
        } else if (value.isTextual() && value.asText().trim().matches("-?[0-9]{1,9}")) {
            parsed = Integer.parseInt(value.asText().trim());
        }
        if (parsed == null) {
            throw OperationException.badRequest("action.params." + key, "KEY: '" + key + "' must be an Integer;");
        }
        if (parsed < 0) {
            throw OperationException.badRequest("action.params." + key, "KEY: '" + key
                    + "' must be 0 or more (0: all at once); got " + parsed);
        }
        return parsed;
    }

    /**
     * Cancels the batches of a role action not yet run; the id is the "sched action" the service log
     * named when it was asked for. An unknown id is not an error (api.md §5.9–5.10).
     */
    private void cancelAction(RoutingContext ctx) {
        int id = Http.id(ctx, "id");
        String sched = ctx.pathParam("sched_id");
        if (!sched.matches("[0-9]{1,18}")) {
            throw OperationException.badRequest("sched_id", "Sched action ID must be an integer number");
        }
        answers.after(ctx, engine.send(ctx, new Command.CancelAction(id, ctx.pathParam("role_name"),
                Long.parseLong(sched))));
    }

    /** {@code {"role_name", "cardinality", "force"}} (api.md §5.7). */
    private void scale(RoutingContext ctx) {
        int id = Http.id(ctx, "id");
        ObjectNode body = Http.bodyObject(ctx);
        JsonNode role = body.get("role_name");
        if (role == null || !role.isTextual() || role.asText().isBlank()) {
            throw OperationException.badRequest("role_name", "KEY: 'role_name' must be a String;");
        }
        JsonNode cardinality = body.get("cardinality");
        int value;
        if (cardinality != null && cardinality.isIntegralNumber() && cardinality.canConvertToInt()) {
            value = cardinality.asInt();
        } else if (cardinality != null && cardinality.isTextual() && cardinality.asText().trim().matches("[0-9]{1,9}")) {
            value = Integer.parseInt(cardinality.asText().trim());
        } else {
            throw OperationException.badRequest("cardinality", "KEY: 'cardinality' must be an Integer;");
        }
        if (value < 0) {
            throw OperationException.badRequest("cardinality", "KEY: 'cardinality' must be greater than or equal to 0;");
        }
        // Even with force: this bounds what one request can make the server compute and create.
        if (value > maxCardinality) {
            throw OperationException.badRequest("cardinality", "KEY: 'cardinality' must be lower than or equal to "
                    + maxCardinality + " (the server's max_cardinality);");
        }
        JsonNode force = body.get("force");
        if (force != null && !force.isNull() && !force.isBoolean()) {
            throw OperationException.badRequest("force", "KEY: 'force' must be a Boolean;");
        }
        answers.after(ctx, engine.send(ctx, new Command.Scale(id, role.asText(), value,
                force != null && force.asBoolean(), dryRun(ctx))));
    }

    /** {@code add_role} (the role object, or the role as a JSON string) and {@code remove_role} (api.md §5.8). */
    private void roleAction(RoutingContext ctx) {
        int id = Http.id(ctx, "id");
        Http.Action action = Http.action(ctx);
        JsonNode role = action.params().get("role");
        Command command = switch (action.perform()) {
            case "add_role" -> {
                ObjectNode parsed;
                if (role != null && role.isObject()) {
                    parsed = (ObjectNode) role;
                } else if (role != null && role.isTextual()) {
                    parsed = RequestJson.object(role.asText(), "action.params.role");
                } else {
                    throw OperationException.badRequest("action.params.role", "KEY: 'role' must be an Object;");
                }
                yield new Command.AddRole(id, parsed);
            }
            case "remove_role" -> {
                if (role == null || !role.isTextual() || role.asText().isBlank()) {
                    throw OperationException.badRequest("action.params.role", "KEY: 'role' must be a String;");
                }
                yield new Command.RemoveRole(id, role.asText());
            }
            default -> throw action.unsupported();
        };
        answers.after(ctx, engine.send(ctx, command));
    }

    private static boolean dryRun(RoutingContext ctx) {
        String value = ctx.queryParams().get("dry_run");
        return value != null && (value.equals("true") || value.equals("1"));
    }

    private static boolean deleteFlag(Http.Action action) {
        var delete = action.params().get("delete");
        if (delete == null || delete.isNull()) {
            return false;
        }
        if (delete.isBoolean()) {
            return delete.asBoolean();
        }
        if (delete.isTextual() && (delete.asText().equals("true") || delete.asText().equals("false"))) {
            return Boolean.parseBoolean(delete.asText());
        }
        throw OperationException.badRequest("action.params.delete", "KEY: 'delete' must be a Boolean;");
    }

    /** The autoscaler's last evaluations of each role ({@code ?limit=N}, default 20), newest first. */
    private void evaluations(RoutingContext ctx) {
        int id = Http.id(ctx, "id");
        Integer limit = Http.optionalInt(ctx, "limit", 1);
        find(id).compose(s -> autoscaler.recent(id, limit == null ? 20 : limit)).onSuccess(byRole -> {
            ObjectNode roles = Json.object();
            byRole.forEach((role, list) -> roles.putArray(role).addAll(list));
            Http.json(ctx, 200, Json.object().set("roles", roles));
        }).onFailure(ctx::fail);
    }

    /**
     * {@code PUT /service/:id}: what may change takes effect at the next evaluation (api.md §5.4);
     * an appended template may come as a JSON string.
     */
    private void update(RoutingContext ctx) {
        int id = Http.id(ctx, "id");
        ObjectNode request = Http.bodyObject(ctx);
        JsonNode template = request.get("template");
        if (request.has("append") && template != null && template.isTextual()) {
            request.set("template", RequestJson.object(template.asText(), "template"));
        }
        answers.after(ctx, engine.send(ctx, new Command.UpdateService(id, request)));
    }

    private void purgeDone(RoutingContext ctx) {
        answers.after(ctx, engine.send(ctx, new Command.PurgeDone()));
    }

    private Future<ServiceRecord> find(int id) {
        return services.find(id).compose(s -> s.map(Future::succeededFuture).orElseGet(() -> Future.failedFuture(
                notFound(id))));
    }

    private static OperationException notFound(int id) {
        return OperationException.notFound("[one.document.info] Error getting document [" + id + "].");
    }
}
