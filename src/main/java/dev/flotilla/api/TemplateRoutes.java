package dev.flotilla.api;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.flotilla.OperationException;
import dev.flotilla.domain.TemplateValidator;
import dev.flotilla.store.DocumentAdmin;
import dev.flotilla.json.Json;
import dev.flotilla.store.ServiceStore;
import dev.flotilla.store.TemplateRecord;
import dev.flotilla.store.TemplateStore;
import io.vertx.core.Future;
import io.vertx.core.json.JsonObject;
import io.vertx.ext.web.Router;
import io.vertx.ext.web.RoutingContext;

import java.time.Clock;

/** {@code /service_template} routes (api.md §6). */
final class TemplateRoutes {
    private final TemplateStore templates;
    private final ServiceStore services;
    private final EngineClient engine;
    private final Documents documents;
    private final DocumentActions documentActions;
    private final Clock clock;
    private final int maxCardinality;

    TemplateRoutes(TemplateStore templates, ServiceStore services, EngineClient engine, Documents documents,
                   DocumentActions documentActions, Clock clock, int maxCardinality) {
        this.maxCardinality = maxCardinality;
        this.templates = templates;
        this.services = services;
        this.engine = engine;
        this.documents = documents;
        this.documentActions = documentActions;
        this.clock = clock;
    }

    void mount(Router router) {
        router.get("/service_template").handler(this::list);
        router.post("/service_template").handler(this::create);
        router.get("/service_template/:id").handler(this::show);
        router.put("/service_template/:id").handler(this::replace);
        router.delete("/service_template/:id").handler(this::delete);
        router.post("/service_template/:id/action").handler(this::action);
    }

    private void list(RoutingContext ctx) {
        templates.list().onSuccess(all -> Http.json(ctx, 200, documents.templatePool(all))).onFailure(ctx::fail);
    }

    private void show(RoutingContext ctx) {
        find(Http.id(ctx, "id")).onSuccess(t -> Http.json(ctx, 200, documents.template(t))).onFailure(ctx::fail);
    }

    /** Validated before anything is stored; the server adds {@code registration_time}. */
    private void create(RoutingContext ctx) {
        ObjectNode body = Http.bodyObject(ctx);
        TemplateValidator.validateTemplate(body, maxCardinality);
        body.put("registration_time", clock.instant().getEpochSecond());
        Identity who = ctx.get(Authenticator.IDENTITY);
        templates.create(who.uid(), who.gid(), body.get("name").asText(), body)
                .compose(this::find)
                .onSuccess(t -> Http.json(ctx, 201, documents.template(t)))
                .onFailure(ctx::fail);
    }

    private void replace(RoutingContext ctx) {
        int id = Http.id(ctx, "id");
        ObjectNode body = Http.bodyObject(ctx);
        find(id).compose(existing -> store(existing, body))
                .onSuccess(t -> Http.json(ctx, 200, documents.template(t)))
                .onFailure(ctx::fail);
    }

    /** The document NAME is kept (rename changes it); {@code registration_time} may not change. */
    private Future<TemplateRecord> store(TemplateRecord existing, ObjectNode body) {
        JsonNode stored = existing.body().get("registration_time");
        JsonNode given = body.get("registration_time");
        if (given != null && (stored == null || given.asLong() != stored.asLong())) {
            throw OperationException.badRequest("registration_time",
                    "Immutable value: `service_template/registration_time` can not be changed");
        }
        TemplateValidator.validateTemplate(body, maxCardinality);
        if (stored != null) {
            body.set("registration_time", stored);
        }
        return templates.updateBody(existing.meta().id(), body).compose(ok -> find(existing.meta().id()));
    }

    private void delete(RoutingContext ctx) {
        int id = Http.id(ctx, "id");
        find(id).compose(t -> templates.delete(id)).onSuccess(ok -> Http.noContent(ctx)).onFailure(ctx::fail);
    }

    private void action(RoutingContext ctx) {
        int id = Http.id(ctx, "id");
        Http.Action action = Http.action(ctx);
        switch (action.perform()) {
            case "instantiate" -> instantiate(ctx, id, action.params());
            case "clone" -> cloneTemplate(ctx, id, action.params());
            case "update" -> update(ctx, id, action.params());
            case "chown", "chgrp", "chmod", "rename" -> find(id)
                    .compose(t -> documentActions.run(DocumentAdmin.Kind.TEMPLATE, id, action.perform(), action.params()))
                    .onSuccess(v -> Http.noContent(ctx)).onFailure(ctx::fail);
            default -> throw action.unsupported();
        }
    }

    private void instantiate(RoutingContext ctx, int id, ObjectNode params) {
        JsonNode merge = params.get("merge_template");
        if (merge != null && !merge.isNull() && !merge.isObject()) {
            throw OperationException.badRequest("merge_template", "KEY: 'merge_template' must be an Object;");
        }
        Identity who = ctx.get(Authenticator.IDENTITY);
        JsonObject command = new JsonObject().put("command", "instantiate").put("templateId", id)
                .put("uid", who.uid()).put("gid", who.gid());
        if (merge != null && merge.isObject()) {
            command.put("mergeTemplate", new JsonObject(Json.write(merge)));
        }
        engine.send(command)
                .compose(reply -> services.find(reply.getInteger("id")))
                .onSuccess(found -> Http.json(ctx, 201, documents.service(found.orElseThrow())))
                .onFailure(ctx::fail);
    }

    /** A copy with a new name and a new {@code registration_time}. */
    private void cloneTemplate(RoutingContext ctx, int id, ObjectNode params) {
        JsonNode name = params.get("name");
        if (name == null || !name.isTextual() || name.asText().isBlank()) {
            throw OperationException.badRequest("name", "Action clone: You have to specify a name");
        }
        TemplateValidator.checkName(name.asText(), "name");
        Identity who = ctx.get(Authenticator.IDENTITY);
        find(id).compose(original -> {
            ObjectNode body = original.body().deepCopy();
            body.put("name", name.asText());
            body.put("registration_time", clock.instant().getEpochSecond());
            return templates.create(who.uid(), who.gid(), name.asText(), body);
        }).compose(this::find).onSuccess(t -> Http.json(ctx, 201, documents.template(t))).onFailure(ctx::fail);
    }

    /** {@code template_json} is the new body as a string; with {@code append} it is merged over the stored one. */
    private void update(RoutingContext ctx, int id, ObjectNode params) {
        JsonNode text = params.get("template_json");
        if (text == null || !text.isTextual()) {
            throw OperationException.badRequest("template_json", "Action update: You have to provide a template");
        }
        ObjectNode given = RequestJson.object(text.asText(), "template_json");
        boolean append = params.path("append").asBoolean(false);
        find(id).compose(existing -> {
            ObjectNode body = given;
            if (append) {
                body = existing.body().deepCopy();
                body.setAll(given);
            }
            return store(existing, body);
        }).onSuccess(t -> Http.noContent(ctx)).onFailure(ctx::fail);
    }

    private Future<TemplateRecord> find(int id) {
        return templates.find(id).compose(t -> t.map(Future::succeededFuture).orElseGet(() -> Future.failedFuture(
                OperationException.notFound("[one.document.info] Error getting document [" + id + "]."))));
    }
}
