package dev.flotilla.api;

import dev.flotilla.bus.CommandReply;
import dev.flotilla.web.Http;
import io.vertx.core.Future;
import io.vertx.ext.web.RoutingContext;

/** Writes the engine's answer to a command, exactly as it was committed (and replayed). */
final class Answers {
    private Answers() {
    }

    static void write(RoutingContext ctx, CommandReply reply) {
        if (reply.replayed()) {
            ctx.response().putHeader(Idempotency.REPLAYED, "true");
        }
        if (reply.body() == null) {
            Http.noContent(ctx);
        } else {
            Http.json(ctx, reply.status(), reply.body());
        }
    }

    /** Writes the answer once the command is answered, or fails the request with the refusal. */
    static void after(RoutingContext ctx, Future<CommandReply> reply) {
        reply.onSuccess(r -> write(ctx, r)).onFailure(ctx::fail);
    }
}
