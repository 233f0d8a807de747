package dev.flotilla.engine;

import dev.flotilla.bus.Addresses;
import dev.flotilla.bus.EventFrames;
import dev.flotilla.bus.ServiceChanges;
import dev.flotilla.store.EventRecord;
import io.vertx.core.eventbus.EventBus;

import java.util.Collection;
import java.util.List;
import java.util.Set;
import java.util.TreeSet;

/** Publishes recorded service events on {@code service.events}, after they are committed. */
final class EventPublisher {
    private final EventBus bus;

    EventPublisher(EventBus bus) {
        this.bus = bus;
    }

    /** The events go to the stream; the services they belong to changed (their logs at least). */
    void publish(List<EventRecord> events) {
        Set<Integer> services = new TreeSet<>();
        for (EventRecord e : events) {
            bus.publish(Addresses.SERVICE_EVENTS, EventFrames.of(e));
            services.add(e.serviceId());
        }
        ServiceChanges.announce(bus, services);
    }

    /** A commit changed these services' documents (states, VMs, bodies, owners), with or without events. */
    void changed(Collection<Integer> serviceIds) {
        ServiceChanges.announce(bus, serviceIds);
    }

    /** After a committed chown, chgrp or chmod of a service: who may see its events has changed. */
    void ownerChanged(int serviceId) {
        bus.publish(Addresses.SERVICE_OWNER_CHANGED, serviceId);
    }
}
