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
    private static final DeliveryOptions OPTIONS = new DeliveryOptions().setSendTimeout(60_000);

    private final EventBus bus;

    EngineClient(EventBus bus) {
        this.bus = bus;
    }

    Future<CommandReply> send(RoutingContext ctx, Command command) {
        Identity who = ctx.get(Authenticator.IDENTITY);
        Idempotency idempotency = command.dryRun() ? null : Idempotency.of(ctx);
        CommandRequest request = new CommandRequest(command, who.uid(), who.name(), who.gid(), who.groups(),
                idempotency == null ? null : idempotency.key(), idempotency == null ? null : idempotency.requestHash());
        return bus.<CommandReply>request(Addresses.ENGINE_COMMAND, request, OPTIONS)
                .map(reply -> reply.body())
                .recover(e -> {
                    if (e instanceof ReplyException r && r.failureType() == ReplyFailure.RECIPIENT_FAILURE) {
                        return Future.failedFuture(OperationException.fromJson(r.failureCode(), r.getMessage()));
                    }
                    return Future.failedFuture(OperationException.unavailable("The lifecycle engine"));
                });
    }
}
