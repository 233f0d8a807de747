package dev.flotilla.api;

import dev.flotilla.bus.Addresses;
import dev.flotilla.bus.EventFrames;
import dev.flotilla.config.FlotillaConfig;
import dev.flotilla.store.Database;
import dev.flotilla.store.EventLog;
import dev.flotilla.store.EventRecord;
import io.vertx.core.Future;
import io.vertx.core.VerticleBase;
import io.vertx.sqlclient.Pool;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.util.List;

/**
 * A cluster node's reader of the event log: PostgreSQL is the source of the stream, so every
 * committed event reaches this node's WebSocket clients once and in {@code seq} order, whichever
 * node wrote it (even one that died before telling anyone). It reads what follows the last event it
 * handed out, when the bus says there is something new and every {@value #POLL_MS} ms. A missing
 * number is waited for (its transaction may still be committing) for {@value #HOLD_MS} ms, then
 * skipped: a rolled-back transaction leaves a number no event will ever have.
 */
public final class EventTail extends VerticleBase {
    private static final Logger LOG = LoggerFactory.getLogger(EventTail.class);
    private static final long POLL_MS = 100;
    private static final long HOLD_MS = 500;
    private static final int PAGE = 2000;
    /** This node's sockets only: no cluster lookup, so a hung member elsewhere cannot delay them. */
    private static final io.vertx.core.eventbus.DeliveryOptions LOCAL =
            new io.vertx.core.eventbus.DeliveryOptions().setLocalOnly(true);

    private final FlotillaConfig config;
    private final Database database;
    private Pool pool;
    private EventLog log;
    private long last;
    /** The number waited for, and since when (nanos); -1 when nothing is missing. */
    private long missing = -1;
    private long missingSince;
    private boolean reading;
    private boolean again;

    public EventTail(FlotillaConfig config, Database database) {
        this.config = config;
        this.database = database;
    }

    @Override
    public Future<?> start() {
        pool = database.pool(vertx, 2);
        log = new EventLog(pool);
        return log.lastSeq().onSuccess(seq -> {
            last = seq;
            vertx.eventBus().consumer(Addresses.SERVICE_EVENTS, m -> read());
            vertx.setPeriodic(POLL_MS, t -> read());
        });
    }

    private void read() {
        if (reading) {
            again = true;
            return;
        }
        reading = true;
        again = false;
        log.eventsAfter(last, PAGE).onSuccess(this::handOut)
                .onFailure(e -> LOG.warn("reading the event log after {} failed: {}", last, e.toString()))
                .onComplete(ar -> {
                    reading = false;
                    if (again) {
                        read();
                    }
                });
    }

    private void handOut(List<EventRecord> events) {
        for (EventRecord e : events) {
            if (e.seq() != last + 1 && !gapGivenUp(last + 1)) {
                return; // held: the rest waits for the missing number
            }
            last = e.seq();
            missing = -1;
            vertx.eventBus().publish(Addresses.STREAM_FRAMES, EventFrames.of(e), LOCAL);
        }
        if (events.size() == PAGE) {
            again = true;
        }
    }

    /** True once {@code seq} has been missing for longer than a commit takes. */
    private boolean gapGivenUp(long seq) {
        long now = System.nanoTime();
        if (missing != seq) {
            missing = seq;
            missingSince = now;
            return false;
        }
        return now - missingSince > HOLD_MS * 1_000_000;
    }

    @Override
    public Future<?> stop() {
        return pool == null ? Future.succeededFuture() : pool.close();
    }
}
