package dev.flotilla.bus;

import dev.flotilla.json.Json;
import dev.flotilla.store.EventRecord;
import io.vertx.core.json.JsonObject;

/** A recorded service event as it travels on {@code service.events} and to WebSocket clients. */
public final class EventFrames {
    private EventFrames() {
    }

    public static JsonObject of(EventRecord e) {
        return new JsonObject().put("service_id", e.serviceId()).put("seq", e.seq()).put("time", e.at().toString())
                .put("kind", e.kind()).put("severity", String.valueOf(e.severity())).put("message", e.message())
                .put("data", e.data() == null || e.data().isNull() ? null : new JsonObject(Json.write(e.data())));
    }
}
