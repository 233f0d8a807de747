package dev.flotilla.api;

import dev.flotilla.web.RequestJson;
import dev.flotilla.web.Http;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.flotilla.OperationException;
import dev.flotilla.view.Documents;
import dev.flotilla.bus.CommandReply;
import dev.flotilla.domain.Command;
import dev.flotilla.store.TemplateRecord;
import dev.flotilla.store.TemplateStore;
import io.vertx.core.Future;
import io.vertx.ext.web.Router;
import io.vertx.ext.web.RoutingContext;

/** {@code /service_template} routes (api.md §6). Reads go to the store; every change is a command to the engine. */
final class TemplateRoutes {
    private final TemplateStore templates;
    private final EngineClient engine;
    private final Documents documents;
    private final Answers answers;

    TemplateRoutes(TemplateStore templates, EngineClient engine, Documents documents, Answers answers) {
        this.answers = answers;
        this.templates = templates;
        this.engine = engine;
        this.documents = documents;
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
        answers.after(ctx, engine.send(ctx, new Command.CreateTemplate(Http.bodyObject(ctx))));
    }

    private void replace(RoutingContext ctx) {
        int id = Http.id(ctx, "id");
        answers.after(ctx, engine.send(ctx, new Command.ReplaceTemplate(id, Http.bodyObject(ctx), false)));
    }

    private void delete(RoutingContext ctx) {
        answers.after(ctx, engine.send(ctx, new Command.DeleteTemplate(Http.id(ctx, "id"))));
    }

    private void action(RoutingContext ctx) {
        int id = Http.id(ctx, "id");
        Http.Action action = Http.action(ctx);
        ObjectNode params = action.params();
        Command command = switch (action.perform()) {
            case "instantiate" -> {
                JsonNode merge = params.get("merge_template");
                if (merge != null && !merge.isNull() && !merge.isObject()) {
                    throw OperationException.badRequest("merge_template", "KEY: 'merge_template' must be an Object;");
                }
                yield new Command.Instantiate(id, merge != null && merge.isObject() ? (ObjectNode) merge : null);
            }
            case "clone" -> {
                JsonNode name = params.get("name");
                if (name == null || !name.isTextual() || name.asText().isBlank()) {
                    throw OperationException.badRequest("name", "Action clone: You have to specify a name");
                }
                yield new Command.CloneTemplate(id, name.asText());
            }
            case "update" -> {
                // template_json is the new body as a string; with append it is merged over the stored one.
                JsonNode text = params.get("template_json");
                if (text == null || !text.isTextual()) {
                    throw OperationException.badRequest("template_json", "Action update: You have to provide a template");
                }
                yield new Command.ReplaceTemplate(id, RequestJson.object(text.asText(), "template_json"),
                        params.path("append").asBoolean(false));
            }
            default -> {
                if (!DocumentActions.handles(action.perform())) {
                    throw action.unsupported();
                }
                yield new Command.ChangeTemplate(id, DocumentActions.parse(action.perform(), params));
            }
        };
        Future<CommandReply> reply = engine.send(ctx, command);
        // The update action answers no content; PUT answers the template.
        answers.after(ctx, command instanceof Command.ReplaceTemplate
                ? reply.map(r -> CommandReply.noContent().replayed(r.replayed())) : reply);
    }

    private Future<TemplateRecord> find(int id) {
        return templates.find(id).compose(t -> t.map(Future::succeededFuture).orElseGet(() -> Future.failedFuture(
                OperationException.notFound("[one.document.info] Error getting document [" + id + "]."))));
    }
}
