package dev.flotilla.engine;

import dev.flotilla.Addresses;
import dev.flotilla.store.EventRecord;
import dev.flotilla.store.Json;
import io.vertx.core.eventbus.EventBus;
import io.vertx.core.json.JsonObject;

import java.util.List;

/** Publishes recorded service events on {@code service.events}, after they are committed. */
final class EventPublisher {
    private final EventBus bus;

    EventPublisher(EventBus bus) {
        this.bus = bus;
    }

    void publish(List<EventRecord> events) {
        for (EventRecord e : events) {
            bus.publish(Addresses.SERVICE_EVENTS, new JsonObject()
                    .put("service_id", e.serviceId()).put("seq", e.seq()).put("time", e.at().toString())
                    .put("kind", e.kind()).put("severity", String.valueOf(e.severity())).put("message", e.message())
                    .put("data", e.data() == null ? null : new JsonObject(Json.write(e.data()))));
        }
    }
}
