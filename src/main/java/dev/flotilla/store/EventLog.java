package dev.flotilla.store;

import dev.flotilla.domain.Permissions;
import dev.flotilla.domain.ServiceEvent;
import dev.flotilla.json.Json;
import io.vertx.core.Future;
import io.vertx.sqlclient.Pool;
import io.vertx.sqlclient.Row;
import io.vertx.sqlclient.RowSet;
import io.vertx.sqlclient.SqlClient;
import io.vertx.sqlclient.Tuple;

import java.util.ArrayList;
import java.util.Collection;
import java.util.List;

/**
 * Each service's timeline ({@code service_events}): events appended on their own or within a
 * transaction ({@link PlanWriter} appends a plan's events in the plan's own), and read back by
 * sequence number for the event stream's replay (only of services the reader may USE). Statements that must be one with what they belong
 * to stay there: the service document's recent log and the purge of DONE services' timelines
 * ({@link ServiceRepository}), and the {@code vm_state} events of an observation ({@link VmObservations}).
 */
public final class EventLog {
    private static final String INSERT_EVENT = """
            INSERT INTO service_events (service_id, kind, severity, message, data) VALUES ($1, $2, $3, $4, $5::text::jsonb)
            RETURNING seq, at
            """;
    private static final String EVENTS_SINCE = """
            SELECT e.seq, e.service_id, e.at, e.kind, e.severity, e.message, e.data::text AS data
            FROM service_events e JOIN services s ON s.id = e.service_id
            WHERE e.seq > $1 AND (cardinality($2::int[]) = 0 OR e.service_id = ANY($2)) AND %s
            ORDER BY e.seq LIMIT $3
            """.formatted(DocumentAdmin.permitted(Permissions.Right.USE, "s", 4, 5));

    private static final String EVENTS_AFTER = """
            SELECT seq, service_id, at, kind, severity, message, data::text AS data
            FROM service_events WHERE seq > $1 ORDER BY seq LIMIT $2
            """;
    private static final String LAST_SEQ = "SELECT COALESCE(max(seq), 0) AS seq FROM service_events";

    private final Pool pool;

    public EventLog(Pool pool) {
        this.pool = pool;
    }

    /** Appends events to a service's timeline, returning them with their sequence numbers. */
    public Future<List<EventRecord>> appendEvents(int serviceId, List<ServiceEvent> events) {
        return insertEvents(pool, serviceId, events);
    }

    public Future<List<EventRecord>> appendEvents(Tx tx, int serviceId, List<ServiceEvent> events) {
        return insertEvents(tx.client, serviceId, events);
    }

    /** Stored events after {@code since}, oldest first, optionally of some services only (stream replay). */
    public Future<List<EventRecord>> eventsSince(Permissions.Caller caller, long since, Collection<Integer> serviceIds,
                                                 int limit) {
        Tuple args = Tuple.tuple().addLong(since).addArrayOfInteger(serviceIds.toArray(new Integer[0])).addInteger(limit)
                .addInteger(caller.uid()).addArrayOfInteger(DocumentAdmin.groupsOf(caller));
        return pool.preparedQuery(EVENTS_SINCE).execute(args).map(rows -> {
            List<EventRecord> out = new ArrayList<>();
            rows.forEach(r -> out.add(new EventRecord(r.getLong("seq"), r.getInteger("service_id"),
                    r.getOffsetDateTime("at").toInstant(), r.getString("kind"), r.getString("severity").charAt(0),
                    r.getString("message"), r.getString("data") == null ? null : Json.parse(r.getString("data")))));
            return out;
        });
    }

    /** Every service's events after {@code seq}, oldest first (a node's tail of the cluster's events). */
    public Future<List<EventRecord>> eventsAfter(long seq, int limit) {
        return pool.preparedQuery(EVENTS_AFTER).execute(Tuple.of(seq, limit)).map(rows -> {
            List<EventRecord> out = new ArrayList<>();
            rows.forEach(r -> out.add(new EventRecord(r.getLong("seq"), r.getInteger("service_id"),
                    r.getOffsetDateTime("at").toInstant(), r.getString("kind"), r.getString("severity").charAt(0),
                    r.getString("message"), r.getString("data") == null ? null : Json.parse(r.getString("data")))));
            return out;
        });
    }

    /** The newest event's sequence number (0 when there is none). */
    public Future<Long> lastSeq() {
        return pool.query(LAST_SEQ).execute().map(rows -> rows.iterator().next().getLong("seq"));
    }

    /** The one way events are appended, on the pool or within another repository's transaction. */
    static Future<List<EventRecord>> insertEvents(SqlClient client, int serviceId, List<ServiceEvent> events) {
        if (events.isEmpty()) {
            return Future.succeededFuture(List.of());
        }
        List<Tuple> rows = events.stream().map(e -> Tuple.of(serviceId, e.kind(), String.valueOf(e.severity()),
                e.message(), Json.write(e.data()))).toList();
        return client.preparedQuery(INSERT_EVENT).executeBatch(rows).map(result -> {
            List<EventRecord> out = new ArrayList<>();
            RowSet<Row> rs = result;
            for (ServiceEvent e : events) {
                Row r = rs.iterator().next();
                out.add(new EventRecord(r.getLong("seq"), serviceId, r.getOffsetDateTime("at").toInstant(), e.kind(),
                        e.severity(), e.message(), Json.MAPPER.valueToTree(e.data())));
                rs = rs.next();
            }
            return out;
        });
    }
}
