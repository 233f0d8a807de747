package dev.flotilla.store;

import com.fasterxml.jackson.databind.JsonNode;
import dev.flotilla.json.Json;
import io.vertx.core.Future;
import io.vertx.sqlclient.Pool;
import io.vertx.sqlclient.Row;
import io.vertx.sqlclient.Tuple;

import java.util.Optional;

/**
 * The journal of accepted commands ({@code operations}): one row per command, written in the
 * command's own transaction. An {@code Idempotency-Key} is unique here, so a retry finds the
 * committed answer, and two racing requests with one key cannot both commit.
 */
public final class OperationJournal {
    private static final String INSERT = """
            INSERT INTO operations (kind, service_id, template_id, uid, params, idempotency_key, request_hash,
                                    status, body)
            VALUES ($1, $2, $3, $4, $5::text::jsonb, $6, $7, $8, $9)
            """;
    private static final String FIND = """
            SELECT uid, request_hash, status, body FROM operations WHERE idempotency_key = $1
            """;
    private static final String PURGE = """
            DELETE FROM operations WHERE created_at < now() - make_interval(secs => $1)
            """;

    private final Pool pool;

    public OperationJournal(Pool pool) {
        this.pool = pool;
    }

    /** A command as journaled: what it was, who asked, with which key, and its answer. */
    public record Entry(String kind, Integer serviceId, Integer templateId, int uid, JsonNode params,
                        String idempotencyKey, String requestHash, int status, JsonNode body) {
    }

    /** The committed answer to a keyed request, and what it was asked with. */
    public record Answered(int uid, String requestHash, int status, JsonNode body) {
    }

    public Future<Void> record(Tx tx, Entry e) {
        return tx.client.preparedQuery(INSERT).execute(Tuple.tuple().addString(e.kind()).addInteger(e.serviceId())
                        .addInteger(e.templateId()).addInteger(e.uid()).addString(Json.write(e.params()))
                        .addString(e.idempotencyKey()).addString(e.requestHash()).addShort((short) e.status())
                        .addString(e.body() == null ? null : Json.write(e.body())))
                .mapEmpty();
    }

    public Future<Optional<Answered>> find(String idempotencyKey) {
        return pool.preparedQuery(FIND).execute(Tuple.of(idempotencyKey)).map(rows -> Sql.first(rows)
                .map(OperationJournal::answered));
    }

    /** Keeps the journal to a window (a key is honoured for at least that long). */
    public Future<Integer> purgeOlderThan(long seconds) {
        return pool.preparedQuery(PURGE).execute(Tuple.of((double) seconds)).map(rows -> rows.rowCount());
    }

    /** True when {@code failure} is a second commit of a key the journal already holds. */
    public static boolean isDuplicateKey(Throwable failure) {
        for (Throwable t = failure; t != null; t = t.getCause()) {
            if (t instanceof io.vertx.pgclient.PgException pg && "23505".equals(pg.getSqlState())
                    && "operations_idempotency_key_key".equals(pg.getConstraint())) {
                return true;
            }
        }
        return false;
    }

    private static Answered answered(Row r) {
        String body = r.getString("body");
        return new Answered(r.getInteger("uid"), r.getString("request_hash"), r.getInteger("status"),
                body == null ? null : Json.parse(body));
    }
}
