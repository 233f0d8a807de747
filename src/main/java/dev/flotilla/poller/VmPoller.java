package dev.flotilla.poller;

import dev.flotilla.bus.Addresses;
import dev.flotilla.bus.EventFrames;
import dev.flotilla.bus.ServiceChanges;
import dev.flotilla.cloud.CloudDriver;
import dev.flotilla.domain.VmObservation;
import dev.flotilla.store.VmObservations;
import io.vertx.core.Future;
import io.vertx.core.eventbus.EventBus;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

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
    /** Announced states not written yet, the latest per VM (by request key). */
    private final Map<String, VmObservation> announced = new LinkedHashMap<>();
    private boolean writing;

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
        return driver.changesSince(cursor, PAGE).compose(changes -> record(changes.vms(), "poller").compose(v -> {
            if (changes.vms().size() == PAGE) {
                return readAll(changes.cursor());
            }
            readFrom = newest;
            newest = Math.max(newest, changes.cursor());
            return Future.succeededFuture();
        }));
    }

    /**
     * States the cloud announced by itself (its events). They are written one batch at a time, the
     * latest state of each VM only: two writes of one VM in flight at once could land in the wrong
     * order and leave an older state behind.
     */
    public void observed(List<VmObservation> seen, String trigger) {
        seen.forEach(o -> announced.put(o.requestKey(), o));
        if (!announced.isEmpty() && !writing) {
            List<VmObservation> batch = List.copyOf(announced.values());
            announced.clear();
            writing = true;
            record(batch, trigger).onComplete(ar -> {
                writing = false;
                observed(List.of(), trigger);
            });
        }
    }

    /** Writes observed states (only real differences are written), streams them, wakes their services. */
    private Future<Void> record(List<VmObservation> seen, String trigger) {
        if (seen.isEmpty()) {
            return Future.succeededFuture();
        }
        return observations.recordObserved(seen).map(observed -> {
            observed.events().forEach(e -> bus.publish(Addresses.SERVICE_EVENTS, EventFrames.of(e)));
            ServiceChanges.announce(bus, observed.serviceIds());
            wake(observed.serviceIds(), trigger);
            return (Void) null;
        }).onFailure(e -> LOG.warn("recording {} observations failed: {}", trigger, e.toString()));
    }

    private void wake(List<Integer> serviceIds, String trigger) {
        if (!serviceIds.isEmpty()) {
            // Published: in a cluster, the owner of each service is the one that acts on it.
            bus.publish(Addresses.ENGINE_WAKE, new JsonObject().put("serviceIds", new JsonArray(serviceIds))
                    .put("trigger", trigger));
        }
    }
}
