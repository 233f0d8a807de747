package dev.flotilla.api;

import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.flotilla.bus.CommandReply;
import dev.flotilla.json.Json;
import dev.flotilla.store.ServiceRepository;
import dev.flotilla.store.TemplateStore;
import dev.flotilla.view.Documents;
import dev.flotilla.web.Http;
import io.vertx.core.Future;
import io.vertx.ext.web.RoutingContext;

/**
 * Writes the engine's answer to a command, which it sent after the commit: its body as committed
 * (and replayed), or the document it names, read now, on the API's own event loops.
 */
final class Answers {
    private final ServiceRepository services;
    private final DocumentCache cache;
    private final TemplateStore templates;
    private final Documents documents;

    Answers(ServiceRepository services, DocumentCache cache, TemplateStore templates, Documents documents) {
        this.services = services;
        this.cache = cache;
        this.templates = templates;
        this.documents = documents;
    }

    /** Writes the answer once the command is answered, or fails the request with the refusal. */
    void after(RoutingContext ctx, Future<CommandReply> reply) {
        reply.onSuccess(r -> write(ctx, r)).onFailure(ctx::fail);
    }

    private void write(RoutingContext ctx, CommandReply reply) {
        if (reply.replayed()) {
            ctx.response().putHeader(Idempotency.REPLAYED, "true");
        }
        if (reply.body() != null) {
            Http.json(ctx, reply.status(), reply.body());
        } else if ("service".equals(reply.shows())) {
            cache.document(reply.id(), services).onSuccess(found -> {
                if (found == null) {
                    Http.json(ctx, reply.status(), gone(reply.id()));
                } else {
                    ctx.response().setStatusCode(reply.status()).putHeader("Content-Type", Http.JSON)
                            .end(DocumentCache.wrapped(found));
                }
            }).onFailure(ctx::fail);
        } else if ("template".equals(reply.shows())) {
            templates.find(reply.id()).onSuccess(found -> Http.json(ctx, reply.status(),
                    found.map(documents::template).orElseGet(() -> gone(reply.id())))).onFailure(ctx::fail);
        } else {
            Http.noContent(ctx);
        }
    }

    /** A document deleted since the command made it: its id is all there is to show. */
    private static ObjectNode gone(int id) {
        return Json.object().set("DOCUMENT", Json.object().put("ID", Integer.toString(id)));
    }
}
