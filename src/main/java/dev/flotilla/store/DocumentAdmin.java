package dev.flotilla.store;

import io.vertx.core.Future;
import io.vertx.sqlclient.Pool;
import io.vertx.sqlclient.Tuple;

import java.util.Optional;

/**
 * Ownership, permissions and names of documents (services and service templates): what OneFlow's
 * chown, chgrp, chmod and rename change. None of it is lifecycle state.
 */
public final class DocumentAdmin {
    /** The two kinds of document; the table name never comes from input. */
    public enum Kind {
        SERVICE("services"), TEMPLATE("service_templates");

        final String table;

        Kind(String table) {
            this.table = table;
        }
    }

    private static final String USER_EXISTS = "SELECT gid FROM users WHERE id = $1";
    private static final String GROUP_EXISTS = "SELECT 1 FROM groups WHERE id = $1";

    private final Pool pool;

    public DocumentAdmin(Pool pool) {
        this.pool = pool;
    }

    /** The user's primary group, or empty when there is no such user. */
    public Future<Optional<Integer>> userGroup(int uid) {
        return pool.preparedQuery(USER_EXISTS).execute(Tuple.of(uid))
                .map(rows -> Sql.first(rows).map(r -> r.getInteger("gid")));
    }

    public Future<Boolean> groupExists(int gid) {
        return pool.preparedQuery(GROUP_EXISTS).execute(Tuple.of(gid)).map(rows -> rows.size() > 0);
    }

    /** {@code uid} or {@code gid} of -1 keeps the current value. */
    public Future<Boolean> chown(Tx tx, Kind kind, int id, int uid, int gid) {
        String sql = "UPDATE " + kind.table + " SET uid = CASE WHEN $2 < 0 THEN uid ELSE $2 END,"
                + " gid = CASE WHEN $3 < 0 THEN gid ELSE $3 END WHERE id = $1";
        return tx.client.preparedQuery(sql).execute(Tuple.of(id, uid, gid)).map(r -> r.rowCount() > 0);
    }

    public Future<Boolean> chmod(Tx tx, Kind kind, int id, int permissions) {
        return tx.client.preparedQuery("UPDATE " + kind.table + " SET permissions = $2 WHERE id = $1")
                .execute(Tuple.of(id, permissions)).map(r -> r.rowCount() > 0);
    }

    public Future<Boolean> rename(Tx tx, Kind kind, int id, String name) {
        return tx.client.preparedQuery("UPDATE " + kind.table + " SET name = $2 WHERE id = $1")
                .execute(Tuple.of(id, name)).map(r -> r.rowCount() > 0);
    }
}
