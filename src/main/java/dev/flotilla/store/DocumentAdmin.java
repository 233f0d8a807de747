package dev.flotilla.store;

import dev.flotilla.domain.Permissions;
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

    /** Who owns a document and its mode, or empty when there is no such document. */
    public Future<Optional<Permissions.Owned>> owner(Kind kind, int id) {
        return pool.preparedQuery("SELECT uid, gid, permissions FROM " + kind.table + " WHERE id = $1")
                .execute(Tuple.of(id)).map(rows -> Sql.first(rows).map(r -> new Permissions.Owned(
                        r.getInteger("uid"), r.getInteger("gid"), r.getInteger("permissions"))));
    }

    /**
     * {@link Permissions#allows} as SQL on the rows of {@code alias}, with the caller's uid in
     * parameter {@code $uidParam} and its groups (an int array) in {@code $groupsParam}: the lists,
     * the event replay and purge-done filter with it.
     */
    static String permitted(Permissions.Right right, String alias, int uidParam, int groupsParam) {
        int other = right.bit();
        String uid = "$" + uidParam + "::int";
        String groups = "$" + groupsParam + "::int[]";
        return "(" + uid + " = 0 OR 0 = ANY(" + groups + ")"
                + " OR (" + alias + ".uid = " + uid + " AND " + alias + ".permissions & " + (other << 6) + " <> 0)"
                + " OR (" + alias + ".gid = ANY(" + groups + ") AND " + alias + ".permissions & " + (other << 3)
                + " <> 0)"
                + " OR " + alias + ".permissions & " + other + " <> 0)";
    }

    static Integer[] groupsOf(Permissions.Caller caller) {
        return caller.groups().toArray(new Integer[0]);
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
