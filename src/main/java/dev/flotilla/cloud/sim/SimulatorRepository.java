package dev.flotilla.cloud.sim;

import dev.flotilla.json.Json;
import dev.flotilla.store.Sql;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.vertx.core.Future;
import io.vertx.sqlclient.Pool;
import io.vertx.sqlclient.Row;
import io.vertx.sqlclient.RowSet;
import io.vertx.sqlclient.SqlClient;
import io.vertx.sqlclient.Tuple;

import java.time.Instant;
import java.time.OffsetDateTime;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Locale;
import java.util.Optional;

/** The cloud simulator's own tables: VM templates and VMs, network templates and virtual networks. */
public final class SimulatorRepository {
    private static final String VM_COLUMNS = """
            id, request_key, name, template_id, service_id, role_name, state, lcm_state, ready, phase,
            deploy_seconds, terminate_seconds, ready_seconds, phase_started_at, next_change_at, terminate_hard,
            fail_step, user_template::text AS user_template, reboots, snapshots::text AS snapshots,
            disk_snapshots::text AS disk_snapshots, generators::text AS generators, change_seq, created_at,
            owner_name, owner_gid
            """;
    private static final String INSERT_VM = """
            INSERT INTO sim_vms (request_key, name, template_id, service_id, role_name, state, lcm_state, ready, phase,
                                 deploy_seconds, terminate_seconds, ready_seconds, phase_started_at, next_change_at,
                                 user_template, fail_step, generators, owner_name, owner_gid)
            VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12, $13, $14, $15::text::jsonb, $16, $17::text::jsonb,
                    $18, $19)
            ON CONFLICT (request_key) DO NOTHING
            RETURNING %s
            """.formatted(VM_COLUMNS);
    private static final String CHOWN = """
            UPDATE sim_vms SET owner_name = COALESCE((SELECT name FROM users WHERE id = $2), owner_name),
                   owner_gid = CASE WHEN $3 < 0 THEN owner_gid ELSE $3 END, change_seq = nextval('sim_vm_change_seq')
            WHERE id = ANY($1)
            """;
    private static final String FIND_BY_KEY = "SELECT " + VM_COLUMNS + " FROM sim_vms WHERE request_key = $1";
    private static final String FIND_BY_KEYS = "SELECT " + VM_COLUMNS + " FROM sim_vms WHERE request_key = ANY($1)";
    private static final String FIND_BY_IDS = "SELECT " + VM_COLUMNS + " FROM sim_vms WHERE id = ANY($1)";
    private static final String FIND_BY_ID = "SELECT " + VM_COLUMNS + " FROM sim_vms WHERE id = $1";
    private static final String LIST_VMS = "SELECT " + VM_COLUMNS + " FROM sim_vms ORDER BY id";
    private static final String DUE = "SELECT " + VM_COLUMNS + """
             FROM sim_vms WHERE next_change_at <= $1 ORDER BY next_change_at LIMIT $2 FOR UPDATE SKIP LOCKED
            """;
    private static final String SAVE_STATE = """
            UPDATE sim_vms SET state = $2, lcm_state = $3, ready = $4, phase = $5, phase_started_at = $6,
                   next_change_at = $7, terminate_hard = $8, reboots = $9, snapshots = $10::text::jsonb,
                   disk_snapshots = $11::text::jsonb, change_seq = nextval('sim_vm_change_seq')
            WHERE id = $1
            """;
    /** The same, only if nobody changed the VM since it was read (its change number is the one read). */
    private static final String SAVE_STATE_IF_UNCHANGED = SAVE_STATE + " AND change_seq = $12";
    private static final String CHANGES = "SELECT " + VM_COLUMNS
            + " FROM sim_vms WHERE change_seq > $1 ORDER BY change_seq LIMIT $2";
    private static final String MERGE_OBSERVABLES = """
            UPDATE sim_vms SET monitoring = monitoring || $2::text::jsonb, user_template = user_template || $3::text::jsonb,
                   change_seq = nextval('sim_vm_change_seq')
            WHERE id = $1
            """;
    private static final String MONITORING = """
            SELECT id, monitoring::text AS monitoring FROM sim_vms WHERE id = ANY($1)
            """;
    private static final String FIND_TEMPLATE = "SELECT id, name, attributes::text AS attributes FROM sim_templates WHERE id = $1";
    private static final String LIST_TEMPLATES = "SELECT id, name, attributes::text AS attributes FROM sim_templates ORDER BY id";
    private static final String INSERT_TEMPLATE = """
            INSERT INTO sim_templates (name, attributes) VALUES ($1, $2::text::jsonb) RETURNING id
            """;

    // ---- network templates and virtual networks (sim_net_templates, sim_networks) ----
    private static final String NET_COLUMNS = """
            id, request_key, name, parent_id, template_id, owner_name, owner_gid, attributes::text AS attributes,
            phase, phase_started_at, create_seconds, delete_seconds, fail, created_at
            """;
    private static final String INSERT_NET = """
            INSERT INTO sim_networks (request_key, name, parent_id, template_id, owner_name, owner_gid, attributes,
                                      phase, phase_started_at, create_seconds, delete_seconds, fail)
            VALUES ($1, $2, $3, $4, $5, $6, $7::text::jsonb, $8, $9, $10, $11, $12)
            ON CONFLICT (request_key) DO NOTHING
            RETURNING %s
            """.formatted(NET_COLUMNS);
    private static final String FIND_NET_BY_ID = "SELECT " + NET_COLUMNS + " FROM sim_networks WHERE id = $1";
    private static final String FIND_NET_BY_KEY = "SELECT " + NET_COLUMNS + " FROM sim_networks WHERE request_key = $1";
    /**
     * Deleted networks keep their rows (their request keys still answer); those surely gone by
     * {@code $1} are left out here, and the caller drops the ones that went in the last second.
     */
    private static final String LIST_NETS = "SELECT " + NET_COLUMNS + """
             FROM sim_networks
            WHERE NOT (phase = 'delete' AND fail IS NULL
                       AND phase_started_at + (delete_seconds + 1) * interval '1 second' <= $1)
            ORDER BY id
            """;
    /** Only if nobody changed the network since it was read (a PUT of its attributes, another delete). */
    private static final String START_NET_DELETE = """
            UPDATE sim_networks SET phase = 'delete', phase_started_at = $5, delete_seconds = $6, fail = $7
            WHERE id = $1 AND phase = $2 AND phase_started_at = $3 AND attributes = $4::text::jsonb
            """;
    private static final String MERGE_NET_ATTRIBUTES = """
            UPDATE sim_networks SET attributes = (attributes || $2::text::jsonb) - $3::text[]
            WHERE id = $1
            RETURNING %s
            """.formatted(NET_COLUMNS);
    private static final String CHOWN_NETS = """
            UPDATE sim_networks SET owner_name = COALESCE((SELECT name FROM users WHERE id = $2), owner_name),
                   owner_gid = CASE WHEN $3 < 0 THEN owner_gid ELSE $3 END
            WHERE id = ANY($1)
            """;
    private static final String NET_TEMPLATE_COLUMNS = "id, name, attributes::text AS attributes";
    private static final String FIND_NET_TEMPLATE = "SELECT " + NET_TEMPLATE_COLUMNS
            + " FROM sim_net_templates WHERE id = $1";
    private static final String LIST_NET_TEMPLATES = "SELECT " + NET_TEMPLATE_COLUMNS
            + " FROM sim_net_templates ORDER BY id";
    private static final String INSERT_NET_TEMPLATE = """
            INSERT INTO sim_net_templates (name, attributes) VALUES ($1, $2::text::jsonb) RETURNING %s
            """.formatted(NET_TEMPLATE_COLUMNS);
    private static final String REPLACE_NET_TEMPLATE_ATTRIBUTES = """
            UPDATE sim_net_templates SET attributes = $2::text::jsonb WHERE id = $1 RETURNING %s
            """.formatted(NET_TEMPLATE_COLUMNS);

    private final Pool pool;

    public SimulatorRepository(Pool pool) {
        this.pool = pool;
    }

    public Future<Optional<SimTemplate>> findTemplate(int id) {
        return pool.preparedQuery(FIND_TEMPLATE).execute(Tuple.of(id))
                .map(rows -> Sql.first(rows).map(SimulatorRepository::templateFromRow));
    }

    public Future<List<SimTemplate>> listTemplates() {
        return pool.query(LIST_TEMPLATES).execute().map(rows -> {
            List<SimTemplate> out = new ArrayList<>();
            rows.forEach(r -> out.add(templateFromRow(r)));
            return out;
        });
    }

    /** A service chown: its VMs get the new owner (by id; -1 keeps) and group (-1 keeps). */
    public Future<Void> chown(List<Integer> vmIds, int uid, int gid) {
        return pool.preparedQuery(CHOWN).execute(Tuple.of(vmIds.toArray(new Integer[0]), uid, gid)).mapEmpty();
    }

    public Future<SimTemplate> createTemplate(String name, ObjectNode attributes) {
        return pool.preparedQuery(INSERT_TEMPLATE).execute(Tuple.of(name, Json.write(attributes)))
                .map(rows -> new SimTemplate(rows.iterator().next().getInteger("id"), name, attributes));
    }

    /**
     * Inserts the VMs in one transaction, skipping any whose request key exists; returns what is
     * stored under each key, in the order given.
     */
    public Future<List<SimVm>> insertAllOrGet(List<SimVm> vms) {
        List<Tuple> rows = vms.stream().map(vm -> Tuple.tuple()
                .addString(vm.requestKey()).addString(vm.name()).addInteger(vm.templateId())
                .addInteger(vm.serviceId()).addString(vm.roleName())
                .addShort((short) vm.state()).addShort((short) vm.lcmState()).addBoolean(vm.ready())
                .addString(phaseName(vm.phase()))
                .addDouble(vm.deploySeconds()).addDouble(vm.terminateSeconds()).addDouble(vm.readySeconds())
                .addOffsetDateTime(Sql.utc(vm.phaseStartedAt()))
                .addOffsetDateTime(Sql.utc(vm.nextChangeAt()))
                .addString(Json.write(vm.userTemplate())).addString(failName(vm.failStep()))
                .addString(Json.write(vm.generators()))
                .addString(vm.owner().name()).addInteger(vm.owner().gid())).toList();
        return pool.withTransaction(conn -> conn.preparedQuery(INSERT_VM).executeBatch(rows)).compose(result -> {
            Map<String, SimVm> byKey = new HashMap<>();
            RowSet<Row> rs = result;
            while (rs != null) {
                rs.forEach(r -> {
                    SimVm vm = fromRow(r);
                    byKey.put(vm.requestKey(), vm);
                });
                rs = rs.next();
            }
            List<String> existing = vms.stream().map(SimVm::requestKey).filter(k -> !byKey.containsKey(k)).toList();
            Future<Void> rest = existing.isEmpty() ? Future.succeededFuture()
                    : pool.preparedQuery(FIND_BY_KEYS).execute(Tuple.of(existing.toArray(new String[0])))
                    .map(found -> {
                        vms(found).forEach(vm -> byKey.put(vm.requestKey(), vm));
                        return null;
                    });
            return rest.map(v -> vms.stream().map(vm -> byKey.get(vm.requestKey())).toList());
        });
    }

    /** Merges metrics into a VM's MONITORING and USER_TEMPLATE (what OneGate or the hypervisor would report). */
    public Future<Void> mergeObservables(int id, ObjectNode monitoring, ObjectNode userTemplate) {
        return pool.preparedQuery(MERGE_OBSERVABLES).execute(Tuple.of(id, Json.write(monitoring), Json.write(userTemplate)))
                .mapEmpty();
    }

    /** The MONITORING documents of the given VMs. */
    public Future<Map<Integer, ObjectNode>> monitoring(List<Integer> ids) {
        return pool.preparedQuery(MONITORING).execute(Tuple.tuple().addArrayOfInteger(ids.toArray(new Integer[0])))
                .map(rows -> {
                    Map<Integer, ObjectNode> out = new HashMap<>();
                    rows.forEach(r -> out.put(r.getInteger("id"), Json.parseObject(r.getString("monitoring"))));
                    return out;
                });
    }

    public Future<Optional<SimVm>> findByKey(String requestKey) {
        return pool.preparedQuery(FIND_BY_KEY).execute(Tuple.of(requestKey))
                .map(rows -> Sql.first(rows).map(SimulatorRepository::fromRow));
    }

    public Future<Optional<SimVm>> findById(int id) {
        return pool.preparedQuery(FIND_BY_ID).execute(Tuple.of(id))
                .map(rows -> Sql.first(rows).map(SimulatorRepository::fromRow));
    }

    public Future<List<SimVm>> findByIds(List<Integer> ids) {
        return pool.preparedQuery(FIND_BY_IDS).execute(Tuple.tuple().addArrayOfInteger(ids.toArray(new Integer[0])))
                .map(SimulatorRepository::vms);
    }

    public Future<List<SimVm>> listVms() {
        return pool.query(LIST_VMS).execute().map(SimulatorRepository::vms);
    }

    /** Writes a VM's new state, giving it a new change sequence number. */
    public Future<Void> save(SimVm vm) {
        return save(pool, List.of(vm));
    }

    /** A VM or network changed between the read an action was computed from and its write. */
    public static final class ConcurrentChange extends RuntimeException {
        ConcurrentChange(int vmId) {
            this("sim VM", vmId);
        }

        ConcurrentChange(String what, int id) {
            super(what + " " + id + " changed meanwhile", null, false, false);
        }
    }

    /**
     * Writes a VM's new state computed from {@code vm} as it was read, or fails with
     * {@link ConcurrentChange} when it changed since (a terminate and a reboot of one VM must not
     * overwrite each other).
     */
    public Future<Void> saveIfUnchanged(SimVm vm) {
        return pool.preparedQuery(SAVE_STATE_IF_UNCHANGED).execute(stateTuple(vm).addLong(vm.changeSeq()))
                .compose(r -> r.rowCount() == 1 ? Future.<Void>succeededFuture()
                        : Future.failedFuture(new ConcurrentChange(vm.id())));
    }

    /**
     * Materializes the timed states that are due at {@code now}, at most {@code limit} VMs, in one
     * transaction; concurrent callers skip each other's rows.
     */
    public Future<Integer> advanceDue(Instant now, int limit) {
        return pool.withTransaction(conn -> conn.preparedQuery(DUE).execute(Tuple.of(Sql.utc(now), limit))
                .compose(rows -> {
                    List<SimVm> due = vms(rows).stream().map(vm -> vm.at(now)).toList();
                    return save(conn, due).map(due.size());
                }));
    }

    public Future<List<SimVm>> changesSince(long cursor, int limit) {
        return pool.preparedQuery(CHANGES).execute(Tuple.of(cursor, limit)).map(SimulatorRepository::vms);
    }

    private static Future<Void> save(SqlClient client, List<SimVm> vms) {
        return Sql.batch(client, SAVE_STATE, vms.stream().map(SimulatorRepository::stateTuple).toList());
    }

    private static Tuple stateTuple(SimVm vm) {
        return Tuple.tuple()
                .addInteger(vm.id()).addShort((short) vm.state()).addShort((short) vm.lcmState())
                .addBoolean(vm.ready()).addString(phaseName(vm.phase()))
                .addOffsetDateTime(Sql.utc(vm.phaseStartedAt()))
                .addOffsetDateTime(Sql.utc(vm.nextChangeAt())).addBoolean(vm.terminateHard())
                .addInteger(vm.reboots()).addString(Json.write(vm.snapshots()))
                .addString(Json.write(vm.diskSnapshots()));
    }

    private static String failName(SimClock.FailStep step) {
        return step == null ? null : step.name().toLowerCase(Locale.ROOT);
    }

    private static String phaseName(SimClock.Phase phase) {
        return phase.name().toLowerCase(Locale.ROOT);
    }

    private static List<SimVm> vms(RowSet<Row> rows) {
        List<SimVm> out = new ArrayList<>();
        rows.forEach(r -> out.add(fromRow(r)));
        return out;
    }

    private static SimVm fromRow(Row r) {
        OffsetDateTime next = r.getOffsetDateTime("next_change_at");
        return new SimVm(r.getInteger("id"), r.getString("request_key"), r.getString("name"),
                r.getInteger("template_id"), r.getInteger("service_id"), r.getString("role_name"),
                r.getInteger("state"), r.getInteger("lcm_state"), r.getBoolean("ready"),
                SimClock.Phase.valueOf(r.getString("phase").toUpperCase(Locale.ROOT)), r.getDouble("deploy_seconds"),
                r.getDouble("terminate_seconds"), r.getDouble("ready_seconds"),
                r.getOffsetDateTime("phase_started_at").toInstant(), next == null ? null : next.toInstant(),
                r.getBoolean("terminate_hard"), r.getString("fail_step") == null ? null
                        : SimClock.FailStep.valueOf(r.getString("fail_step").toUpperCase(Locale.ROOT)),
                Json.parseObject(r.getString("user_template")), r.getInteger("reboots"),
                (ArrayNode) Json.parse(r.getString("snapshots")), (ArrayNode) Json.parse(r.getString("disk_snapshots")),
                Json.parseObject(r.getString("generators")),
                r.getLong("change_seq"), r.getOffsetDateTime("created_at").toInstant(),
                new SimVm.Owner(r.getString("owner_name"), r.getInteger("owner_gid")));
    }

    private static SimTemplate templateFromRow(Row r) {
        return new SimTemplate(r.getInteger("id"), r.getString("name"), Json.parseObject(r.getString("attributes")));
    }

    // ---- network templates and virtual networks ----

    public Future<Optional<SimNetTemplate>> findNetTemplate(int id) {
        return pool.preparedQuery(FIND_NET_TEMPLATE).execute(Tuple.of(id))
                .map(rows -> Sql.first(rows).map(SimulatorRepository::netTemplateFromRow));
    }

    public Future<List<SimNetTemplate>> listNetTemplates() {
        return pool.query(LIST_NET_TEMPLATES).execute().map(rows -> {
            List<SimNetTemplate> out = new ArrayList<>();
            rows.forEach(r -> out.add(netTemplateFromRow(r)));
            return out;
        });
    }

    public Future<SimNetTemplate> createNetTemplate(String name, ObjectNode attributes) {
        return pool.preparedQuery(INSERT_NET_TEMPLATE).execute(Tuple.of(name, Json.write(attributes)))
                .map(rows -> netTemplateFromRow(rows.iterator().next()));
    }

    /** Replaces a template's attributes; empty when there is no such template. */
    public Future<Optional<SimNetTemplate>> replaceNetTemplateAttributes(int id, ObjectNode attributes) {
        return pool.preparedQuery(REPLACE_NET_TEMPLATE_ATTRIBUTES).execute(Tuple.of(id, Json.write(attributes)))
                .map(rows -> Sql.first(rows).map(SimulatorRepository::netTemplateFromRow));
    }

    public Future<Optional<SimNetwork>> findNetwork(int id) {
        return pool.preparedQuery(FIND_NET_BY_ID).execute(Tuple.of(id))
                .map(rows -> Sql.first(rows).map(SimulatorRepository::networkFromRow));
    }

    public Future<Optional<SimNetwork>> findNetworkByKey(String requestKey) {
        return pool.preparedQuery(FIND_NET_BY_KEY).execute(Tuple.of(requestKey))
                .map(rows -> Sql.first(rows).map(SimulatorRepository::networkFromRow));
    }

    /** The networks not gone at {@code now}, by id. */
    public Future<List<SimNetwork>> listLiveNetworks(Instant now) {
        return pool.preparedQuery(LIST_NETS).execute(Tuple.of(Sql.utc(now)))
                .map(rows -> networks(rows).stream().filter(n -> !n.goneAt(now)).toList());
    }

    /** Stores the network unless one exists under its request key; returns what is stored under the key. */
    public Future<SimNetwork> insertNetworkOrGet(SimNetwork net) {
        Tuple row = Tuple.tuple()
                .addString(net.requestKey()).addString(net.name()).addInteger(net.parentId())
                .addInteger(net.templateId()).addString(net.owner().name()).addInteger(net.owner().gid())
                .addString(Json.write(net.attributes())).addString(netPhaseName(net.phase()))
                .addOffsetDateTime(Sql.utc(net.phaseStartedAt()))
                .addDouble(net.createSeconds()).addDouble(net.deleteSeconds()).addString(netFailName(net.fail()));
        return pool.preparedQuery(INSERT_NET).execute(row).compose(rows -> {
            Optional<SimNetwork> inserted = Sql.first(rows).map(SimulatorRepository::networkFromRow);
            return inserted.isPresent() ? Future.succeededFuture(inserted.get())
                    : findNetworkByKey(net.requestKey()).map(Optional::orElseThrow);
        });
    }

    /**
     * Writes {@code after}'s delete phase over {@code before} as it was read, or fails with
     * {@link ConcurrentChange} when the network changed since.
     */
    public Future<Void> startNetworkDelete(SimNetwork before, SimNetwork after) {
        Tuple row = Tuple.tuple()
                .addInteger(before.id()).addString(netPhaseName(before.phase()))
                .addOffsetDateTime(Sql.utc(before.phaseStartedAt())).addString(Json.write(before.attributes()))
                .addOffsetDateTime(Sql.utc(after.phaseStartedAt())).addDouble(after.deleteSeconds())
                .addString(netFailName(after.fail()));
        return pool.preparedQuery(START_NET_DELETE).execute(row)
                .compose(r -> r.rowCount() == 1 ? Future.<Void>succeededFuture()
                        : Future.failedFuture(new ConcurrentChange("sim network", before.id())));
    }

    /** Sets the given attributes and removes those named in {@code remove}; empty when there is no such network. */
    public Future<Optional<SimNetwork>> mergeNetworkAttributes(int id, ObjectNode set, List<String> remove) {
        Tuple row = Tuple.tuple().addInteger(id).addString(Json.write(set))
                .addArrayOfString(remove.toArray(new String[0]));
        return pool.preparedQuery(MERGE_NET_ATTRIBUTES).execute(row)
                .map(rows -> Sql.first(rows).map(SimulatorRepository::networkFromRow));
    }

    /** A service chown: its networks get the new owner (by id; -1 keeps) and group (-1 keeps). */
    public Future<Void> chownNetworks(List<Integer> netIds, int uid, int gid) {
        return pool.preparedQuery(CHOWN_NETS).execute(Tuple.tuple().addArrayOfInteger(netIds.toArray(new Integer[0]))
                .addInteger(uid).addInteger(gid)).mapEmpty();
    }

    private static String netPhaseName(SimNetClock.Phase phase) {
        return phase.name().toLowerCase(Locale.ROOT);
    }

    private static String netFailName(SimNetClock.Fail fail) {
        return fail == null ? null : fail.name().toLowerCase(Locale.ROOT);
    }

    private static SimNetwork networkFromRow(Row r) {
        String fail = r.getString("fail");
        return new SimNetwork(r.getInteger("id"), r.getString("request_key"), r.getString("name"),
                r.getInteger("parent_id"), r.getInteger("template_id"),
                new SimVm.Owner(r.getString("owner_name"), r.getInteger("owner_gid")),
                Json.parseObject(r.getString("attributes")),
                SimNetClock.Phase.valueOf(r.getString("phase").toUpperCase(Locale.ROOT)),
                r.getOffsetDateTime("phase_started_at").toInstant(), r.getDouble("create_seconds"),
                r.getDouble("delete_seconds"),
                fail == null ? null : SimNetClock.Fail.valueOf(fail.toUpperCase(Locale.ROOT)),
                r.getOffsetDateTime("created_at").toInstant());
    }

    private static SimNetTemplate netTemplateFromRow(Row r) {
        return new SimNetTemplate(r.getInteger("id"), r.getString("name"), Json.parseObject(r.getString("attributes")));
    }

    private static List<SimNetwork> networks(RowSet<Row> rows) {
        List<SimNetwork> out = new ArrayList<>();
        rows.forEach(r -> out.add(networkFromRow(r)));
        return out;
    }
}
