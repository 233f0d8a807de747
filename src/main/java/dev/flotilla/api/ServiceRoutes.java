package dev.flotilla.api;

import dev.flotilla.OperationException;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.flotilla.domain.RoleActions;
import dev.flotilla.domain.ServiceState;
import dev.flotilla.store.AutoscalerStore;
import dev.flotilla.store.DocumentAdmin;
import dev.flotilla.json.Json;
import dev.flotilla.store.ServiceRecord;
import dev.flotilla.store.ServiceStore;
import io.vertx.core.Future;
import io.vertx.core.json.JsonObject;
import io.vertx.ext.web.Router;
import io.vertx.ext.web.RoutingContext;

/** {@code /service} routes (api.md §5). Reads go to the store; every change goes to the engine. */
final class ServiceRoutes {
    private final ServiceStore services;
    private final EngineClient engine;
    private final Documents documents;
    private final DocumentActions documentActions;
    private final AutoscalerStore autoscaler;
    private final int defaultActionNumber;
    private final int defaultActionPeriod;
    private final int maxCardinality;

    ServiceRoutes(ServiceStore services, EngineClient engine, Documents documents, DocumentActions documentActions,
                  AutoscalerStore autoscaler, int defaultActionNumber, int defaultActionPeriod, int maxCardinality) {
        this.maxCardinality = maxCardinality;
        this.autoscaler = autoscaler;
        this.services = services;
        this.engine = engine;
        this.documents = documents;
        this.documentActions = documentActions;
        this.defaultActionNumber = defaultActionNumber;
        this.defaultActionPeriod = defaultActionPeriod;
    }

    void mount(Router router) {
        router.get("/service").handler(this::list);
        router.get("/service/:id").handler(this::show);
        router.delete("/service/:id").handler(this::delete);
        router.put("/service/:id").handler(this::update);
        router.get("/service/:id/autoscaler").handler(this::evaluations);
        router.post("/service/:id/action").handler(this::action);
        router.post("/service/:id/scale").handler(this::scale);
        router.post("/service/:id/role_action").handler(this::roleAction);
        router.post("/service/:id/role/:role_name/action").handler(this::roleVmAction);
        router.delete("/service/:id/sched_action/:sched_id").handler(this::cancelAction);
        router.delete("/service/:id/role/:role_name/sched_action/:sched_id").handler(this::cancelAction);
        router.post("/service_pool/purge_done").handler(this::purgeDone);
    }

    /** Everything, like OneFlow; {@code page}/{@code page_size} (1-based) and {@code state} narrow it. */
    private void list(RoutingContext ctx) {
        Integer page = Http.optionalInt(ctx, "page", 1);
        Integer pageSize = Http.optionalInt(ctx, "page_size", 1);
        ServiceState state = stateFilter(ctx.queryParams().get("state"));
        int limit = pageSize == null ? Integer.MAX_VALUE : pageSize;
        long offset = pageSize == null || page == null ? 0 : (page - 1L) * pageSize;
        services.list(state, limit, offset).onSuccess(all -> Http.json(ctx, 200, documents.servicePool(all)))
                .onFailure(ctx::fail);
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

    private void show(RoutingContext ctx) {
        find(Http.id(ctx, "id")).onSuccess(s -> Http.json(ctx, 200, documents.service(s))).onFailure(ctx::fail);
    }

    private void delete(RoutingContext ctx) {
        int id = Http.id(ctx, "id");
        engine.send(new JsonObject().put("command", "undeploy").put("serviceId", id))
                .onSuccess(reply -> Http.noContent(ctx))
                .onFailure(ctx::fail);
    }

    /**
     * {@code recover} (with {@code delete}), {@code release}, and any of the 19 VM actions on every
     * role. {@code ?dry_run=true} answers what recover or the action would do, and changes nothing.
     */
    private void action(RoutingContext ctx) {
        int id = Http.id(ctx, "id");
        Http.Action action = Http.action(ctx);
        JsonObject command = new JsonObject().put("serviceId", id).put("dryRun", dryRun(ctx));
        // On the service, release means "release the roles on hold" (states.md §10), not the VM action.
        switch (action.perform()) {
            case "recover" -> command.put("command", "recover").put("delete", deleteFlag(action));
            case "release" -> command.put("command", "release");
            default -> {
                if (DocumentActions.handles(action.perform())) {
                    find(id).compose(s -> documentActions.run(DocumentAdmin.Kind.SERVICE, id, action.perform(),
                            action.params())).onSuccess(v -> Http.noContent(ctx)).onFailure(ctx::fail);
                    return;
                }
                if (!RoleActions.isAction(action.perform())) {
                    find(id).onSuccess(s -> ctx.fail(action.unsupported())).onFailure(ctx::fail);
                    return;
                }
                vmAction(command, action);
            }
        }
        send(ctx, command);
    }

    /** {@code POST /service/:id/role/:role_name/action}: one of the 19 VM actions, in batches. */
    private void roleVmAction(RoutingContext ctx) {
        int id = Http.id(ctx, "id");
        Http.Action action = Http.action(ctx);
        if (!RoleActions.isAction(action.perform())) {
            throw OperationException.badRequest("action.perform", "Action " + action.perform()
                    + " is not one of the role actions: " + String.join(", ", new java.util.TreeSet<>(RoleActions.NAMES)));
        }
        JsonObject command = new JsonObject().put("serviceId", id).put("dryRun", dryRun(ctx))
                .put("role", ctx.pathParam("role_name"));
        vmAction(command, action);
        send(ctx, command);
    }

    private void vmAction(JsonObject command, Http.Action action) {
        JsonNode args = action.params().get("args");
        if (args != null && !args.isNull() && !args.isTextual()) {
            throw OperationException.badRequest("action.params.args", "KEY: 'args' must be a String;");
        }
        JsonNode vmIds = action.params().get("vm_ids");
        if (vmIds != null && !vmIds.isNull()) {
            if (!vmIds.isArray() || vmIds.isEmpty()) {
                throw OperationException.badRequest("action.params.vm_ids", "KEY: 'vm_ids' must be a non-empty Array;");
            }
            io.vertx.core.json.JsonArray ids = new io.vertx.core.json.JsonArray();
            for (JsonNode v : vmIds) {
                if (!v.isIntegralNumber() || !v.canConvertToInt() || v.asInt() < 0) {
                    throw OperationException.badRequest("action.params.vm_ids", "KEY: 'vm_ids' must hold VM IDs;");
                }
                ids.add(v.asInt());
            }
            command.put("vmIds", ids);
        }
        command.put("command", "role_action").put("action", action.perform())
                .put("args", args == null || args.isNull() || args.asText().isEmpty() ? null : args.asText())
                .put("number", batchParam(action.params(), "number", defaultActionNumber))
                .put("period", batchParam(action.params(), "period", defaultActionPeriod));
    }

    /** Missing, null and "" mean the config default (decision 3); negative counts as 0. */
    private static int batchParam(JsonNode params, String key, int fallback) {
        JsonNode value = params.get(key);
        if (value == null || value.isNull() || (value.isTextual() && value.asText().isBlank())) {
            return fallback;
        }
        if (value.isIntegralNumber() && value.canConvertToInt()) {
            return Math.max(0, value.asInt());
        }
        if (value.isTextual() && value.asText().trim().matches("-?[0-9]{1,9}")) {
            return Math.max(0, Integer.parseInt(value.asText().trim()));
        }
        throw OperationException.badRequest("action.params." + key, "KEY: '" + key + "' must be an Integer;");
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
        JsonObject command = new JsonObject().put("command", "cancel_action").put("serviceId", id)
                .put("schedId", Long.parseLong(sched)).put("role", ctx.pathParam("role_name"));
        find(id).compose(s -> engine.send(command)).onSuccess(reply -> Http.noContent(ctx)).onFailure(ctx::fail);
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
        send(ctx, new JsonObject().put("command", "scale").put("serviceId", id).put("dryRun", dryRun(ctx))
                .put("role", role.asText()).put("cardinality", value).put("force", force != null && force.asBoolean()));
    }

    /** {@code add_role} (the role object, or the role as a JSON string) and {@code remove_role} (api.md §5.8). */
    private void roleAction(RoutingContext ctx) {
        int id = Http.id(ctx, "id");
        Http.Action action = Http.action(ctx);
        JsonNode role = action.params().get("role");
        JsonObject command = new JsonObject().put("serviceId", id);
        switch (action.perform()) {
            case "add_role" -> {
                ObjectNode parsed;
                if (role != null && role.isObject()) {
                    parsed = (ObjectNode) role;
                } else if (role != null && role.isTextual()) {
                    parsed = RequestJson.object(role.asText(), "action.params.role");
                } else {
                    throw OperationException.badRequest("action.params.role", "KEY: 'role' must be an Object;");
                }
                command.put("command", "add_role").put("role", new JsonObject(Json.write(parsed)));
            }
            case "remove_role" -> {
                if (role == null || !role.isTextual() || role.asText().isBlank()) {
                    throw OperationException.badRequest("action.params.role", "KEY: 'role' must be a String;");
                }
                command.put("command", "remove_role").put("role", role.asText());
            }
            default -> throw action.unsupported();
        }
        send(ctx, command);
    }

    /** 204 when the engine accepted the command; 200 with the plan for a dry run. */
    private void send(RoutingContext ctx, JsonObject command) {
        engine.send(command).onSuccess(reply -> {
            if (reply.getBoolean("dry_run", false)) {
                Http.json(ctx, 200, Json.parse(reply.encode()));
            } else {
                Http.noContent(ctx);
            }
        }).onFailure(ctx::fail);
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

    /** {@code PUT /service/:id}: what may change takes effect at the next evaluation (api.md §5.4). */
    private void update(RoutingContext ctx) {
        int id = Http.id(ctx, "id");
        ObjectNode request = Http.bodyObject(ctx);
        find(id).compose(record -> {
            ServiceUpdate.Result result = ServiceUpdate.apply(record, documents.serviceBody(record), request,
                    maxCardinality);
            return services.updateBodies(id, result.serviceBody(), result.roleBodies());
        }).onSuccess(v -> Http.noContent(ctx)).onFailure(ctx::fail);
    }

    private void purgeDone(RoutingContext ctx) {
        engine.send(new JsonObject().put("command", "purge_done"))
                .onSuccess(reply -> Http.noContent(ctx))
                .onFailure(ctx::fail);
    }

    private Future<ServiceRecord> find(int id) {
        return services.find(id).compose(s -> s.map(Future::succeededFuture).orElseGet(() -> Future.failedFuture(
                OperationException.notFound("[one.document.info] Error getting document [" + id + "]."))));
    }
}
