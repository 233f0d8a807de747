package dev.flotilla.bus;

import io.vertx.core.eventbus.EventBus;
import io.vertx.core.json.JsonArray;

import java.util.ArrayList;
import java.util.Collection;
import java.util.List;

/** Announces committed changes to services' documents on {@link Addresses#SERVICES_CHANGED}. */
public final class ServiceChanges {
    private ServiceChanges() {
    }

    public static void announce(EventBus bus, Collection<Integer> serviceIds) {
        if (!serviceIds.isEmpty()) {
            bus.publish(Addresses.SERVICES_CHANGED, new JsonArray(new ArrayList<>(serviceIds)));
        }
    }

    public static void announce(EventBus bus, int serviceId) {
        announce(bus, List.of(serviceId));
    }
}
