package dev.flotilla.store;

import dev.flotilla.json.Json;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.flotilla.domain.Deployment;
import dev.flotilla.domain.NewVm;
import dev.flotilla.domain.Plan;
import dev.flotilla.domain.RoleState;
import dev.flotilla.domain.ServiceEvent;
import dev.flotilla.domain.ServiceSnapshot;
import dev.flotilla.domain.ServiceState;
import dev.flotilla.domain.VmObservation;
import dev.flotilla.domain.VmSnapshot;
import dev.flotilla.domain.VmStates;
import io.vertx.core.Future;
import io.vertx.sqlclient.Pool;
import io.vertx.sqlclient.Row;
import io.vertx.sqlclient.RowSet;
import io.vertx.sqlclient.SqlClient;
import io.vertx.sqlclient.Tuple;

import java.time.Instant;
import java.time.OffsetDateTime;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.TreeSet;

/** Services, their roles, VM rows and event log. Every SQL statement about services lives here. */
public final class ServiceStore {

    private static final String VMS_JSON = """
            COALESCE((SELECT json_agg(json_build_object(
                'row_id', v.id, 'vm_number', v.vm_number, 'name', v.name, 'request_key', v.request_key,
                'vm_id', v.vm_id, 'state', v.state, 'lcm_state', v.lcm_state, 'ready', v.ready,
                'create_error', v.create_error, 'terminate_requested', v.terminate_requested,
                'terminate_sent', v.terminate_sent, 'terminate_error', v.terminate_error, 'retired', v.retired,
                'release_requested', v.release_requested, 'release_sent', v.release_sent,
                'resume_requested', v.resume_requested, 'resume_sent', v.resume_sent,
                'terminate_hard', v.terminate_hard, 'hold', v.hold)
                ORDER BY v.vm_number, v.id)
              FROM vms v WHERE v.service_id = r.service_id AND v.role_name = r.name AND NOT v.gone), '[]'::json)
            """;

    private static final String ROLES_JSON = """
            COALESCE((SELECT json_agg(json_build_object(
                'name', r.name, 'state', r.state, 'cardinality', r.cardinality, 'template_id', r.template_id,
                'parents', r.parents, 'last_vmname', r.last_vmname, 'body', r.body, 'removing', r.removing,
                'counters', %s::json, 'vms', %s)
                ORDER BY r.position)
              FROM roles r WHERE r.service_id = s.id), '[]'::json)::text AS roles
            """.formatted(AutoscalerStore.COUNTERS_JSON, VMS_JSON);

    private static final String LOG_JSON = """
            COALESCE((SELECT json_agg(json_build_object('seq', e.seq, 'at', extract(epoch FROM e.at),
                'kind', e.kind, 'severity', e.severity, 'message', e.message) ORDER BY e.seq)
              FROM (SELECT * FROM service_events WHERE service_id = s.id AND kind <> 'vm_state'
                    ORDER BY seq DESC LIMIT 50) e),
              '[]'::json)::text AS log
            """;

    private static final String SELECT_SERVICE = """
            SELECT s.id, s.uid, s.gid, u.name AS uname, g.name AS gname, s.name, s.permissions, s.state,
                   s.deployment, s.body::text AS body, s.start_time, s.deadline_at, s.version, s.force_delete,
                   s.hold_released, %s, %s
            FROM services s JOIN users u ON u.id = s.uid JOIN groups g ON g.id = s.gid
            """;

    private static final String FIND_WITH_LOG = SELECT_SERVICE.formatted(ROLES_JSON, LOG_JSON) + " WHERE s.id = $1";
    private static final String FIND_SNAPSHOT = SELECT_SERVICE.formatted(ROLES_JSON, "'[]' AS log") + " WHERE s.id = $1";
    /** The page of ids is chosen first, so the JSON is built only for the rows returned. */
    private static final String LIST = "WITH page AS (SELECT id FROM services WHERE ($1::smallint IS NULL OR state = $1)"
            + " ORDER BY id LIMIT $2 OFFSET $3) " + SELECT_SERVICE.formatted(ROLES_JSON, LOG_JSON)
            + " JOIN page ON page.id = s.id ORDER BY s.id";

    private static final String NEXT_SERVICE_ID = "SELECT nextval('services_id_seq') AS id";
    private static final String INSERT_SERVICE = """
            INSERT INTO services (id, uid, gid, name, state, deployment, body)
            VALUES ($1, $2, $3, $4, $5, $6, $7::text::jsonb)
            """;
    private static final String CLAIM_VERSION = """
            UPDATE services SET version = version + 1, updated_at = now() WHERE id = $1 AND version = $2
            """;
    private static final String INSERT_ROLE = """
            INSERT INTO roles (service_id, name, position, state, cardinality, template_id, parents, body)
            VALUES ($1, $2, $3, 0, $4, $5, $6, $7::text::jsonb)
            """;
    private static final String UPDATE_SERVICE_STATE = """
            UPDATE services SET state = $3, deadline_at = $4, force_delete = force_delete OR $5,
                   hold_released = hold_released OR $6, version = version + 1, updated_at = now()
            WHERE id = $1 AND version = $2
            """;
    private static final String UPDATE_ROLE = """
            UPDATE roles SET state = COALESCE($3, state), cardinality = COALESCE($4, cardinality),
                   last_vmname = COALESCE($5, last_vmname)
            WHERE service_id = $1 AND name = $2
            """;
    private static final String INSERT_VM = """
            INSERT INTO vms (service_id, role_name, vm_number, name, request_key, hold) VALUES ($1, $2, $3, $4, $5, $6)
            """;
    private static final String REQUEST_TERMINATE = """
            UPDATE vms SET terminate_requested = true, terminate_hard = $2, terminate_sent = false, terminate_error = NULL
            WHERE id = $1
            """;
    private static final String FORGET_VMS = "UPDATE vms SET gone = true WHERE id = ANY($1)";
    private static final String RETIRE_VMS = "UPDATE vms SET retired = true WHERE id = ANY($1)";
    private static final String REQUEST_RELEASE = "UPDATE vms SET release_requested = true WHERE id = ANY($1)";
    private static final String REQUEST_RESUME =
            "UPDATE vms SET resume_requested = true, resume_sent = false WHERE id = ANY($1)";
    private static final String UPDATE_SERVICE_BODY = "UPDATE services SET body = $2::text::jsonb WHERE id = $1";
    private static final String UPDATE_ROLE_BODY = """
            UPDATE roles SET body = $3::text::jsonb WHERE service_id = $1 AND name = $2
            """;
    private static final String MARK_REMOVING = "UPDATE roles SET removing = true WHERE service_id = $1 AND name = ANY($2)";
    private static final String DELETE_ROLES = "DELETE FROM roles WHERE service_id = $1 AND name = ANY($2)";
    private static final String ADD_ROLE = """
            INSERT INTO roles (service_id, name, position, state, cardinality, template_id, parents, body)
            SELECT $1, $2, COALESCE(max(position), -1) + 1, 0, $3, $4, $5, $6::text::jsonb FROM roles WHERE service_id = $1
            """;
    private static final String RECORD_RELEASE_SENT = "UPDATE vms SET release_sent = true WHERE request_key = $1";
    private static final String RECORD_RESUME_SENT = "UPDATE vms SET resume_sent = true WHERE request_key = $1";
    private static final String INSERT_EVENT = """
            INSERT INTO service_events (service_id, kind, severity, message, data) VALUES ($1, $2, $3, $4, $5::text::jsonb)
            RETURNING seq, at
            """;
    private static final String RECORD_CREATED = """
            UPDATE vms v SET vm_id = c.vm_id FROM unnest($1::text[], $2::int[]) AS c(request_key, vm_id)
            WHERE v.request_key = c.request_key AND v.vm_id IS NULL
            """;
    private static final String RECORD_CREATE_FAILED = "UPDATE vms SET create_error = $2 WHERE request_key = $1";
    private static final String RECORD_TERMINATE_SENT = """
            UPDATE vms SET terminate_sent = true, vm_id = COALESCE(vm_id, $2) WHERE request_key = $1
            """;
    private static final String RECORD_TERMINATE_FAILED = "UPDATE vms SET terminate_error = $2 WHERE request_key = $1";
    private static final String RECORD_NEVER_CREATED = "UPDATE vms SET gone = true WHERE request_key = $1";
    /**
     * Observed VM states, written by request key in one statement that also appends a
     * {@code vm_state} event for each VM whose STATE/LCM_STATE changed (the stream's VM state frames).
     */
    private static final String RECORD_OBSERVED = """
            WITH o AS (SELECT * FROM unnest($1::text[], $2::int[], $3::int[], $4::int[], $5::bool[])
                         AS o(request_key, vm_id, state, lcm_state, ready)),
            before AS (SELECT v.id, v.state AS old_state, v.lcm_state AS old_lcm FROM vms v JOIN o
                         ON v.request_key = o.request_key
                        WHERE v.state IS DISTINCT FROM o.state OR v.lcm_state IS DISTINCT FROM o.lcm_state
                           OR v.ready IS DISTINCT FROM o.ready OR v.vm_id IS DISTINCT FROM o.vm_id
                        FOR UPDATE OF v),
            changed AS (UPDATE vms v SET vm_id = o.vm_id, state = o.state, lcm_state = o.lcm_state, ready = o.ready,
                               observed_at = now()
                          FROM o, before b WHERE v.request_key = o.request_key AND v.id = b.id
                        RETURNING v.service_id, v.role_name, v.name, v.vm_id, v.state, v.lcm_state, b.old_state,
                                  b.old_lcm),
            events AS (INSERT INTO service_events (service_id, kind, severity, message, data)
                       SELECT service_id, 'vm_state', 'I',
                              'VM ' || name || ' (' || vm_id || '): '
                                || COALESCE(%1$s[old_state + 1] || '/' || old_lcm, 'new') || ' -> '
                                || %1$s[state + 1] || '/' || lcm_state,
                              jsonb_build_object('role', role_name, 'vm_id', vm_id,
                                'old', COALESCE(%1$s[old_state + 1] || '/' || old_lcm, ''),
                                'new', %1$s[state + 1] || '/' || lcm_state)
                         FROM changed
                        WHERE old_state IS DISTINCT FROM state OR old_lcm IS DISTINCT FROM lcm_state
                       RETURNING seq, service_id, at, kind, severity, message, data::text AS data)
            SELECT service_id, NULL::bigint AS seq, NULL::timestamptz AS at, NULL AS kind, NULL AS severity,
                   NULL AS message, NULL AS data FROM changed
            UNION ALL
            SELECT service_id, seq, at, kind, severity, message, data FROM events
            """.formatted("($6::text[])");
    private static final String IDS_IN_STATES = "SELECT id FROM services WHERE state = ANY($1) ORDER BY id";
    private static final String EXPIRED_DEADLINE_IDS = "SELECT id FROM services WHERE deadline_at <= now()";
    private static final String PURGE_DONE = """
            DELETE FROM services WHERE state = $1 AND updated_at < now() - make_interval(secs => $2) RETURNING id
            """;
    private static final String EVENTS_SINCE = """
            SELECT seq, service_id, at, kind, severity, message, data::text AS data FROM service_events
            WHERE seq > $1 AND (cardinality($2::int[]) = 0 OR service_id = ANY($2)) ORDER BY seq LIMIT $3
            """;
    private static final String DELETE_EVENTS = "DELETE FROM service_events WHERE service_id = ANY($1)";

    private final Pool pool;

    public ServiceStore(Pool pool) {
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

    /** All services, or one page of them, optionally only those in {@code state}. */
    public Future<List<ServiceRecord>> list(ServiceState state, int limit, long offset) {
        Tuple args = Tuple.of(state == null ? null : (short) state.number(), limit, offset);
        return pool.preparedQuery(LIST).execute(args).map(rows -> {
            List<ServiceRecord> out = new ArrayList<>();
            rows.forEach(r -> out.add(fromRow(r)));
            return out;
        });
    }

    public Future<List<Integer>> unfinishedIds() {
        return idsIn(ServiceState.numbers(s -> !s.isFinal()));
    }

    public Future<List<Integer>> inMotionIds() {
        return idsIn(ServiceState.numbers(ServiceState::isInMotion));
    }

    /** Stored events after {@code since}, oldest first, optionally of some services only (stream replay). */
    public Future<List<EventRecord>> eventsSince(long since, java.util.Collection<Integer> serviceIds, int limit) {
        Tuple args = Tuple.tuple().addLong(since).addArrayOfInteger(serviceIds.toArray(new Integer[0])).addInteger(limit);
        return pool.preparedQuery(EVENTS_SINCE).execute(args).map(rows -> {
            List<EventRecord> out = new ArrayList<>();
            rows.forEach(r -> out.add(new EventRecord(r.getLong("seq"), r.getInteger("service_id"),
                    r.getOffsetDateTime("at").toInstant(), r.getString("kind"), r.getString("severity").charAt(0),
                    r.getString("message"), r.getString("data") == null ? null : Json.parse(r.getString("data")))));
            return out;
        });
    }

    public Future<List<Integer>> expiredDeadlineIds() {
        return ids(EXPIRED_DEADLINE_IDS);
    }

    private Future<List<Integer>> idsIn(Short[] states) {
        return pool.preparedQuery(IDS_IN_STATES).execute(Tuple.of(states)).map(rows -> {
            List<Integer> ids = new ArrayList<>();
            rows.forEach(r -> ids.add(r.getInteger("id")));
            return ids;
        });
    }

    private Future<List<Integer>> ids(String sql) {
        return pool.query(sql).execute().map(rows -> {
            List<Integer> ids = new ArrayList<>();
            rows.forEach(r -> ids.add(r.getInteger("id")));
            return ids;
        });
    }

    // ---- writes by the engine --------------------------------------------------------------------

    /** The id the next service will have: known before anything is planned or written. */
    public Future<Integer> nextServiceId() {
        return pool.query(NEXT_SERVICE_ID).execute().map(rows -> rows.iterator().next().getLong("id").intValue());
    }

    /** Stores a new service (version 0) with its roles from a validated body, in {@code state}. */
    public Future<Void> create(Tx tx, int id, int uid, int gid, ServiceState state, ObjectNode body) {
        ObjectNode serviceBody = body.deepCopy();
        JsonNode roles = serviceBody.remove("roles");
        String name = body.path("name").asText();
        List<Tuple> roleRows = new ArrayList<>();
        int position = 0;
        for (JsonNode role : roles) {
            RoleColumns c = RoleColumns.of((ObjectNode) role);
            roleRows.add(Tuple.of(id, c.name, position++, c.cardinality, c.templateId, c.parents, c.rest));
        }
        return tx.client.preparedQuery(INSERT_SERVICE).execute(Tuple.of(id, uid, gid, name, (short) state.number(),
                        body.path("deployment").asText("none"), Json.write(serviceBody)))
                .compose(v -> Sql.batch(tx.client, INSERT_ROLE, roleRows));
    }

    /**
     * Claims the service for a change that is not a plan (a body edit, a role action, ...): the
     * version moves on, so a concurrent plan from an older snapshot cannot commit over it.
     */
    public Future<Void> claimVersion(Tx tx, int id, int version) {
        return tx.client.preparedQuery(CLAIM_VERSION).execute(Tuple.of(id, version)).compose(rows -> rows.rowCount() == 0
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

    /**
     * Commits a plan in one transaction guarded by the snapshot's version: states, new VM rows,
     * terminate intents, forgotten VMs and events. Fails with {@link StaleSnapshotException} when
     * someone else wrote the service since the snapshot was read.
     */
    public Future<List<EventRecord>> apply(ServiceSnapshot snapshot, Plan plan) {
        return Tx.run(pool, tx -> apply(tx, snapshot, plan));
    }

    /** {@link #apply(ServiceSnapshot, Plan)} within a command's own transaction. */
    public Future<List<EventRecord>> apply(Tx tx, ServiceSnapshot snapshot, Plan plan) {
        int id = snapshot.id();
        SqlClient conn = tx.client;
        // All statements are sent at once (pipelined); PostgreSQL still runs them in order, and a
        // version mismatch on the first one fails the transaction, which rolls back the rest.
        Future<Void> version = conn.preparedQuery(UPDATE_SERVICE_STATE)
                .execute(Tuple.of(id, snapshot.version(), (short) plan.states().serviceState().number(),
                        Sql.utc(plan.states().deadline()), plan.states().forceDelete(),
                        plan.states().holdReleased()))
                .compose(rows -> rows.rowCount() == 0
                        ? Future.failedFuture(new StaleSnapshotException(id)) : Future.succeededFuture());
        Future<Void> roles = updateRoles(conn, id, plan);
        Future<Void> vms = Sql.batch(conn, INSERT_VM, plan.vms().newVms().stream()
                .map(vm -> Tuple.of(id, vm.roleName(), vm.vmNumber(), vm.name(), vm.requestKey(), vm.hold()))
                .toList());
        Future<Void> terminates = Sql.batch(conn, REQUEST_TERMINATE, plan.vms().terminateRows().entrySet().stream()
                .map(e -> Tuple.of(e.getKey(), e.getValue())).toList());
        Future<Void> forgets = rows(conn, FORGET_VMS, plan.vms().forgetRows());
        Future<Void> retires = rows(conn, RETIRE_VMS, plan.vms().retireRows());
        Future<Void> releases = rows(conn, REQUEST_RELEASE, plan.vms().releaseRows());
        Future<Void> resumes = rows(conn, REQUEST_RESUME, plan.vms().resumeRows());
        Future<Void> removing = plan.states().removingRoles().isEmpty() ? Future.succeededFuture()
                : conn.preparedQuery(MARK_REMOVING).execute(Tuple.tuple().addInteger(id)
                .addArrayOfString(plan.states().removingRoles().toArray(new String[0]))).mapEmpty();
        Future<Void> deleted = plan.states().deletedRoles().isEmpty() ? Future.succeededFuture()
                : conn.preparedQuery(DELETE_ROLES).execute(Tuple.tuple().addInteger(id)
                .addArrayOfString(plan.states().deletedRoles().toArray(new String[0]))).mapEmpty();
        Future<List<EventRecord>> events = insertEvents(conn, id, plan.events());
        return Future.all(List.of(version, roles, vms, terminates, forgets, retires, releases, resumes, removing,
                        deleted, events))
                .map(all -> events.result());
    }

    private static Future<Void> rows(SqlClient conn, String sql, Set<Long> ids) {
        return ids.isEmpty() ? Future.succeededFuture()
                : conn.preparedQuery(sql).execute(Tuple.of(ids.toArray(new Long[0]))).mapEmpty();
    }

    private Future<Void> updateRoles(SqlClient conn, int id, Plan plan) {
        Set<String> names = new TreeSet<>();
        names.addAll(plan.states().roleStates().keySet());
        names.addAll(plan.states().cardinalities().keySet());
        names.addAll(plan.states().lastVmNumbers().keySet());
        List<Tuple> rows = new ArrayList<>();
        for (String name : names) {
            RoleState state = plan.states().roleStates().get(name);
            rows.add(Tuple.of(id, name, state == null ? null : (short) state.number(),
                    plan.states().cardinalities().get(name), plan.states().lastVmNumbers().get(name)));
        }
        return Sql.batch(conn, UPDATE_ROLE, rows);
    }

    /** Appends events to a service's timeline, returning them with their sequence numbers. */
    public Future<List<EventRecord>> appendEvents(int serviceId, List<ServiceEvent> events) {
        return insertEvents(pool, serviceId, events);
    }

    public Future<List<EventRecord>> appendEvents(Tx tx, int serviceId, List<ServiceEvent> events) {
        return insertEvents(tx.client, serviceId, events);
    }

    private Future<List<EventRecord>> insertEvents(SqlClient client, int serviceId, List<ServiceEvent> events) {
        if (events.isEmpty()) {
            return Future.succeededFuture(List.of());
        }
        List<Tuple> rows = events.stream().map(e -> Tuple.of(serviceId, e.kind(), String.valueOf(e.severity()),
                e.message(), Json.write(e.data()))).toList();
        return client.preparedQuery(INSERT_EVENT).executeBatch(rows).map(result -> {
            List<EventRecord> out = new ArrayList<>();
            RowSet<Row> rs = result;
            for (ServiceEvent e : events) {
                Row r = rs.iterator().next();
                out.add(new EventRecord(r.getLong("seq"), serviceId, r.getOffsetDateTime("at").toInstant(), e.kind(),
                        e.severity(), e.message(), Json.MAPPER.valueToTree(e.data())));
                rs = rs.next();
            }
            return out;
        });
    }

    /** Records the driver's VM ids for the given request keys, in one statement. */
    public Future<Void> recordCreated(List<String> requestKeys, List<Integer> vmIds) {
        if (requestKeys.isEmpty()) {
            return Future.succeededFuture();
        }
        return pool.preparedQuery(RECORD_CREATED)
                .execute(Tuple.tuple().addArrayOfString(requestKeys.toArray(new String[0]))
                        .addArrayOfInteger(vmIds.toArray(new Integer[0])))
                .mapEmpty();
    }

    public Future<Void> recordCreateFailed(String requestKey, String message) {
        return pool.preparedQuery(RECORD_CREATE_FAILED).execute(Tuple.of(requestKey, message)).mapEmpty();
    }

    public Future<Void> recordTerminateSent(String requestKey, Integer vmId) {
        return pool.preparedQuery(RECORD_TERMINATE_SENT).execute(Tuple.of(requestKey, vmId)).mapEmpty();
    }

    public Future<Void> recordReleaseSent(String requestKey) {
        return pool.preparedQuery(RECORD_RELEASE_SENT).execute(Tuple.of(requestKey)).mapEmpty();
    }

    public Future<Void> recordResumeSent(String requestKey) {
        return pool.preparedQuery(RECORD_RESUME_SENT).execute(Tuple.of(requestKey)).mapEmpty();
    }

    public Future<Void> recordTerminateFailed(String requestKey, String message) {
        return pool.preparedQuery(RECORD_TERMINATE_FAILED).execute(Tuple.of(requestKey, message)).mapEmpty();
    }

    /** The driver has no VM under this key: nothing was created, so the row leaves its role. */
    public Future<Void> recordNeverCreated(String requestKey) {
        return pool.preparedQuery(RECORD_NEVER_CREATED).execute(Tuple.of(requestKey)).mapEmpty();
    }

    /** Removes DONE services (and their timelines); with a retention, only those DONE for longer. */
    public Future<List<Integer>> purgeDone(long olderThanSeconds) {
        return Tx.run(pool, tx -> purgeDone(tx, olderThanSeconds));
    }

    public Future<List<Integer>> purgeDone(Tx tx, long olderThanSeconds) {
        return tx.client.preparedQuery(PURGE_DONE)
                .execute(Tuple.of((short) ServiceState.DONE.number(), (double) Math.max(0, olderThanSeconds)))
                .compose(rows -> {
                    List<Integer> ids = new ArrayList<>();
                    rows.forEach(r -> ids.add(r.getInteger("id")));
                    return ids.isEmpty() ? Future.succeededFuture(ids) : tx.client.preparedQuery(DELETE_EVENTS)
                            .execute(Tuple.of(ids.toArray(new Integer[0]))).map(ids);
                });
    }

    // ---- writes by the poller --------------------------------------------------------------------

    /** What an observation changed: the services to look at again, and the VM state events recorded. */
    public record Observed(List<Integer> serviceIds, List<EventRecord> events) {
    }

    /** Records observed VM states by request key; only real differences are written. */
    public Future<Observed> recordObserved(List<VmObservation> observations) {
        if (observations.isEmpty()) {
            return Future.succeededFuture(new Observed(List.of(), List.of()));
        }
        int n = observations.size();
        String[] keys = new String[n];
        Integer[] vmIds = new Integer[n];
        Integer[] states = new Integer[n];
        Integer[] lcms = new Integer[n];
        Boolean[] ready = new Boolean[n];
        for (int i = 0; i < n; i++) {
            VmObservation o = observations.get(i);
            keys[i] = o.requestKey();
            vmIds[i] = o.vmId();
            states[i] = o.state();
            lcms[i] = o.lcmState();
            ready[i] = o.ready();
        }
        return pool.preparedQuery(RECORD_OBSERVED).execute(Tuple.of(keys, vmIds, states, lcms, ready,
                VmStates.stateNames())).map(rows -> {
            List<Integer> ids = new ArrayList<>();
            List<EventRecord> events = new ArrayList<>();
            rows.forEach(r -> {
                Integer sid = r.getInteger("service_id");
                if (r.getLong("seq") == null) {
                    if (!ids.contains(sid)) {
                        ids.add(sid);
                    }
                } else {
                    events.add(new EventRecord(r.getLong("seq"), sid, r.getOffsetDateTime("at").toInstant(),
                            r.getString("kind"), r.getString("severity").charAt(0), r.getString("message"),
                            Json.parse(r.getString("data"))));
                }
            });
            events.sort(java.util.Comparator.comparingLong(EventRecord::seq));
            return new Observed(ids, events);
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
                        v.get("hold").asBoolean()));
            }
            roles.add(new RoleRecord(r.get("name").asText(), RoleState.ofNumber(r.get("state").asInt()),
                    r.get("cardinality").asInt(), r.get("template_id").asInt(), parents, r.get("last_vmname").asInt(),
                    (ObjectNode) r.get("body"), r.path("removing").asBoolean(false), vms,
                    AutoscalerStore.storedCounters(r.path("counters"))));
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
                log);
    }

    private static Integer intOrNull(JsonNode n) {
        return n == null || n.isNull() ? null : n.asInt();
    }

    private static String textOrNull(JsonNode n) {
        return n == null || n.isNull() ? null : n.asText();
    }




    /** Another writer changed the service after the snapshot was read; re-read and plan again. */
    public static final class StaleSnapshotException extends RuntimeException {
        public StaleSnapshotException(int serviceId) {
            super("service " + serviceId + " changed while planning", null, false, false);
        }
    }
}
