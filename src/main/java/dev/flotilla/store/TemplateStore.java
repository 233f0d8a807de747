package dev.flotilla.store;

import dev.flotilla.json.Json;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.flotilla.domain.Permissions;
import io.vertx.core.Future;
import io.vertx.sqlclient.Pool;
import io.vertx.sqlclient.Row;
import io.vertx.sqlclient.Tuple;

import java.util.ArrayList;
import java.util.List;
import java.util.Optional;

/** Service templates: OpenNebula-style documents with a JSON body. */
public final class TemplateStore {
    private static final String SELECT = """
            SELECT t.id, t.uid, t.gid, u.name AS uname, g.name AS gname, t.name, t.permissions, t.body::text AS body
            FROM service_templates t JOIN users u ON u.id = t.uid JOIN groups g ON g.id = t.gid
            """;
    private static final String FIND = SELECT + " WHERE t.id = $1";
    private static final String LIST = SELECT + " WHERE " + DocumentAdmin.permitted(Permissions.Right.USE, "t", 1, 2) + " ORDER BY t.id";
    private static final String INSERT = """
            INSERT INTO service_templates (uid, gid, name, body) VALUES ($1, $2, $3, $4::text::jsonb) RETURNING id
            """;
    private static final String UPDATE_BODY = "UPDATE service_templates SET body = $2::text::jsonb WHERE id = $1";
    private static final String DELETE = "DELETE FROM service_templates WHERE id = $1";

    private final Pool pool;

    public TemplateStore(Pool pool) {
        this.pool = pool;
    }

    public Future<Optional<TemplateRecord>> find(int id) {
        return pool.preparedQuery(FIND).execute(Tuple.of(id)).map(rows -> Sql.first(rows).map(this::fromRow));
    }

    public Future<Optional<TemplateRecord>> find(Tx tx, int id) {
        return tx.client.preparedQuery(FIND).execute(Tuple.of(id)).map(rows -> Sql.first(rows).map(this::fromRow));
    }

    /** The templates {@code caller} may USE. */
    public Future<List<TemplateRecord>> list(Permissions.Caller caller) {
        return pool.preparedQuery(LIST).execute(Tuple.tuple().addInteger(caller.uid())
                .addArrayOfInteger(DocumentAdmin.groupsOf(caller))).map(rows -> {
            List<TemplateRecord> out = new ArrayList<>();
            rows.forEach(r -> out.add(fromRow(r)));
            return out;
        });
    }

    /** Stores a validated template under {@code name} (the document NAME); returns the new id. */
    public Future<Integer> create(Tx tx, int uid, int gid, String name, ObjectNode body) {
        return tx.client.preparedQuery(INSERT).execute(Tuple.of(uid, gid, name, Json.write(body)))
                .map(rows -> rows.iterator().next().getInteger("id"));
    }

    public Future<Boolean> updateBody(Tx tx, int id, ObjectNode body) {
        return tx.client.preparedQuery(UPDATE_BODY).execute(Tuple.of(id, Json.write(body))).map(r -> r.rowCount() > 0);
    }

    public Future<Boolean> delete(Tx tx, int id) {
        return tx.client.preparedQuery(DELETE).execute(Tuple.of(id)).map(r -> r.rowCount() > 0);
    }

    private TemplateRecord fromRow(Row row) {
        return new TemplateRecord(new DocumentMeta(row.getInteger("id"), row.getInteger("uid"), row.getInteger("gid"),
                row.getString("uname"), row.getString("gname"), row.getString("name"), row.getInteger("permissions")),
                Json.parseObject(row.getString("body")));
    }
}
