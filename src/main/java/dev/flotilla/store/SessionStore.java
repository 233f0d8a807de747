package dev.flotilla.store;

import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.flotilla.json.Json;
import io.vertx.core.Future;
import io.vertx.sqlclient.Pool;
import io.vertx.sqlclient.Tuple;

import java.time.Instant;
import java.time.OffsetDateTime;
import java.time.ZoneOffset;
import java.util.Optional;

/**
 * Browser sessions: the hash of an opaque token (the cookie), who signed in, the CSRF token the page
 * must send back, and when it expires. The token itself is never stored.
 */
public final class SessionStore {
    private static final String INSERT = """
            INSERT INTO sessions (token_hash, uid, csrf_token, identity, expires_at) VALUES ($1, $2, $3, $4::text::jsonb, $5)
            """;
    private static final String FIND = """
            SELECT csrf_token, identity::text AS identity, expires_at FROM sessions
            WHERE token_hash = $1 AND expires_at > now()
            """;
    private static final String DELETE = "DELETE FROM sessions WHERE token_hash = $1";
    private static final String DELETE_EXPIRED = "DELETE FROM sessions WHERE expires_at <= now()";

    private final Pool pool;

    public SessionStore(Pool pool) {
        this.pool = pool;
    }

    public record Session(String csrfToken, ObjectNode identity, Instant expiresAt) {
    }

    /** Stores a new session, and forgets the expired ones while at it. */
    public Future<Void> create(String tokenHash, int uid, String csrfToken, ObjectNode identity, Instant expiresAt) {
        return pool.query(DELETE_EXPIRED).execute().compose(v -> pool.preparedQuery(INSERT).execute(Tuple.of(tokenHash,
                uid, csrfToken, Json.write(identity), OffsetDateTime.ofInstant(expiresAt, ZoneOffset.UTC)))).mapEmpty();
    }

    public Future<Optional<Session>> find(String tokenHash) {
        return pool.preparedQuery(FIND).execute(Tuple.of(tokenHash)).map(rows -> Sql.first(rows).map(r -> new Session(
                r.getString("csrf_token"), (ObjectNode) Json.parse(r.getString("identity")),
                r.getOffsetDateTime("expires_at").toInstant())));
    }

    public Future<Void> delete(String tokenHash) {
        return pool.preparedQuery(DELETE).execute(Tuple.of(tokenHash)).mapEmpty();
    }
}
