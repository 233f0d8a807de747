package dev.flotilla.store;

import io.vertx.core.Future;
import io.vertx.sqlclient.Pool;
import io.vertx.sqlclient.Row;
import io.vertx.sqlclient.Tuple;

import java.time.Instant;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;

/** Persisted role-action batches; the engine's timer claims the due ones. */
public final class RoleActionStore {
    private static final String INSERT = """
            INSERT INTO role_action_batches (service_id, role_name, action, args, number, period, vm_ids, next_at)
            VALUES ($1, $2, $3, $4, $5, $6, $7, $8) RETURNING id
            """;
    private static final String CANCEL = """
            DELETE FROM role_action_batches WHERE id = $1 AND service_id = $2 AND ($3::text IS NULL OR role_name = $3)
            RETURNING id
            """;
    /**
     * Claims one batch of each due action and moves it on (next VM, next time) in one statement,
     * before the VMs are acted on: a restart continues with the next batch, never repeats one.
     */
    private static final String CLAIM_DUE = """
            UPDATE role_action_batches b
               SET next_index = LEAST(b.next_index + d.step, cardinality(b.vm_ids)),
                   next_at = b.next_at + make_interval(secs => b.period)
              FROM (SELECT id, next_index AS from_index,
                           CASE WHEN number > 0 AND period > 0 THEN number ELSE cardinality(vm_ids) END AS step
                      FROM role_action_batches
                     WHERE next_index < cardinality(vm_ids) AND next_at <= $1
                       AND service_id IN (SELECT id FROM services WHERE owner_node = $3)
                     ORDER BY next_at LIMIT $2 FOR UPDATE SKIP LOCKED) d
             WHERE b.id = d.id
            RETURNING b.id, b.service_id, b.role_name, b.action, b.args, b.vm_ids, d.from_index, d.step
            """;

    private static final String DROP_OF_LEAVING = """
            DELETE FROM role_action_batches b USING services s
             WHERE s.id = b.service_id AND s.state = ANY($1)
            RETURNING b.id, b.service_id, b.role_name, b.action
            """;

    private final Pool pool;

    public RoleActionStore(Pool pool) {
        this.pool = pool;
    }

    /** A role action to run: VMs of one role, {@code number} every {@code period} seconds from {@code start}. */
    public record NewBatch(int serviceId, String role, String action, String args, int number, int period,
                           List<Integer> vmIds, Instant start) {
    }

    /** One claimed batch: its VMs, and which batch of how many it is. */
    public record Claimed(long id, int serviceId, String role, String action, String args, List<Integer> vmIds,
                          int batch, int batches) {
    }

    /** Stores the actions; returns their ids (the scheduled-action ids users cancel them by). */
    public Future<List<Long>> insert(Tx tx, List<NewBatch> batches) {
        if (batches.isEmpty()) {
            return Future.succeededFuture(List.of());
        }
        return tx.client.preparedQuery(INSERT).executeBatch(batches.stream().map(b -> Tuple.tuple()
                .addInteger(b.serviceId()).addString(b.role()).addString(b.action()).addString(b.args())
                .addInteger(b.number()).addInteger(b.period())
                .addArrayOfInteger(b.vmIds().toArray(new Integer[0]))
                .addOffsetDateTime(Sql.utc(b.start()))).toList()).map(result -> {
                    List<Long> ids = new ArrayList<>();
                    for (var rs = result; rs != null; rs = rs.next()) {
                        rs.forEach(r -> ids.add(r.getLong("id")));
                    }
                    return ids;
                });
    }

    /** Cancels what is left of a role action; an unknown id is not an error (api.md §5.9). */
    public Future<Boolean> cancel(Tx tx, long id, int serviceId, String role) {
        return tx.client.preparedQuery(CANCEL).execute(Tuple.of(id, serviceId, role)).map(rows -> rows.size() > 0);
    }

    /** A role action dropped because its service is leaving. */
    public record Dropped(long id, int serviceId, String role, String action) {
    }

    /** Deletes what is left of the role actions of services in {@code leaving} states. */
    public Future<List<Dropped>> dropOfServicesIn(Short[] leaving) {
        return pool.preparedQuery(DROP_OF_LEAVING).execute(Tuple.of(leaving)).map(rows -> {
            List<Dropped> out = new ArrayList<>();
            rows.forEach(r -> out.add(new Dropped(r.getLong("id"), r.getInteger("service_id"), r.getString("role_name"),
                    r.getString("action"))));
            return out;
        });
    }

    /** The due batches of the services {@code node} owns (each runs once, by its service's owner). */
    public Future<List<Claimed>> claimDue(Instant now, int limit, String node) {
        return pool.preparedQuery(CLAIM_DUE).execute(Tuple.of(Sql.utc(now), limit, node)).map(rows -> {
            List<Claimed> out = new ArrayList<>();
            for (Row r : rows) {
                List<Integer> all = Arrays.asList(r.getArrayOfIntegers("vm_ids"));
                int from = r.getInteger("from_index");
                int step = Math.max(1, r.getInteger("step"));
                List<Integer> slice = all.subList(from, Math.min(all.size(), from + step));
                out.add(new Claimed(r.getLong("id"), r.getInteger("service_id"), r.getString("role_name"),
                        r.getString("action"), r.getString("args"), List.copyOf(slice), from / step + 1,
                        (all.size() + step - 1) / step));
            }
            return out;
        });
    }
}
