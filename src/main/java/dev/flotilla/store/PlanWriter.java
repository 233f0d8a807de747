package dev.flotilla.store;

import dev.flotilla.domain.Plan;
import dev.flotilla.domain.RoleState;
import dev.flotilla.domain.ServiceSnapshot;
import io.vertx.core.Future;
import io.vertx.sqlclient.Pool;
import io.vertx.sqlclient.SqlClient;
import io.vertx.sqlclient.Tuple;

import java.util.ArrayList;
import java.util.HashMap;
import java.util.Map;
import java.util.TreeMap;
import java.util.List;
import java.util.Set;
import java.util.TreeSet;
import java.util.function.Supplier;

/**
 * Commits the planner's {@link Plan} for one service: the service and role states, the new VM rows
 * with their request keys, the VM intents (terminate, retire, forget, release, resume), the network
 * attempts and intents (delete, retire, forget) and the plan's events, all in one transaction guarded by the snapshot's {@code version}. The reconciler
 * commits a plan in a transaction of its own; a command commits its first plan step in the
 * command's transaction. The rows are stored before the cloud is asked, so a restart reads the
 * intents back instead of losing or repeating them.
 */
public final class PlanWriter {
    private static final String UPDATE_SERVICE_STATE = """
            UPDATE services SET state = $3, deadline_at = $4, force_delete = force_delete OR $5,
                   hold_released = hold_released OR $6, version = version + 1, updated_at = now()
            WHERE id = $1 AND version = $2 AND owner_node = $7 AND owner_epoch = $8
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
    private static final String LOCK_VERSIONS = """
            SELECT id, version, owner_node, owner_epoch FROM services WHERE id = ANY($1) ORDER BY id FOR UPDATE
            """;
    private static final String FORGET_VMS = "UPDATE vms SET gone = true WHERE id = ANY($1)";
    private static final String RETIRE_VMS = "UPDATE vms SET retired = true WHERE id = ANY($1)";
    private static final String REQUEST_RELEASE = "UPDATE vms SET release_requested = true WHERE id = ANY($1)";
    private static final String REQUEST_RESUME =
            "UPDATE vms SET resume_requested = true, resume_sent = false WHERE id = ANY($1)";
    private static final String INSERT_NETWORK = """
            INSERT INTO service_networks (service_id, name, attempt, source, source_id, extra, net_name, request_key)
            VALUES ($1, $2, $3, $4, $5, $6, $7, $8)
            """;
    /** The state seen before the delete says nothing about the delete: it is read afresh. */
    private static final String REQUEST_NETWORK_DELETE = """
            UPDATE service_networks SET delete_requested = true, delete_sent = false, delete_error = NULL, state = NULL
            WHERE id = ANY($1)
            """;
    private static final String RETIRE_NETWORKS = "UPDATE service_networks SET retired = true WHERE id = ANY($1)";
    private static final String FORGET_NETWORKS = "UPDATE service_networks SET gone = true WHERE id = ANY($1)";
    private static final String MARK_REMOVING = "UPDATE roles SET removing = true WHERE service_id = $1 AND name = ANY($2)";
    private static final String DELETE_ROLES = "DELETE FROM roles WHERE service_id = $1 AND name = ANY($2)";

    private final Pool pool;
    private final Supplier<LeaseStore.Fence> fence;

    /** Every commit is fenced: the service must be {@code fence}'s, and its lease alive. */
    public PlanWriter(Pool pool, Supplier<LeaseStore.Fence> fence) {
        this.pool = pool;
        this.fence = fence;
    }

    /** Fails with {@link LeaseExpiredException} when this node's lease is not alive under its epoch. */
    private Future<Void> leaseAlive(SqlClient conn, LeaseStore.Fence owner) {
        return conn.preparedQuery(LeaseStore.LEASE_ALIVE).execute(Tuple.of(owner.node(), owner.epoch()))
                .compose(rows -> rows.rowCount() == 1 ? Future.succeededFuture()
                        : Future.failedFuture(new LeaseExpiredException(owner.node(), owner.epoch())));
    }

    /**
     * Commits a plan in one transaction guarded by the snapshot's version: states, new VM rows,
     * terminate intents, forgotten VMs and events. Fails with {@link StaleSnapshotException} when
     * someone else wrote the service since the snapshot was read.
     */
    public Future<List<EventRecord>> apply(ServiceSnapshot snapshot, Plan plan) {
        return Tx.run(pool, tx -> apply(tx, snapshot, plan));
    }

    /** A plan for one service, to commit with others. */
    public record Planned(ServiceSnapshot snapshot, Plan plan) {
    }

    /**
     * Group commit: the plans of many services in one transaction. Their rows are locked and their
     * versions compared first, in id order (the same order everywhere, so two of these cannot wait
     * on each other); a plan whose service changed since its snapshot is left out, not committed,
     * and answered {@code null}; the others answer their events.
     */
    public Future<Map<Integer, List<EventRecord>>> applyAll(List<Planned> planned) {
        Map<Integer, Planned> byId = new TreeMap<>();
        planned.forEach(p -> byId.put(p.snapshot().id(), p));
        LeaseStore.Fence owner = fence.get();
        return Tx.run(pool, tx -> leaseAlive(tx.client, owner).compose(alive -> tx.client.preparedQuery(LOCK_VERSIONS)
                .execute(Tuple.of((Object) byId.keySet().toArray(new Integer[0]))))
                .compose(rows -> {
                    Map<Integer, Future<List<EventRecord>>> applied = new TreeMap<>();
                    rows.forEach(r -> {
                        Planned p = byId.get(r.getInteger("id"));
                        boolean ours = owner.node().equals(r.getString("owner_node"))
                                && Long.valueOf(owner.epoch()).equals(r.getLong("owner_epoch"));
                        if (ours && r.getInteger("version") == p.snapshot().version()) {
                            applied.put(p.snapshot().id(), apply(tx, p.snapshot(), p.plan(), owner));
                        }
                    });
                    return Future.all(new ArrayList<>(applied.values())).map(all -> {
                        Map<Integer, List<EventRecord>> out = new HashMap<>();
                        byId.keySet().forEach(id -> out.put(id, applied.containsKey(id) ? applied.get(id).result()
                                : null));
                        return out;
                    });
                }));
    }

    /** {@link #apply(ServiceSnapshot, Plan)} within a command's own transaction. */
    public Future<List<EventRecord>> apply(Tx tx, ServiceSnapshot snapshot, Plan plan) {
        LeaseStore.Fence owner = fence.get();
        return leaseAlive(tx.client, owner).compose(v -> apply(tx, snapshot, plan, owner));
    }

    private Future<List<EventRecord>> apply(Tx tx, ServiceSnapshot snapshot, Plan plan, LeaseStore.Fence owner) {
        int id = snapshot.id();
        SqlClient conn = tx.client;
        // All statements are sent at once (pipelined); PostgreSQL still runs them in order, and a
        // version mismatch on the first one fails the transaction, which rolls back the rest.
        Future<Void> version = conn.preparedQuery(UPDATE_SERVICE_STATE)
                .execute(Tuple.tuple().addInteger(id).addInteger(snapshot.version())
                        .addShort((short) plan.states().serviceState().number())
                        .addValue(Sql.utc(plan.states().deadline())).addBoolean(plan.states().forceDelete())
                        .addBoolean(plan.states().holdReleased()).addString(owner.node()).addLong(owner.epoch()))
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
        Future<Void> networks = applyNetworks(conn, id, plan);
        Future<List<EventRecord>> events = EventLog.insertEvents(conn, id, plan.events());
        return Future.all(List.of(version, roles, vms, terminates, forgets, retires, releases, resumes, removing,
                        deleted, networks, events))
                .map(all -> events.result());
    }

    /** New network attempts with their request keys, and the deletes, retirements and forgettings. */
    private static Future<Void> applyNetworks(SqlClient conn, int id, Plan plan) {
        var intents = plan.networks();
        if (intents.isEmpty()) {
            return Future.succeededFuture();
        }
        Future<Void> created = Sql.batch(conn, INSERT_NETWORK, intents.newNetworks().stream()
                .map(n -> Tuple.tuple().addInteger(id).addString(n.name()).addInteger(n.attempt())
                        .addString(n.source().key()).addInteger(n.sourceId()).addString(n.extra())
                        .addString(n.netName()).addString(n.requestKey()))
                .toList());
        return Future.all(created, rows(conn, REQUEST_NETWORK_DELETE, intents.deleteRows()),
                rows(conn, RETIRE_NETWORKS, intents.retireRows()), rows(conn, FORGET_NETWORKS, intents.forgetRows()))
                .mapEmpty();
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
}
