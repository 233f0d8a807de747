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

import static io.vertx.core.http.HttpMethod.DELETE;
import static io.vertx.core.http.HttpMethod.GET;
import static io.vertx.core.http.HttpMethod.POST;
import static io.vertx.core.http.HttpMethod.PUT;
import dev.flotilla.api.Authorizer.Decision;
import dev.flotilla.domain.Permissions.Right;
import dev.flotilla.store.DocumentAdmin.Kind;
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

    void mount(Router router, Authorizer auth) {
        auth.mount(router, GET, "/service_template", Decision.signedIn(), this::list);
        auth.mount(router, POST, "/service_template", Decision.signedIn(), this::create);
        auth.mount(router, GET, "/service_template/:id", Decision.use(Kind.TEMPLATE), this::show);
        auth.mount(router, PUT, "/service_template/:id", Decision.manage(Kind.TEMPLATE, "one.document.update"),
                this::replace);
        auth.mount(router, DELETE, "/service_template/:id", Decision.manage(Kind.TEMPLATE, "one.document.delete"),
                this::delete);
        // instantiate and clone need USE; every other action MANAGE, checked in action().
        auth.mount(router, POST, "/service_template/:id/action", Decision.use(Kind.TEMPLATE), this::action);
    }

    /** The templates the caller may USE (OneFlow's pool filter -2). */
    private void list(RoutingContext ctx) {
        Identity who = ctx.get(Authenticator.IDENTITY);
        templates.list(who.caller()).onSuccess(all -> Http.document(ctx, documents.templatePool(all))).onFailure(ctx::fail);
    }

    private void show(RoutingContext ctx) {
        find(Http.id(ctx, "id")).onSuccess(t -> Http.document(ctx, documents.template(t))).onFailure(ctx::fail);
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
        boolean changesTheTemplate = !action.perform().equals("instantiate") && !action.perform().equals("clone");
        if (changesTheTemplate) {
            Authorizer.require(ctx, Right.MANAGE, "one.document." + action.perform());
        }
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
        if (command instanceof Command.ChangeTemplate change) {
            DocumentActions.authorize(ctx, action.perform(), change.change());
        }
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
