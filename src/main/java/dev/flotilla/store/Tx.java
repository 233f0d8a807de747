package dev.flotilla.store;

import io.vertx.core.Future;
import io.vertx.sqlclient.Pool;
import io.vertx.sqlclient.SqlClient;

import java.util.function.Function;

/**
 * One PostgreSQL transaction that repository calls are composed in: it commits when the composed
 * future succeeds and rolls back when it fails, so a command's effect, its journal row and its
 * events are all there or none is.
 */
public final class Tx {
    final SqlClient client;

    private Tx(SqlClient client) {
        this.client = client;
    }

    /** Runs {@code work} in a new transaction on {@code pool}. */
    public static <T> Future<T> run(Pool pool, Function<Tx, Future<T>> work) {
        return pool.withTransaction(connection -> work.apply(new Tx(connection)));
    }
}
