package dev.flotilla.store;

import io.vertx.core.Future;
import io.vertx.sqlclient.Pool;

/** Whether PostgreSQL answers, for {@code /health}; what it holds, in numbers, for {@code /metrics}. */
public final class Health {
    private static final String SERVICES_BY_STATE = "SELECT state, count(*) AS n FROM services GROUP BY state";
    private static final String PENDING_BATCHES = """
            SELECT count(*) AS n FROM role_action_batches WHERE next_index < cardinality(vm_ids)
            """;
    private final Pool pool;

    public Health(Pool pool) {
        this.pool = pool;
    }

    /** Services per state number (states with none are absent). */
    public Future<java.util.Map<Integer, Long>> servicesByState() {
        return pool.query(SERVICES_BY_STATE).execute().map(rows -> {
            java.util.Map<Integer, Long> out = new java.util.HashMap<>();
            rows.forEach(r -> out.put(r.getInteger("state"), r.getLong("n")));
            return out;
        });
    }

    /** Role-action batches not yet run. */
    public Future<Long> pendingBatches() {
        return pool.query(PENDING_BATCHES).execute().map(rows -> rows.iterator().next().getLong("n"));
    }

    /** Null when PostgreSQL answers a trivial query, else why not (in words fit for anyone). */
    public Future<String> database() {
        return pool.query("SELECT 1").execute().map(rows -> (String) null)
                .recover(e -> Future.succeededFuture(StoreFailures.classify(e) == StoreFailures.Kind.UNAVAILABLE
                        ? "unavailable" : "failing"));
    }
}
