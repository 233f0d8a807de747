package dev.flotilla.store;

import dev.flotilla.domain.RoleState;
import dev.flotilla.domain.ServiceState;
import dev.flotilla.domain.VmObservation;
import dev.flotilla.domain.VmStates;
import dev.flotilla.json.Json;
import io.vertx.core.Future;
import io.vertx.sqlclient.Pool;
import io.vertx.sqlclient.Tuple;

import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;

/**
 * What is learnt about VMs once a plan has stored them: the states the poller observes, and what
 * the engine's driver calls came to (the VM id a create got, a refusal, a terminate, release or
 * resume sent, a VM the cloud never made). Rows are found by the request key committed with the
 * plan. None of these writes changes a service's or a role's state: the engine decides what they
 * mean the next time it plans (style.md rule 3).
 */
public final class VmObservations {
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
                               has_run = v.has_run OR (o.state = 3 AND o.lcm_state = 3), observed_at = now()
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
    private static final String RECORD_RELEASE_SENT = "UPDATE vms SET release_sent = true WHERE request_key = $1";
    private static final String RECORD_RESUME_SENT = "UPDATE vms SET resume_sent = true WHERE request_key = $1";
    private static final String MEMBERS = """
            SELECT v.service_id, v.role_name, r.state AS role_state, v.vm_id
            FROM vms v JOIN roles r ON r.service_id = v.service_id AND r.name = v.role_name
                       JOIN services s ON s.id = v.service_id
            WHERE NOT v.gone AND NOT v.retired AND v.vm_id IS NOT NULL AND s.state <> $1
            ORDER BY v.service_id, v.role_name, v.vm_number
            """;

    private final Pool pool;

    public VmObservations(Pool pool) {
        this.pool = pool;
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
            events.sort(Comparator.comparingLong(EventRecord::seq));
            return new Observed(ids, events);
        });
    }

    // ---- outcomes of the engine's driver calls ---------------------------------------------------

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

    /** Every member with a VM of every service not DONE, for the drift report. */
    public Future<List<dev.flotilla.domain.Drift.Member>> members() {
        return pool.preparedQuery(MEMBERS).execute(io.vertx.sqlclient.Tuple.of((short) ServiceState.DONE.number()))
                .map(rows -> {
                    List<dev.flotilla.domain.Drift.Member> out = new java.util.ArrayList<>();
                    rows.forEach(r -> out.add(new dev.flotilla.domain.Drift.Member(r.getInteger("service_id"),
                            r.getString("role_name"), RoleState.ofNumber(r.getInteger("role_state")),
                            r.getInteger("vm_id"))));
                    return out;
                });
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
}
