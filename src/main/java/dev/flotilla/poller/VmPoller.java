package dev.flotilla.poller;

import dev.flotilla.bus.Addresses;
import dev.flotilla.bus.EventFrames;
import dev.flotilla.cloud.CloudDriver;
import dev.flotilla.store.VmObservations;
import io.vertx.core.Future;
import io.vertx.core.eventbus.EventBus;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.util.List;

/**
 * Watches VMs incrementally: asks the driver only for what changed since the last cycle, writes
 * the observed states, and wakes the engine for the services whose VMs changed.
 */
public final class VmPoller {
    private static final Logger LOG = LoggerFactory.getLogger(VmPoller.class);
    private static final int PAGE = 2000;

    private final CloudDriver driver;
    private final VmObservations observations;
    private final EventBus bus;
    /**
     * Where the next cycle reads from. It trails the newest change by one cycle: a change whose
     * sequence number was taken before but committed after the last read is then still seen.
     * Re-reading a change is harmless; only real differences are written.
     */
    private long readFrom;
    private long newest;

    public VmPoller(CloudDriver driver, VmObservations observations, EventBus bus) {
        this.driver = driver;
        this.observations = observations;
        this.bus = bus;
    }

    public Future<Void> cycle() {
        long from = readFrom;
        return readAll(from).onFailure(e -> LOG.warn("poll failed: {}", e.toString())).mapEmpty();
    }

    private Future<Void> readAll(long cursor) {
        return driver.changesSince(cursor, PAGE).compose(changes -> observations.recordObserved(changes.vms())
                .compose(observed -> {
                    observed.events().forEach(e -> bus.publish(Addresses.SERVICE_EVENTS, EventFrames.of(e)));
                    wake(observed.serviceIds());
                    if (changes.vms().size() == PAGE) {
                        return readAll(changes.cursor());
                    }
                    readFrom = newest;
                    newest = Math.max(newest, changes.cursor());
                    return Future.succeededFuture();
                }));
    }

    private void wake(List<Integer> serviceIds) {
        if (!serviceIds.isEmpty()) {
            bus.send(Addresses.ENGINE_WAKE, new JsonObject().put("serviceIds", new JsonArray(serviceIds)).put("trigger", "poller"));
        }
    }
}
