package dev.flotilla.store;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.flotilla.domain.Deployment;
import dev.flotilla.domain.NetworkSnapshot;
import dev.flotilla.domain.NetworkSource;
import dev.flotilla.domain.RoleState;
import dev.flotilla.domain.Permissions;
import dev.flotilla.domain.ServiceState;
import dev.flotilla.domain.VmSnapshot;
import dev.flotilla.json.Json;
import io.vertx.core.Future;
import io.vertx.sqlclient.Pool;
import io.vertx.sqlclient.Row;
import io.vertx.sqlclient.Tuple;

import java.time.Instant;
import java.time.OffsetDateTime;
import java.util.ArrayList;
import java.util.Collection;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;

/**
 * Services and their roles: the {@link ServiceRecord} read in one round trip (service, roles, live
 * VMs, policy counters, network attempts and, for documents, the recent log), the ids the engine's timers wake,
 * and the writes that are not a plan (creating a service, claiming its version, replacing its
 * bodies, adding a role, purging DONE services). A plan's own writes go through {@link PlanWriter},
 * the VMs' observed states and driver outcomes through {@link VmObservations}.
 */
public final class ServiceRepository {
    /** One VM row {@code v} as the engine reads it back: every intent stored with it. */
    private static final String VM_OBJECT = """
            json_build_object(
                'row_id', v.id, 'vm_number', v.vm_number, 'name', v.name, 'request_key', v.request_key,
                'vm_id', v.vm_id, 'state', v.state, 'lcm_state', v.lcm_state, 'ready', v.ready,
                'create_error', v.create_error, 'terminate_requested', v.terminate_requested,
                'terminate_sent', v.terminate_sent, 'terminate_error', v.terminate_error, 'retired', v.retired,
                'release_requested', v.release_requested, 'release_sent', v.release_sent,
                'resume_requested', v.resume_requested, 'resume_sent', v.resume_sent,
                'terminate_hard', v.terminate_hard, 'hold', v.hold, 'has_run', v.has_run)""";

    /** One network attempt {@code n} as the engine reads it back: every intent stored with it. */
    private static final String NETWORK_OBJECT = """
            json_build_object(
                'row_id', n.id, 'name', n.name, 'attempt', n.attempt, 'source', n.source, 'source_id', n.source_id,
                'extra', n.extra, 'net_name', n.net_name, 'request_key', n.request_key, 'net_id', n.net_id,
                'state', n.state, 'create_error', n.create_error, 'delete_requested', n.delete_requested,
                'delete_sent', n.delete_sent, 'delete_error', n.delete_error, 'retired', n.retired, 'gone', n.gone)""";

    /** A service's last 50 log events (VM state observations are not part of the log). */
    private static final String LOG_JSON = """
            COALESCE((SELECT json_agg(json_build_object('seq', e.seq, 'at', extract(epoch FROM e.at),
                'kind', e.kind, 'severity', e.severity, 'message', e.message) ORDER BY e.seq)
              FROM (SELECT * FROM service_events WHERE service_id = s.id AND kind <> 'vm_state'
                    ORDER BY seq DESC LIMIT 50) e), '[]'::json)::text""";

    /**
     * Services with their roles (each with its live VMs and policy counters) and, {@code withLog},
     * their last 50 log events, for the ids the {@code page} query selects. Roles, VMs and counters
     * are aggregated set-wise, once (materialized: a generic plan that guesses one row must not
     * re-run them per service), so a page of N services costs a few scans rather than N times seven
     * correlated subqueries; the log is one index scan per service.
     */
    private static String documents(String page, boolean withLog) {
        return """
                WITH page AS MATERIALIZED (%s),
                vm AS MATERIALIZED (SELECT v.service_id, v.role_name, json_agg(%s ORDER BY v.vm_number, v.id) AS vms
                       FROM vms v JOIN page p ON p.id = v.service_id WHERE NOT v.gone GROUP BY 1, 2),
                pc AS MATERIALIZED (SELECT pc.service_id, pc.role_name, json_agg(%s) AS counters
                       FROM policy_counters pc JOIN page p ON p.id = pc.service_id GROUP BY 1, 2),
                rl AS MATERIALIZED (SELECT r.service_id, json_agg(json_build_object(
                           'name', r.name, 'state', r.state, 'cardinality', r.cardinality, 'template_id', r.template_id,
                           'parents', r.parents, 'last_vmname', r.last_vmname, 'body', r.body, 'removing', r.removing,
                           'counters', COALESCE(pc.counters, '[]'::json), 'vms', COALESCE(vm.vms, '[]'::json))
                           ORDER BY r.position) AS roles
                       FROM roles r JOIN page p ON p.id = r.service_id
                       LEFT JOIN vm ON vm.service_id = r.service_id AND vm.role_name = r.name
                       LEFT JOIN pc ON pc.service_id = r.service_id AND pc.role_name = r.name
                       GROUP BY r.service_id),
                nt AS MATERIALIZED (SELECT n.service_id, json_agg(%s ORDER BY n.name, n.attempt) AS networks
                       FROM service_networks n JOIN page p ON p.id = n.service_id GROUP BY 1)
                SELECT s.id, s.uid, s.gid, u.name AS uname, g.name AS gname, s.name, s.permissions, s.state,
                       s.deployment, s.body::text AS body, s.start_time, s.deadline_at, s.version, s.force_delete,
                       s.hold_released, s.owner_node, s.owner_epoch, COALESCE(rl.roles, '[]'::json)::text AS roles,
                       COALESCE(nt.networks, '[]'::json)::text AS networks, %s AS log
                FROM services s JOIN page ON page.id = s.id JOIN users u ON u.id = s.uid JOIN groups g ON g.id = s.gid
                LEFT JOIN rl ON rl.service_id = s.id
                LEFT JOIN nt ON nt.service_id = s.id
                ORDER BY s.id
                """.formatted(page, VM_OBJECT, AutoscalerStore.COUNTER_OBJECT, NETWORK_OBJECT,
                withLog ? LOG_JSON : "'[]'");
    }

    private static final String ONE = "SELECT $1::int AS id";
    private static final String FIND_WITH_LOG = documents(ONE, true);
    private static final String FIND_SNAPSHOT = documents(ONE, false);
    /** The page of ids is chosen first, so the JSON is built only for the rows returned. */
    private static final String LIST = documents("SELECT id FROM services v WHERE ($1::smallint IS NULL OR state = $1)"
            + " AND " + DocumentAdmin.permitted(Permissions.Right.USE, "v", 4, 5) + " ORDER BY id LIMIT $2 OFFSET $3",
            true);

    private static final String FIND_MANY_SNAPSHOTS = documents("SELECT unnest($1::int[]) AS id", false);
    /** Documents of the given services (those that still exist). */
    private static final String FIND_MANY = documents("SELECT unnest($1::int[]) AS id", true);
    /** One page of every service's document, in id order after {@code $1}. */
    private static final String ALL_AFTER = documents("SELECT id FROM services WHERE id > $1 ORDER BY id LIMIT $2",
            true);

    private static final String NEXT_SERVICE_IDS =
            "SELECT nextval('services_id_seq') AS id FROM generate_series(1, $1) ORDER BY 1";
    private static final String INSERT_SERVICE = """
            INSERT INTO services (id, uid, gid, name, state, deployment, body, owner_node, owner_epoch)
            VALUES ($1, $2, $3, $4, $5, $6, $7::text::jsonb, $8, $9)
            """;
    private static final String CLAIM_VERSION = """
            UPDATE services SET version = version + 1, updated_at = now()
            WHERE id = $1 AND version = $2 AND owner_node = $3 AND owner_epoch = $4
            """;
    private static final String INSERT_ROLE = """
            INSERT INTO roles (service_id, name, position, state, cardinality, template_id, parents, body)
            VALUES ($1, $2, $3, 0, $4, $5, $6, $7::text::jsonb)
            """;
    private static final String UPDATE_SERVICE_BODY = "UPDATE services SET body = $2::text::jsonb WHERE id = $1";
    private static final String UPDATE_ROLE_BODY = """
            UPDATE roles SET body = $3::text::jsonb WHERE service_id = $1 AND name = $2
            """;
    private static final String ADD_ROLE = """
            INSERT INTO roles (service_id, name, position, state, cardinality, template_id, parents, body)
            SELECT $1, $2, COALESCE(max(position), -1) + 1, 0, $3, $4, $5, $6::text::jsonb FROM roles WHERE service_id = $1
            """;
    private static final String IDS_IN_STATES =
            "SELECT id FROM services WHERE state = ANY($1) AND owner_node = $2 ORDER BY id";
    private static final String EXPIRED_DEADLINE_IDS =
            "SELECT id FROM services WHERE deadline_at <= now() AND owner_node = $1";
    private static final String PURGE_DONE = """
            DELETE FROM services s WHERE state = $1 AND updated_at < now() - make_interval(secs => $2) AND %s
            RETURNING id
            """.formatted(DocumentAdmin.permitted(Permissions.Right.MANAGE, "s", 3, 4));
    private static final String DELETE_EVENTS = "DELETE FROM service_events WHERE service_id = ANY($1)";

    private final Pool pool;

    public ServiceRepository(Pool pool) {
        this.pool = pool;
    }

    // ---- reads -----------------------------------------------------------------------------------

    public Future<Optional<ServiceRecord>> find(int id) {
        return pool.preparedQuery(FIND_WITH_LOG).execute(Tuple.of(id)).map(rows -> Sql.first(rows).map(this::fromRow));
    }

    /** The service as a command's own transaction sees it (for the answer it commits with). */
    public Future<Optional<ServiceRecord>> find(Tx tx, int id) {
        return tx.client.preparedQuery(FIND_WITH_LOG).execute(Tuple.of(id)).map(rows -> Sql.first(rows).map(this::fromRow));
    }

    /** Service, roles and live VMs in one round trip, without the log (the engine's read). */
    public Future<Optional<ServiceRecord>> findForEngine(int id) {
        return pool.preparedQuery(FIND_SNAPSHOT).execute(Tuple.of(id)).map(rows -> Sql.first(rows).map(this::fromRow));
    }

    /** The services {@code caller} may USE, or one page of them, optionally only those in {@code state}. */
    public Future<List<ServiceRecord>> list(Permissions.Caller caller, ServiceState state, int limit, long offset) {
        Tuple args = Tuple.of(state == null ? null : (short) state.number(), limit, offset, caller.uid(),
                DocumentAdmin.groupsOf(caller));
        return pool.preparedQuery(LIST).execute(args).map(this::records);
    }

    /** The documents of those of {@code ids} that exist, in id order. */
    public Future<List<ServiceRecord>> findMany(Collection<Integer> ids) {
        return pool.preparedQuery(FIND_MANY).execute(Tuple.of((Object) ids.toArray(new Integer[0])))
                .map(this::records);
    }

    /** {@link #findForEngine(int)} for many services in one round trip (those that still exist). */
    public Future<List<ServiceRecord>> findManyForEngine(Collection<Integer> ids) {
        return pool.preparedQuery(FIND_MANY_SNAPSHOTS).execute(Tuple.of((Object) ids.toArray(new Integer[0])))
                .map(this::records);
    }

    /** Up to {@code limit} documents of the services after id {@code after}, in id order (for reading them all). */
    public Future<List<ServiceRecord>> pageAfter(int after, int limit) {
        return pool.preparedQuery(ALL_AFTER).execute(Tuple.of(after, limit)).map(this::records);
    }

    private List<ServiceRecord> records(io.vertx.sqlclient.RowSet<Row> rows) {
        List<ServiceRecord> out = new ArrayList<>();
        rows.forEach(r -> out.add(fromRow(r)));
        return out;
    }

    /** The unfinished services {@code node} owns (the ids a node's timers wake are its own). */
    public Future<List<Integer>> unfinishedIds(String node) {
        return idsIn(ServiceState.numbers(s -> !s.isFinal()), node);
    }

    public Future<List<Integer>> inMotionIds(String node) {
        return idsIn(ServiceState.numbers(ServiceState::isInMotion), node);
    }

    /** Services waiting for networks to be made or deleted. */
    public Future<List<Integer>> networkWaitIds(String node) {
        return idsIn(ServiceState.numbers(s -> s == ServiceState.DEPLOYING_NETS || s == ServiceState.UNDEPLOYING_NETS),
                node);
    }

    public Future<List<Integer>> expiredDeadlineIds(String node) {
        return pool.preparedQuery(EXPIRED_DEADLINE_IDS).execute(Tuple.of(node)).map(rows -> {
            List<Integer> ids = new ArrayList<>();
            rows.forEach(r -> ids.add(r.getInteger("id")));
            return ids;
        });
    }

    private Future<List<Integer>> idsIn(Short[] states, String node) {
        return pool.preparedQuery(IDS_IN_STATES).execute(Tuple.of(states, node)).map(rows -> {
            List<Integer> ids = new ArrayList<>();
            rows.forEach(r -> ids.add(r.getInteger("id")));
            return ids;
        });
    }

    // ---- writes by the engine --------------------------------------------------------------------

    /** The id the next service will have: known before anything is planned or written. */
    /** {@code count} new service ids, in order (a restart leaves the unused ones as a gap, as oned's pools may). */
    public Future<List<Integer>> nextServiceIds(int count) {
        return pool.preparedQuery(NEXT_SERVICE_IDS).execute(Tuple.of(count)).map(rows -> {
            List<Integer> ids = new ArrayList<>();
            rows.forEach(r -> ids.add(r.getLong("id").intValue()));
            return ids;
        });
    }

    /** Stores a new service (version 0) with its roles from a validated body, in {@code state}. */
    public Future<Void> create(Tx tx, int id, int uid, int gid, ServiceState state, ObjectNode body,
                               LeaseStore.Fence owner) {
        ObjectNode serviceBody = body.deepCopy();
        JsonNode roles = serviceBody.remove("roles");
        String name = body.path("name").asText();
        List<Tuple> roleRows = new ArrayList<>();
        int position = 0;
        for (JsonNode role : roles) {
            RoleColumns c = RoleColumns.of((ObjectNode) role);
            roleRows.add(Tuple.of(id, c.name, position++, c.cardinality, c.templateId, c.parents, c.rest));
        }
        return tx.client.preparedQuery(INSERT_SERVICE).execute(Tuple.tuple().addInteger(id).addInteger(uid)
                        .addInteger(gid).addString(name).addShort((short) state.number())
                        .addString(body.path("deployment").asText("none")).addString(Json.write(serviceBody))
                        .addString(owner.node()).addLong(owner.epoch()))
                .compose(v -> Sql.batch(tx.client, INSERT_ROLE, roleRows));
    }

    /**
     * Claims the service for a change that is not a plan (a body edit, a role action, ...): the
     * version moves on, so a concurrent plan from an older snapshot cannot commit over it.
     */
    public Future<Void> claimVersion(Tx tx, int id, int version, LeaseStore.Fence owner) {
        return tx.client.preparedQuery(CLAIM_VERSION).execute(Tuple.of(id, version, owner.node(), owner.epoch())).compose(rows -> rows.rowCount() == 0
                ? Future.failedFuture(new StaleSnapshotException(id)) : Future.succeededFuture());
    }

    /**
     * Replaces the template-level body of a service and of its roles (what {@code PUT /service/:id}
     * may change: policies, bounds, cooldown, descriptions); state columns are not touched.
     */
    public Future<Void> updateBodies(Tx tx, int id, ObjectNode serviceBody, Map<String, ObjectNode> roleBodies) {
        return tx.client.preparedQuery(UPDATE_SERVICE_BODY).execute(Tuple.of(id, Json.write(serviceBody)))
                .compose(v -> Sql.batch(tx.client, UPDATE_ROLE_BODY, roleBodies.entrySet().stream()
                        .map(e -> Tuple.of(id, e.getKey(), Json.write(e.getValue()))).toList()));
    }

    /** Stores a role added to a running service (PENDING), after the service's other roles. */
    public Future<Void> addRole(Tx tx, int serviceId, ObjectNode role) {
        RoleColumns c = RoleColumns.of(role);
        return tx.client.preparedQuery(ADD_ROLE)
                .execute(Tuple.of(serviceId, c.name, c.cardinality, c.templateId, c.parents, c.rest)).mapEmpty();
    }

    /** A role's template fields split into its real columns and the rest of its body. */
    private record RoleColumns(String name, int cardinality, int templateId, String[] parents, String rest) {
        static RoleColumns of(ObjectNode role) {
            ObjectNode rest = role.deepCopy();
            rest.remove(List.of("name", "cardinality", "template_id", "parents", "state", "nodes", "last_vmname"));
            List<String> parents = new ArrayList<>();
            role.path("parents").forEach(p -> parents.add(p.asText()));
            return new RoleColumns(role.get("name").asText(), role.get("cardinality").asInt(),
                    role.get("template_id").asInt(), parents.toArray(new String[0]), Json.write(rest));
        }
    }

    /** Removes DONE services (and their timelines); with a retention, only those DONE for longer. */
    /** The server's own purge of every DONE service older than the retention. */
    public Future<List<Integer>> purgeDone(long olderThanSeconds) {
        return Tx.run(pool, tx -> purgeDone(tx, olderThanSeconds, new Permissions.Caller(0, Set.of(0))));
    }

    /** Deletes the DONE services {@code caller} may MANAGE that are older than {@code olderThanSeconds}. */
    public Future<List<Integer>> purgeDone(Tx tx, long olderThanSeconds, Permissions.Caller caller) {
        return tx.client.preparedQuery(PURGE_DONE)
                .execute(Tuple.of((short) ServiceState.DONE.number(), (double) Math.max(0, olderThanSeconds),
                        caller.uid(), DocumentAdmin.groupsOf(caller)))
                .compose(rows -> {
                    List<Integer> ids = new ArrayList<>();
                    rows.forEach(r -> ids.add(r.getInteger("id")));
                    return ids.isEmpty() ? Future.succeededFuture(ids) : tx.client.preparedQuery(DELETE_EVENTS)
                            .execute(Tuple.of(ids.toArray(new Integer[0]))).map(ids);
                });
    }

    // ---- mapping ---------------------------------------------------------------------------------

    private ServiceRecord fromRow(Row row) {
        DocumentMeta meta = new DocumentMeta(row.getInteger("id"), row.getInteger("uid"), row.getInteger("gid"),
                row.getString("uname"), row.getString("gname"), row.getString("name"), row.getInteger("permissions"));
        List<RoleRecord> roles = new ArrayList<>();
        for (JsonNode r : Json.parse(row.getString("roles"))) {
            List<String> parents = new ArrayList<>();
            r.path("parents").forEach(p -> parents.add(p.asText()));
            List<VmSnapshot> vms = new ArrayList<>();
            for (JsonNode v : r.path("vms")) {
                vms.add(new VmSnapshot(v.get("row_id").asLong(), r.get("name").asText(), v.get("vm_number").asInt(),
                        v.get("name").asText(), v.get("request_key").asText(), intOrNull(v.get("vm_id")),
                        intOrNull(v.get("state")), intOrNull(v.get("lcm_state")), v.get("ready").asBoolean(),
                        textOrNull(v.get("create_error")), v.get("terminate_requested").asBoolean(),
                        v.get("terminate_sent").asBoolean(), textOrNull(v.get("terminate_error")),
                        v.get("retired").asBoolean(), v.get("release_requested").asBoolean(),
                        v.get("release_sent").asBoolean(), v.get("resume_requested").asBoolean(),
                        v.get("resume_sent").asBoolean(), v.get("terminate_hard").asBoolean(),
                        v.get("hold").asBoolean(), v.get("has_run").asBoolean()));
            }
            roles.add(new RoleRecord(r.get("name").asText(), RoleState.ofNumber(r.get("state").asInt()),
                    r.get("cardinality").asInt(), r.get("template_id").asInt(), parents, r.get("last_vmname").asInt(),
                    (ObjectNode) r.get("body"), r.path("removing").asBoolean(false), vms,
                    AutoscalerStore.storedCounters(r.path("counters"))));
        }
        List<NetworkSnapshot> networks = new ArrayList<>();
        for (JsonNode n : Json.parse(row.getString("networks"))) {
            networks.add(new NetworkSnapshot(n.get("row_id").asLong(), n.get("name").asText(), n.get("attempt").asInt(),
                    NetworkSource.ofKey(n.get("source").asText()).orElseThrow(), n.get("source_id").asInt(),
                    n.get("extra").asText(), n.get("net_name").asText(), n.get("request_key").asText(),
                    intOrNull(n.get("net_id")), intOrNull(n.get("state")), textOrNull(n.get("create_error")),
                    n.get("delete_requested").asBoolean(), n.get("delete_sent").asBoolean(),
                    textOrNull(n.get("delete_error")), n.get("retired").asBoolean(), n.get("gone").asBoolean()));
        }
        List<EventRecord> log = new ArrayList<>();
        for (JsonNode e : Json.parse(row.getString("log"))) {
            log.add(new EventRecord(e.get("seq").asLong(), meta.id(),
                    Instant.ofEpochMilli((long) (e.get("at").asDouble() * 1000)), e.get("kind").asText(),
                    e.get("severity").asText().charAt(0), e.get("message").asText(), null));
        }
        OffsetDateTime deadline = row.getOffsetDateTime("deadline_at");
        return new ServiceRecord(meta, ServiceState.ofNumber(row.getInteger("state")),
                Deployment.of(row.getString("deployment")), Json.parseObject(row.getString("body")),
                row.getOffsetDateTime("start_time").toInstant(), deadline == null ? null : deadline.toInstant(),
                row.getInteger("version"), row.getBoolean("force_delete"), row.getBoolean("hold_released"), roles,
                networks, log, row.getString("owner_node"), row.getLong("owner_epoch"));
    }

    private static Integer intOrNull(JsonNode n) {
        return n == null || n.isNull() ? null : n.asInt();
    }

    private static String textOrNull(JsonNode n) {
        return n == null || n.isNull() ? null : n.asText();
    }
}
