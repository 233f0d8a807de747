package dev.flotilla.store;

import dev.flotilla.domain.NetworkStates;
import dev.flotilla.domain.ServiceEvent;
import io.vertx.core.Future;
import io.vertx.sqlclient.Pool;
import io.vertx.sqlclient.Row;
import io.vertx.sqlclient.Tuple;

import java.util.ArrayList;
import java.util.List;

/**
 * What is learnt about a service's networks once a plan has stored them: the id a create got, a
 * refusal, a delete sent or refused, the state the cloud reports. Rows are found by the request key
 * committed with the plan; none of these writes changes a service's state (the engine decides what
 * they mean the next time it plans).
 */
public final class NetworkObservations {
    private static final String RECORD_CREATED =
            "UPDATE service_networks SET net_id = $2 WHERE request_key = $1 AND net_id IS NULL";
    private static final String RECORD_CREATE_FAILED =
            "UPDATE service_networks SET create_error = $2 WHERE request_key = $1";
    private static final String RECORD_DELETE_SENT = """
            UPDATE service_networks SET delete_sent = true, net_id = COALESCE(net_id, $2) WHERE request_key = $1
            """;
    private static final String RECORD_DELETE_FAILED =
            "UPDATE service_networks SET delete_error = $2 WHERE request_key = $1";
    private static final String RECORD_STATE = """
            WITH before AS (SELECT id, state AS old_state FROM service_networks WHERE request_key = $1 FOR UPDATE)
            UPDATE service_networks n SET state = $3, net_id = COALESCE(n.net_id, $2), observed_at = now()
            FROM before b WHERE n.id = b.id AND n.state IS DISTINCT FROM $3
            RETURNING n.service_id, n.name, n.net_id, b.old_state
            """;
    private static final String SERVICES_OF = """
            SELECT DISTINCT service_id FROM service_networks WHERE net_id = ANY($1) AND NOT gone ORDER BY 1
            """;
    private static final String MADE_BY = """
            SELECT net_id FROM service_networks
            WHERE service_id = $1 AND NOT gone AND NOT delete_requested AND net_id IS NOT NULL ORDER BY net_id
            """;

    private final Pool pool;

    public NetworkObservations(Pool pool) {
        this.pool = pool;
    }

    public Future<Void> recordCreated(String requestKey, int netId) {
        return pool.preparedQuery(RECORD_CREATED).execute(Tuple.of(requestKey, netId)).mapEmpty();
    }

    public Future<Void> recordCreateFailed(String requestKey, String error) {
        return pool.preparedQuery(RECORD_CREATE_FAILED).execute(Tuple.of(requestKey, error)).mapEmpty();
    }

    public Future<Void> recordDeleteSent(String requestKey, Integer netId) {
        return pool.preparedQuery(RECORD_DELETE_SENT)
                .execute(Tuple.tuple().addString(requestKey).addInteger(netId)).mapEmpty();
    }

    public Future<Void> recordDeleteFailed(String requestKey, String error) {
        return pool.preparedQuery(RECORD_DELETE_FAILED).execute(Tuple.of(requestKey, error)).mapEmpty();
    }

    /**
     * The state the cloud reports for the network under {@code requestKey}; a change is written with
     * its {@code network} event in one transaction, and the events are answered (none: no change).
     */
    public Future<List<EventRecord>> recordState(String requestKey, Integer netId, int state) {
        return Tx.run(pool, tx -> tx.client.preparedQuery(RECORD_STATE)
                .execute(Tuple.tuple().addString(requestKey).addInteger(netId).addShort((short) state))
                .compose(rows -> {
                    if (rows.rowCount() == 0) {
                        return Future.succeededFuture(List.<EventRecord>of());
                    }
                    Row r = rows.iterator().next();
                    Integer id = r.getInteger("net_id");
                    String name = r.getString("name");
                    Integer before = r.getInteger("old_state");
                    String message = "Network " + name + (id == null ? "" : " (" + id + ")") + ": "
                            + (before == null ? "" : NetworkStates.name(before) + " -> ") + NetworkStates.name(state);
                    char severity = NetworkStates.isError(state) ? 'E' : 'I';
                    return EventLog.insertEvents(tx.client, r.getInteger("service_id"),
                            List.of(ServiceEvent.network(severity, name, message)));
                }));
    }

    /** The services that made these networks (a network event wakes them). */
    public Future<List<Integer>> servicesOf(List<Integer> netIds) {
        return pool.preparedQuery(SERVICES_OF).execute(Tuple.of((Object) netIds.toArray(new Integer[0])))
                .map(rows -> {
                    List<Integer> ids = new ArrayList<>();
                    rows.forEach(r -> ids.add(r.getInteger("service_id")));
                    return ids;
                });
    }

    /** The networks a service made and still has (a service chown gives them to the new owner). */
    public Future<List<Integer>> madeBy(int serviceId) {
        return pool.preparedQuery(MADE_BY).execute(Tuple.of(serviceId)).map(rows -> {
            List<Integer> ids = new ArrayList<>();
            rows.forEach(r -> ids.add(r.getInteger("net_id")));
            return ids;
        });
    }
}
