package dev.flotilla.store;

import dev.flotilla.domain.ServiceState;
import io.vertx.core.Future;
import io.vertx.sqlclient.Pool;
import io.vertx.sqlclient.Row;
import io.vertx.sqlclient.Tuple;

import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;

/**
 * Node leases and service ownership (V11): a node joins with a new epoch and takes its own
 * services back under it, renews its lease for all of them in one statement, and takes over the
 * services of nodes whose lease ran out. Every plan commit is fenced by {@link Fence}.
 */
public final class LeaseStore {
    /** A node's identity in its commits: the service must be its, under this epoch, and the lease alive. */
    public record Fence(String node, long epoch) {
    }

    private static final String JOIN = """
            INSERT INTO cluster_nodes (node_id, epoch, expires_at) VALUES ($1, 1, now() + make_interval(secs => $2))
            ON CONFLICT (node_id) DO UPDATE SET epoch = cluster_nodes.epoch + 1, expires_at = EXCLUDED.expires_at,
                   joined_at = now()
            RETURNING epoch
            """;
    /** A restarted node is the same node: its services pass to its new epoch at once (the old one is fenced). */
    private static final String RECLAIM_OWN = """
            UPDATE services SET owner_epoch = $2 WHERE owner_node = $1 RETURNING id
            """;
    private static final String RENEW = """
            UPDATE cluster_nodes SET expires_at = now() + make_interval(secs => $3) WHERE node_id = $1 AND epoch = $2
            """;
    private static final String LIVE_NODES = "SELECT node_id FROM cluster_nodes WHERE expires_at > now() ORDER BY node_id";
    /**
     * Services of nodes whose lease ran out (a grace after it, for a paused node to notice) or of
     * none, oldest first, skipping rows a commit holds; DONE ones are left where they are.
     */
    private static final String TAKE_OVER = """
            UPDATE services s SET owner_node = $1, owner_epoch = $2
             WHERE s.id IN (SELECT o.id FROM services o LEFT JOIN cluster_nodes n ON n.node_id = o.owner_node
                             WHERE o.state <> $3 AND (o.owner_node IS NULL
                                   OR (o.owner_node <> $1 AND n.expires_at < now() - make_interval(secs => $4)))
                             ORDER BY o.id LIMIT $5 FOR UPDATE OF o SKIP LOCKED)
            RETURNING s.id
            """;
    private static final String OWNER_OF = """
            SELECT s.owner_node, n.expires_at > now() AS alive FROM services s
              LEFT JOIN cluster_nodes n ON n.node_id = s.owner_node WHERE s.id = $1
            """;
    /** Takes one service whose owner is gone (a command for it arrived here). */
    private static final String CLAIM = """
            UPDATE services s SET owner_node = $2, owner_epoch = $3
             WHERE s.id = $1 AND (s.owner_node IS NULL OR s.owner_node = $2 OR NOT EXISTS (
                   SELECT 1 FROM cluster_nodes n WHERE n.node_id = s.owner_node AND n.expires_at > now()))
            """;
    /**
     * A commit's fence, checked in its transaction: the lease is alive under this epoch. (No row lock:
     * a takeover skips the service rows the commit holds, so it can only follow the commit.)
     */
    static final String LEASE_ALIVE =
            "SELECT 1 FROM cluster_nodes WHERE node_id = $1 AND epoch = $2 AND expires_at > now()";

    private final Pool pool;

    public LeaseStore(Pool pool) {
        this.pool = pool;
    }

    /** Joins (or rejoins) with a new epoch and takes this node's own services under it. */
    public Future<Joined> join(String node, Duration ttl) {
        return Tx.run(pool, tx -> tx.client.preparedQuery(JOIN).execute(Tuple.of(node, ttl.toSeconds()))
                .compose(rows -> {
                    long epoch = rows.iterator().next().getLong("epoch");
                    return tx.client.preparedQuery(RECLAIM_OWN).execute(Tuple.of(node, epoch))
                            .map(owned -> new Joined(epoch, ids(owned)));
                }));
    }

    public record Joined(long epoch, List<Integer> owned) {
    }

    /** True when the lease was still this epoch's (renewed); false when another incarnation replaced it. */
    public Future<Boolean> renew(Fence fence, Duration ttl) {
        return pool.preparedQuery(RENEW).execute(Tuple.of(fence.node(), fence.epoch(), ttl.toSeconds()))
                .map(rows -> rows.rowCount() == 1);
    }

    public Future<List<String>> liveNodes() {
        return pool.query(LIVE_NODES).execute().map(rows -> {
            List<String> out = new ArrayList<>();
            rows.forEach(r -> out.add(r.getString("node_id")));
            return out;
        });
    }

    /** Up to {@code limit} services of dead nodes (or of none) become this node's; their ids. */
    public Future<List<Integer>> takeOver(Fence fence, Duration grace, int limit) {
        return pool.preparedQuery(TAKE_OVER).execute(Tuple.tuple().addString(fence.node()).addLong(fence.epoch())
                .addShort((short) ServiceState.DONE.number()).addLong(grace.toSeconds()).addInteger(limit))
                .map(LeaseStore::ids);
    }

    /** The owner of a service and whether its lease is alive; empty when the service does not exist. */
    public Future<Optional<Owner>> ownerOf(int serviceId) {
        return pool.preparedQuery(OWNER_OF).execute(Tuple.of(serviceId)).map(rows -> {
            if (rows.rowCount() == 0) {
                return Optional.empty();
            }
            Row r = rows.iterator().next();
            return Optional.of(new Owner(r.getString("owner_node"), Boolean.TRUE.equals(r.getBoolean("alive"))));
        });
    }

    public record Owner(String node, boolean alive) {
    }

    /** True when the service is now this node's (it was, or its owner is gone). */
    public Future<Boolean> claim(int serviceId, Fence fence) {
        return pool.preparedQuery(CLAIM).execute(Tuple.of(serviceId, fence.node(), fence.epoch()))
                .map(rows -> rows.rowCount() == 1);
    }

    private static List<Integer> ids(io.vertx.sqlclient.RowSet<Row> rows) {
        List<Integer> ids = new ArrayList<>();
        rows.forEach(r -> ids.add(r.getInteger("id")));
        return ids;
    }
}
