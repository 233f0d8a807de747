package dev.flotilla.store;

import io.vertx.core.Future;
import io.vertx.sqlclient.Pool;
import io.vertx.sqlclient.Tuple;

import java.util.Optional;

/** Users and groups (decision 8). Only password hashes are stored; hashing happens in the caller. */
public final class UserStore {
    private static final String FIND = """
            SELECT u.id, u.name, u.gid, g.name AS gname, u.password_hash
            FROM users u JOIN groups g ON g.id = u.gid WHERE u.name = $1
            """;
    private static final String SET_PASSWORD = "UPDATE users SET password_hash = $2 WHERE name = $1";

    private final Pool pool;

    public UserStore(Pool pool) {
        this.pool = pool;
    }

    /** A user and the hash to check a password against (null when no password was ever set). */
    public record UserRow(int id, String name, int gid, String gname, String passwordHash) {
    }

    public Future<Optional<UserRow>> find(String name) {
        return pool.preparedQuery(FIND).execute(Tuple.of(name)).map(rows -> Sql.first(rows)
                .map(r -> new UserRow(r.getInteger("id"), r.getString("name"), r.getInteger("gid"),
                        r.getString("gname"), r.getString("password_hash"))));
    }

    public Future<Void> setPasswordHash(String name, String hash) {
        return pool.preparedQuery(SET_PASSWORD).execute(Tuple.of(name, hash)).mapEmpty();
    }
}
