package dev.flotilla.api;

import dev.flotilla.bus.Addresses;
import dev.flotilla.OperationException;
import io.vertx.core.Future;
import io.vertx.core.eventbus.DeliveryOptions;
import io.vertx.core.eventbus.EventBus;
import io.vertx.core.eventbus.ReplyException;
import io.vertx.core.eventbus.ReplyFailure;
import io.vertx.core.json.JsonObject;


/** Sends commands to the engine and turns its failure replies back into {@link OperationException}s. */
final class EngineClient {
    private static final DeliveryOptions OPTIONS = new DeliveryOptions().setSendTimeout(60_000);

    private final EventBus bus;

    EngineClient(EventBus bus) {
        this.bus = bus;
    }

    Future<JsonObject> send(JsonObject command) {
        return bus.<JsonObject>request(Addresses.ENGINE_COMMAND, command, OPTIONS)
                .map(reply -> reply.body())
                .recover(e -> {
                    if (e instanceof ReplyException r && r.failureType() == ReplyFailure.RECIPIENT_FAILURE) {
                        return Future.failedFuture(OperationException.fromJson(r.failureCode(), r.getMessage()));
                    }
                    return Future.failedFuture(OperationException.unavailable("The lifecycle engine"));
                });
    }
}
