package dev.flotilla.store;

import dev.flotilla.json.Json;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.flotilla.domain.Autoscaling;
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
    /** Only roles that have something to evaluate, so a pass costs what the policies cost, not all VMs. */
    private static final String CANDIDATES = """
            SELECT s.id AS service_id, s.state, s.deadline_at, r.name, r.cardinality, r.body::text AS body,
                   COALESCE((SELECT array_agg(v.vm_id ORDER BY v.vm_number) FROM vms v
                              WHERE v.service_id = r.service_id AND v.role_name = r.name AND NOT v.gone
                                AND NOT v.retired AND v.vm_id IS NOT NULL), '{}') AS vm_ids
            FROM roles r JOIN services s ON s.id = r.service_id
            WHERE s.state IN (2, 10)
              AND (jsonb_array_length(COALESCE(r.body->'elasticity_policies', '[]')) > 0
                   OR jsonb_array_length(COALESCE(r.body->'scheduled_policies', '[]')) > 0
                   OR COALESCE((r.body->>'min_vms')::int, 0) > r.cardinality)
            ORDER BY s.id, r.position
            """;
    private static final String SAVE_POLICIES = """
            UPDATE roles SET body = jsonb_set(jsonb_set(body, '{elasticity_policies}',
                       COALESCE($3::text::jsonb, body->'elasticity_policies', '[]')),
                       '{scheduled_policies}', COALESCE($4::text::jsonb, body->'scheduled_policies', '[]'))
            WHERE service_id = $1 AND name = $2
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

    /** A role to evaluate: its service's state, when a cooldown ends, its body and member VM ids. */
    public record Candidate(int serviceId, int serviceState, Instant deadline, String role, int cardinality,
                            ObjectNode body, List<Integer> vmIds) {
    }

    public Future<List<Candidate>> candidates() {
        return pool.query(CANDIDATES).execute().map(rows -> {
            List<Candidate> out = new ArrayList<>();
            for (Row r : rows) {
                OffsetDateTime deadline = r.getOffsetDateTime("deadline_at");
                out.add(new Candidate(r.getInteger("service_id"), r.getInteger("state"),
                        deadline == null ? null : deadline.toInstant(), r.getString("name"), r.getInteger("cardinality"),
                        Json.parseObject(r.getString("body")), Arrays.asList(r.getArrayOfIntegers("vm_ids"))));
            }
            return out;
        });
    }

    /** Persists the policies' bookkeeping so counting survives a restart. */
    public Future<Void> savePolicies(int serviceId, String role, ArrayNode elasticity, ArrayNode scheduled) {
        return pool.preparedQuery(SAVE_POLICIES).execute(Tuple.of(serviceId, role,
                elasticity == null ? null : Json.write(elasticity), scheduled == null ? null : Json.write(scheduled)))
                .mapEmpty();
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
