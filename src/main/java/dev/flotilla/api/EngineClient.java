package dev.flotilla.api;

import dev.flotilla.OperationException;
import dev.flotilla.bus.Addresses;
import dev.flotilla.bus.CommandReply;
import dev.flotilla.bus.CommandRequest;
import dev.flotilla.domain.Command;
import io.vertx.core.Future;
import io.vertx.core.eventbus.DeliveryOptions;
import io.vertx.core.eventbus.EventBus;
import io.vertx.core.eventbus.ReplyException;
import io.vertx.core.eventbus.ReplyFailure;
import io.vertx.ext.web.RoutingContext;

/**
 * Sends a request's command to the engine, as the signed-in user and with its Idempotency-Key,
 * and turns the engine's refusals back into {@link OperationException}s.
 */
final class EngineClient {
    /** This node's engine, never another's (in a cluster it forwards the command to the owner itself). */
    private static final DeliveryOptions OPTIONS = new DeliveryOptions().setSendTimeout(60_000).setLocalOnly(true);

    private final EventBus bus;
    private final DocumentCache cache;

    EngineClient(EventBus bus, DocumentCache cache) {
        this.bus = bus;
        this.cache = cache;
    }

    /**
     * The command is committed: the documents it changed are read again before anyone is answered
     * (the engine announces them too, but its message may arrive after the client's next request).
     */
    private void changed(Command command, CommandReply reply) {
        if (command instanceof Command.PurgeDone) {
            cache.changedAll();
        } else if (command instanceof Command.OnService c) {
            cache.changed(java.util.List.of(c.serviceId()));
        } else if ("service".equals(reply.shows()) && reply.id() != null) {
            cache.changed(java.util.List.of(reply.id()));
        } else if (reply.body() != null && "100".equals(reply.body().path("DOCUMENT").path("TYPE").asText())) {
            // A new service answered with its document (instantiate): its id was never announced yet.
            cache.changed(java.util.List.of(reply.body().path("DOCUMENT").path("ID").asInt()));
        }
    }

    Future<CommandReply> send(RoutingContext ctx, Command command) {
        Identity who = ctx.get(Authenticator.IDENTITY);
        Idempotency idempotency = command.dryRun() ? null : Idempotency.of(ctx);
        CommandRequest request = new CommandRequest(command, who.uid(), who.name(), who.gid(), who.groups(),
                idempotency == null ? null : idempotency.key(), idempotency == null ? null : idempotency.requestHash());
        return bus.<CommandReply>request(Addresses.ENGINE_COMMAND, request, OPTIONS)
                .map(reply -> {
                    changed(command, reply.body());
                    return reply.body();
                })
                .recover(e -> {
                    if (e instanceof ReplyException r && r.failureType() == ReplyFailure.RECIPIENT_FAILURE) {
                        return Future.failedFuture(OperationException.fromJson(r.failureCode(), r.getMessage()));
                    }
                    return Future.failedFuture(OperationException.unavailable("The lifecycle engine"));
                });
    }
}
