package dev.flotilla.store;

import dev.flotilla.json.Json;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.flotilla.domain.Autoscaling;
import dev.flotilla.domain.PolicyCounters;
import dev.flotilla.domain.ServiceState;
import io.vertx.core.Future;
import io.vertx.sqlclient.Pool;
import io.vertx.sqlclient.Row;
import io.vertx.sqlclient.Tuple;

import java.time.Instant;
import java.time.OffsetDateTime;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/** What the autoscaler reads and writes: roles with policies, their bookkeeping, and its evaluations. */
public final class AutoscalerStore {
    /** A role's stored policy bookkeeping, as JSON (the service document shows it too). */
    /** One policy's counters row {@code pc} as JSON (the service documents aggregate it too). */
    static final String COUNTER_OBJECT = """
            json_build_object('policy', pc.policy, 'position', pc.position, 'fingerprint', pc.fingerprint,
                'counters', pc.counters, 'version', pc.version)""";
    public static final String COUNTERS_JSON = """
            COALESCE((SELECT json_agg(%s)
              FROM policy_counters pc WHERE pc.service_id = r.service_id AND pc.role_name = r.name), '[]'::json)::text
            """.formatted(COUNTER_OBJECT);

    /** Only roles that have something to evaluate, so a pass costs what the policies cost, not all VMs. */
    private static final String CANDIDATES = """
            SELECT s.id AS service_id, s.state, s.deadline_at, r.name, r.cardinality, r.body::text AS body,
                   COALESCE((SELECT array_agg(v.vm_id ORDER BY v.vm_number) FROM vms v
                              WHERE v.service_id = r.service_id AND v.role_name = r.name AND NOT v.gone
                                AND NOT v.retired AND v.vm_id IS NOT NULL), '{}') AS vm_ids,
                   %s AS counters
            FROM roles r JOIN services s ON s.id = r.service_id
            WHERE s.state = ANY($1) AND s.owner_node = $2
              AND (jsonb_array_length(COALESCE(r.body->'elasticity_policies', '[]')) > 0
                   OR jsonb_array_length(COALESCE(r.body->'scheduled_policies', '[]')) > 0
                   OR COALESCE((r.body->>'min_vms')::int, 0) > r.cardinality)
            ORDER BY s.id, r.position
            """.formatted(COUNTERS_JSON);
    /**
     * The bookkeeping of one policy, written only over the version it was computed from: a row
     * someone else moved on meanwhile is left alone (the next pass counts from it).
     */
    private static final String SAVE_COUNTERS = """
            INSERT INTO policy_counters (service_id, role_name, policy, position, fingerprint, counters)
            VALUES ($1, $2, $3, $4, $5, $6::text::jsonb)
            ON CONFLICT (service_id, role_name, policy, position) DO UPDATE
               SET fingerprint = EXCLUDED.fingerprint, counters = EXCLUDED.counters,
                   version = policy_counters.version + 1
             WHERE policy_counters.version = $7
            """;
    private static final String RECORD = """
            INSERT INTO autoscaler_evaluations (service_id, role_name, at, policy, inputs, evaluated, true_evals,
                   period_number, cardinality, new_cardinality, decision, reason)
            VALUES ($1, $2, $3, $4, $5::text::jsonb, $6, $7, $8, $9, $10, $11, $12)
            """;
    private static final String RECENT = """
            SELECT * FROM (SELECT e.*, row_number() OVER (PARTITION BY role_name ORDER BY id DESC) AS n
                             FROM autoscaler_evaluations e WHERE service_id = $1) x
            WHERE n <= $2 ORDER BY role_name, id DESC
            """;

    private final Pool pool;

    public AutoscalerStore(Pool pool) {
        this.pool = pool;
    }

    /**
     * A role to evaluate: its service's state, when a cooldown ends, its body, member VM ids and
     * the stored bookkeeping of its policies (by kind, then position).
     */
    public record Candidate(int serviceId, int serviceState, Instant deadline, String role, int cardinality,
                            ObjectNode body, List<Integer> vmIds,
                            Map<String, Map<Integer, PolicyCounters.Stored>> counters) {
    }

    /** One policy's new bookkeeping, over the version it was read at (null: none was stored). */
    public record CounterWrite(String policy, int position, String fingerprint, ObjectNode counters,
                               Integer readVersion) {
    }

    /** The roles to evaluate of the services {@code node} owns (a pass runs once per role cluster-wide). */
    public Future<List<Candidate>> candidates(String node) {
        return pool.preparedQuery(CANDIDATES).execute(Tuple.of(ServiceState.numbers(ServiceState::isAutoscaled), node))
                .map(rows -> {
            List<Candidate> out = new ArrayList<>();
            for (Row r : rows) {
                OffsetDateTime deadline = r.getOffsetDateTime("deadline_at");
                out.add(new Candidate(r.getInteger("service_id"), r.getInteger("state"),
                        deadline == null ? null : deadline.toInstant(), r.getString("name"), r.getInteger("cardinality"),
                        Json.parseObject(r.getString("body")), Arrays.asList(r.getArrayOfIntegers("vm_ids")),
                        storedCounters(Json.parse(r.getString("counters")))));
            }
            return out;
        });
    }

    /** Persists the policies' bookkeeping so counting survives a restart; never the role body. */
    public Future<Void> saveCounters(int serviceId, String role, List<CounterWrite> writes) {
        return Sql.batch(pool, SAVE_COUNTERS, writes.stream().map(w -> Tuple.tuple().addInteger(serviceId)
                .addString(role).addString(w.policy()).addShort((short) w.position()).addString(w.fingerprint())
                .addString(Json.write(w.counters())).addInteger(w.readVersion() == null ? -1 : w.readVersion()))
                .toList());
    }

    /** The stored bookkeeping of a role ({@link #COUNTERS_JSON}) by policy kind, then position. */
    public static Map<String, Map<Integer, PolicyCounters.Stored>> storedCounters(JsonNode rows) {
        Map<String, Map<Integer, PolicyCounters.Stored>> out = new LinkedHashMap<>();
        for (JsonNode row : rows) {
            out.computeIfAbsent(row.get("policy").asText(), k -> new LinkedHashMap<>()).put(row.get("position").asInt(),
                    new PolicyCounters.Stored(row.get("fingerprint").asText(), (ObjectNode) row.get("counters"),
                            row.get("version").asInt()));
        }
        return out;
    }

    public Future<Void> record(int serviceId, String role, Instant at, ObjectNode inputs, int cardinality,
                               List<Autoscaling.Evaluation> evaluations) {
        return Sql.batch(pool, RECORD, evaluations.stream().map(e -> Tuple.tuple()
                .addInteger(serviceId).addString(role).addOffsetDateTime(Sql.utc(at)).addString(e.policy())
                .addString(Json.write(inputs)).addString(e.evaluated()).addInteger(e.trueEvals())
                .addInteger(e.periodNumber()).addInteger(cardinality).addInteger(e.newCardinality())
                .addString(e.decision()).addString(e.reason())).toList());
    }

    /** The newest {@code limit} evaluations of each role of a service, newest first. */
    public Future<Map<String, List<ObjectNode>>> recent(int serviceId, int limit) {
        return pool.preparedQuery(RECENT).execute(Tuple.of(serviceId, limit)).map(rows -> {
            Map<String, List<ObjectNode>> out = new LinkedHashMap<>();
            for (Row r : rows) {
                ObjectNode e = Json.object();
                e.put("time", r.getOffsetDateTime("at").toInstant().toString());
                e.put("policy", r.getString("policy"));
                e.set("inputs", Json.parse(r.getJsonObject("inputs") == null ? "{}" : r.getJsonObject("inputs").encode()));
                e.put("evaluated", r.getString("evaluated"));
                if (r.getInteger("true_evals") != null) {
                    e.put("true_evals", r.getInteger("true_evals")).put("period_number", r.getInteger("period_number"));
                }
                e.put("cardinality", r.getInteger("cardinality")).put("new_cardinality", r.getInteger("new_cardinality"));
                e.put("decision", r.getString("decision")).put("reason", r.getString("reason"));
                out.computeIfAbsent(r.getString("role_name"), k -> new ArrayList<>()).add(e);
            }
            return out;
        });
    }
}
