package dev.flotilla.api;

import dev.flotilla.OperationException;
import dev.flotilla.domain.ServiceState;
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

    ServiceRoutes(ServiceStore services, EngineClient engine, Documents documents) {
        this.services = services;
        this.engine = engine;
        this.documents = documents;
    }

    void mount(Router router) {
        router.get("/service").handler(this::list);
        router.get("/service/:id").handler(this::show);
        router.delete("/service/:id").handler(this::delete);
        router.post("/service/:id/action").handler(this::action);
        router.post("/service_pool/purge_done").handler(this::purgeDone);
    }

    /** Everything, like OneFlow; {@code page}/{@code page_size} (1-based) and {@code state} narrow it. */
    private void list(RoutingContext ctx) {
        Integer page = Http.optionalInt(ctx, "page", 1);
        Integer pageSize = Http.optionalInt(ctx, "page_size", 1);
        ServiceState state = stateFilter(ctx.queryParams().get("state"));
        int limit = pageSize == null ? Integer.MAX_VALUE : pageSize;
        int offset = pageSize == null ? 0 : (page == null ? 0 : (page - 1) * pageSize);
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

    /** {@code recover} (with {@code delete}) and {@code release}; the VM actions come with role operations. */
    private void action(RoutingContext ctx) {
        int id = Http.id(ctx, "id");
        Http.Action action = Http.action(ctx);
        JsonObject command = new JsonObject().put("serviceId", id);
        switch (action.perform()) {
            case "recover" -> command.put("command", "recover").put("delete", deleteFlag(action));
            case "release" -> command.put("command", "release");
            default -> {
                find(id).onSuccess(s -> ctx.fail(action.unsupported())).onFailure(ctx::fail);
                return;
            }
        }
        engine.send(command).onSuccess(reply -> Http.noContent(ctx)).onFailure(ctx::fail);
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
