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
    /** The cloud's user and group, as it names them now (a rename in oned follows here). */
    private static final String MIRROR_GROUP = """
            INSERT INTO groups (id, name) VALUES ($1, $2) ON CONFLICT (id) DO UPDATE SET name = EXCLUDED.name
            WHERE groups.name IS DISTINCT FROM EXCLUDED.name
            """;
    private static final String MIRROR_USER = """
            INSERT INTO users (id, name, gid) VALUES ($1, $2, $3)
            ON CONFLICT (id) DO UPDATE SET name = EXCLUDED.name, gid = EXCLUDED.gid
            WHERE users.name IS DISTINCT FROM EXCLUDED.name OR users.gid IS DISTINCT FROM EXCLUDED.gid
            """;

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

    /** Keeps a copy of the cloud's user and its group, so documents can be owned by them and named. */
    public Future<Void> mirror(int uid, String name, int gid, String gname) {
        return Tx.run(pool, tx -> tx.client.preparedQuery(MIRROR_GROUP).execute(Tuple.of(gid, gname))
                .compose(v -> tx.client.preparedQuery(MIRROR_USER).execute(Tuple.of(uid, name, gid))).mapEmpty());
    }

    public Future<Void> setPasswordHash(String name, String hash) {
        return pool.preparedQuery(SET_PASSWORD).execute(Tuple.of(name, hash)).mapEmpty();
    }
}
