package dev.flotilla.store;

import io.vertx.core.Future;
import io.vertx.sqlclient.Pool;
import io.vertx.sqlclient.Row;
import io.vertx.sqlclient.Tuple;

/** The Idempotency-Key journal: the first answer to a mutating request, kept to be replayed. */
public final class IdempotencyStore {
    /** A request that was claimed this long ago and never answered (its server died) may be run again. */
    private static final int ABANDONED_SECONDS = 30;

    private static final String CLAIM = """
            INSERT INTO idempotency_keys (key, uid, request_hash) VALUES ($1, $2, $3)
            ON CONFLICT (key) DO NOTHING RETURNING key
            """;
    private static final String FIND = """
            SELECT uid, request_hash, status, content_type, body,
                   created_at < now() - make_interval(secs => %d) AS abandoned
            FROM idempotency_keys WHERE key = $1
            """.formatted(ABANDONED_SECONDS);
    private static final String RECLAIM = """
            UPDATE idempotency_keys SET created_at = now() WHERE key = $1 AND status IS NULL
              AND created_at < now() - make_interval(secs => %d) RETURNING key
            """.formatted(ABANDONED_SECONDS);
    private static final String COMPLETE = """
            UPDATE idempotency_keys SET status = $2, content_type = $3, body = $4 WHERE key = $1
            """;
    private static final String FORGET = "DELETE FROM idempotency_keys WHERE key = $1";

    private final Pool pool;

    public IdempotencyStore(Pool pool) {
        this.pool = pool;
    }

    /** What to do with a request that carries a key. */
    public sealed interface Claim {
        /** First time: run the request, then {@link #complete}. */
        record Run() implements Claim {
        }

        /** Answered before: send this again. */
        record Replay(int status, String contentType, String body) implements Claim {
        }

        /** The first request with this key is still being answered. */
        record InProgress() implements Claim {
        }

        /** The key was used for a different request (or by another user). */
        record Mismatch() implements Claim {
        }
    }

    public Future<Claim> claim(String key, int uid, String requestHash) {
        return pool.preparedQuery(CLAIM).execute(Tuple.of(key, uid, requestHash)).compose(inserted -> {
            if (inserted.size() > 0) {
                return Future.succeededFuture(new Claim.Run());
            }
            return pool.preparedQuery(FIND).execute(Tuple.of(key)).compose(rows -> {
                Row row = rows.iterator().next();
                if (row.getInteger("uid") != uid || !row.getString("request_hash").equals(requestHash)) {
                    return Future.succeededFuture(new Claim.Mismatch());
                }
                if (row.getInteger("status") != null) {
                    return Future.succeededFuture(new Claim.Replay(row.getInteger("status"),
                            row.getString("content_type"), row.getString("body")));
                }
                if (!row.getBoolean("abandoned")) {
                    return Future.succeededFuture(new Claim.InProgress());
                }
                return pool.preparedQuery(RECLAIM).execute(Tuple.of(key)).map(r -> r.size() > 0
                        ? new Claim.Run() : new Claim.InProgress());
            });
        });
    }

    public Future<Void> complete(String key, int status, String contentType, String body) {
        return pool.preparedQuery(COMPLETE).execute(Tuple.of(key, status, contentType, body)).mapEmpty();
    }

    /** A request that failed on the server's side is not remembered, so a retry runs it again. */
    public Future<Void> forget(String key) {
        return pool.preparedQuery(FORGET).execute(Tuple.of(key)).mapEmpty();
    }
}
