package dev.flotilla.store;

import io.vertx.core.Future;
import io.vertx.sqlclient.Pool;

/** Whether PostgreSQL answers, for {@code /health}. */
public final class Health {
    private final Pool pool;

    public Health(Pool pool) {
        this.pool = pool;
    }

    /** Null when PostgreSQL answers a trivial query, else why not (in words fit for anyone). */
    public Future<String> database() {
        return pool.query("SELECT 1").execute().map(rows -> (String) null)
                .recover(e -> Future.succeededFuture(StoreFailures.classify(e) == StoreFailures.Kind.UNAVAILABLE
                        ? "unavailable" : "failing"));
    }
}
