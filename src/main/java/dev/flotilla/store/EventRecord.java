package dev.flotilla.store;

import com.fasterxml.jackson.databind.JsonNode;
import io.vertx.core.json.JsonObject;

import java.time.Instant;

/** One stored entry of a service's timeline. */
public record EventRecord(long seq, int serviceId, Instant at, String kind, char severity, String message,
                          JsonNode data) {

    /** The event as it travels on the event bus and to WebSocket clients. */
    public JsonObject toFrame() {
        return new JsonObject().put("service_id", serviceId).put("seq", seq).put("time", at.toString())
                .put("kind", kind).put("severity", String.valueOf(severity)).put("message", message)
                .put("data", data == null || data.isNull() ? null : new JsonObject(Json.write(data)));
    }
}
