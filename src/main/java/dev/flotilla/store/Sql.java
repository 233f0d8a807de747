package dev.flotilla.store;

import io.vertx.core.Future;
import io.vertx.sqlclient.Row;
import io.vertx.sqlclient.RowSet;
import io.vertx.sqlclient.SqlClient;
import io.vertx.sqlclient.Tuple;

import java.time.Instant;
import java.time.OffsetDateTime;
import java.time.ZoneOffset;
import java.util.List;
import java.util.Optional;

/** Small helpers every repository uses with the reactive client. */
public final class Sql {
    private Sql() {
    }

    public static Optional<Row> first(RowSet<Row> rows) {
        var it = rows.iterator();
        return it.hasNext() ? Optional.of(it.next()) : Optional.empty();
    }

    /** One prepared statement for many rows; nothing is sent for none. */
    public static Future<Void> batch(SqlClient client, String sql, List<Tuple> rows) {
        return rows.isEmpty() ? Future.succeededFuture() : client.preparedQuery(sql).executeBatch(rows).mapEmpty();
    }

    public static OffsetDateTime utc(Instant instant) {
        return instant == null ? null : instant.atOffset(ZoneOffset.UTC);
    }
}
