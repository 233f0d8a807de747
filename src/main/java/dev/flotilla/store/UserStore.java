package dev.flotilla.store;

import io.vertx.core.Future;
import io.vertx.sqlclient.Pool;
import io.vertx.sqlclient.Row;
import io.vertx.sqlclient.Tuple;

import java.util.ArrayList;
import java.util.List;
import java.util.Optional;

/** Users and groups (decision 8). Only password hashes are stored; hashing happens in the caller. */
public final class UserStore {
    private static final String SELECT_USER = """
            SELECT u.id, u.name, u.gid, g.name AS gname, u.password_hash,
                   ARRAY(SELECT ug.gid FROM user_groups ug WHERE ug.uid = u.id ORDER BY ug.gid) AS groups
            FROM users u JOIN groups g ON g.id = u.gid
            """;
    private static final String FIND = SELECT_USER + " WHERE u.name = $1";
    private static final String LIST_USERS = SELECT_USER + " ORDER BY u.id";
    private static final String LIST_GROUPS = "SELECT id, name FROM groups ORDER BY id";
    private static final String MISSING_GROUPS = """
            SELECT g FROM unnest($1::int[]) AS g WHERE NOT EXISTS (SELECT 1 FROM groups WHERE id = g)
            """;
    private static final String INSERT_USER = """
            INSERT INTO users (id, name, gid, password_hash) VALUES (nextval('sim_user_id_seq'), $1, $2, $3)
            ON CONFLICT (name) DO NOTHING RETURNING id
            """;
    private static final String INSERT_USER_GROUPS = "INSERT INTO user_groups (uid, gid) SELECT $1, unnest($2::int[])";
    /** Deletes a user that owns no document; says whether there was one and whether it owns any. */
    private static final String DELETE_USER = """
            WITH target AS (SELECT u.id, EXISTS (SELECT 1 FROM services s WHERE s.uid = u.id)
                                      OR EXISTS (SELECT 1 FROM service_templates t WHERE t.uid = u.id) AS owns
                              FROM users u WHERE u.id = $1 AND u.id <> 0),
                 gone AS (DELETE FROM users WHERE id IN (SELECT id FROM target WHERE NOT owns) RETURNING id)
            SELECT (SELECT count(*) FROM target) AS found, (SELECT count(*) FROM gone) AS deleted
            """;
    private static final String INSERT_GROUP = """
            INSERT INTO groups (id, name) VALUES (nextval('sim_group_id_seq'), $1) ON CONFLICT (name) DO NOTHING
            RETURNING id
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
    private static final String MIRROR_USER_GROUP = """
            INSERT INTO user_groups (uid, gid) VALUES ($1, $2) ON CONFLICT DO NOTHING
            """;

    private final Pool pool;

    public UserStore(Pool pool) {
        this.pool = pool;
    }

    /**
     * A user, every group it belongs to (the primary one first among them is not implied: all are
     * listed) and the hash to check a password against (null when no password was ever set).
     */
    public record UserRow(int id, String name, int gid, String gname, String passwordHash, List<Integer> groups) {
        public UserRow {
            groups = List.copyOf(groups);
        }
    }

    public record GroupRow(int id, String name) {
    }

    public Future<Optional<UserRow>> find(String name) {
        return pool.preparedQuery(FIND).execute(Tuple.of(name)).map(rows -> Sql.first(rows).map(UserStore::user));
    }

    public Future<List<UserRow>> users() {
        return pool.query(LIST_USERS).execute().map(rows -> {
            List<UserRow> out = new ArrayList<>();
            rows.forEach(r -> out.add(user(r)));
            return out;
        });
    }

    public Future<List<GroupRow>> groups() {
        return pool.query(LIST_GROUPS).execute().map(rows -> {
            List<GroupRow> out = new ArrayList<>();
            rows.forEach(r -> out.add(new GroupRow(r.getInteger("id"), r.getString("name"))));
            return out;
        });
    }

    /** The ids among {@code gids} that name no group. */
    public Future<List<Integer>> missingGroups(List<Integer> gids) {
        return pool.preparedQuery(MISSING_GROUPS).execute(Tuple.tuple().addArrayOfInteger(gids.toArray(new Integer[0]))).map(rows -> {
            List<Integer> out = new ArrayList<>();
            rows.forEach(r -> out.add(r.getInteger(0)));
            return out;
        });
    }

    /** A new user in {@code groups} (the first is its primary group): its id, or empty when the name is taken. */
    public Future<Optional<Integer>> createUser(String name, String passwordHash, List<Integer> groups) {
        return Tx.run(pool, tx -> tx.client.preparedQuery(INSERT_USER).execute(Tuple.of(name, groups.get(0), passwordHash))
                .map(rows -> Sql.first(rows).map(r -> r.getInteger("id")))
                .compose(id -> id.isEmpty() ? Future.succeededFuture(id) : tx.client.preparedQuery(INSERT_USER_GROUPS)
                        .execute(Tuple.tuple().addInteger(id.get()).addArrayOfInteger(groups.toArray(new Integer[0])))
                        .map(id)));
    }

    public enum Deletion { DELETED, NOT_FOUND, OWNS_DOCUMENTS }

    /** Deletes a user (never oneadmin) unless it still owns services or templates. */
    public Future<Deletion> deleteUser(int id) {
        return pool.preparedQuery(DELETE_USER).execute(Tuple.of(id)).map(rows -> {
            Row r = rows.iterator().next();
            return r.getLong("deleted") > 0 ? Deletion.DELETED
                    : r.getLong("found") > 0 ? Deletion.OWNS_DOCUMENTS : Deletion.NOT_FOUND;
        });
    }

    /** A new group: its id, or empty when the name is taken. */
    public Future<Optional<Integer>> createGroup(String name) {
        return pool.preparedQuery(INSERT_GROUP).execute(Tuple.of(name))
                .map(rows -> Sql.first(rows).map(r -> r.getInteger("id")));
    }

    private static UserRow user(Row r) {
        List<Integer> groups = new ArrayList<>();
        for (Object g : r.getArrayOfIntegers("groups")) {
            groups.add((Integer) g);
        }
        return new UserRow(r.getInteger("id"), r.getString("name"), r.getInteger("gid"), r.getString("gname"),
                r.getString("password_hash"), groups);
    }

    /** Keeps a copy of the cloud's user and its group, so documents can be owned by them and named. */
    public Future<Void> mirror(int uid, String name, int gid, String gname) {
        return Tx.run(pool, tx -> tx.client.preparedQuery(MIRROR_GROUP).execute(Tuple.of(gid, gname))
                .compose(v -> tx.client.preparedQuery(MIRROR_USER).execute(Tuple.of(uid, name, gid)))
                .compose(v -> tx.client.preparedQuery(MIRROR_USER_GROUP).execute(Tuple.of(uid, gid))).mapEmpty());
    }

    public Future<Void> setPasswordHash(String name, String hash) {
        return pool.preparedQuery(SET_PASSWORD).execute(Tuple.of(name, hash)).mapEmpty();
    }
}
