package dev.flotilla.engine;

import dev.flotilla.bus.Addresses;
import dev.flotilla.bus.EventFrames;
import dev.flotilla.store.EventRecord;
import io.vertx.core.eventbus.EventBus;

import java.util.List;

/** Publishes recorded service events on {@code service.events}, after they are committed. */
final class EventPublisher {
    private final EventBus bus;

    EventPublisher(EventBus bus) {
        this.bus = bus;
    }

    void publish(List<EventRecord> events) {
        for (EventRecord e : events) {
            bus.publish(Addresses.SERVICE_EVENTS, EventFrames.of(e));
        }
    }

    /** After a committed chown, chgrp or chmod of a service: who may see its events has changed. */
    void ownerChanged(int serviceId) {
        bus.publish(Addresses.SERVICE_OWNER_CHANGED, serviceId);
    }
}
