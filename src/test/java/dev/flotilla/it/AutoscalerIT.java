package dev.flotilla.it;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.flotilla.support.ApiClient;
import dev.flotilla.support.TestDatabase;
import dev.flotilla.support.TestServer;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;

import static dev.flotilla.it.LifecycleIT.messages;
import static dev.flotilla.it.LifecycleIT.role;
import static org.awaitility.Awaitility.await;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** Elasticity and scheduled policies driving real scales, explained, over HTTP. */
class AutoscalerIT {
    private static final Duration WAIT = Duration.ofSeconds(60);
    private static final Map<String, String> FAST = Map.of("FLOTILLA_AUTOSCALER_INTERVAL", "1");
    private static TestDatabase db;
    private static TestServer server;
    private static ApiClient api;

    @BeforeAll
    static void start() {
        db = TestDatabase.fresh();
        server = TestServer.start(db, FAST);
        api = server.api();
    }

    @AfterAll
    static void stop() {
        server.close();
        db.close();
    }

    private static int service(String role) {
        int template = server.createTemplate("{\"name\": \"auto\", \"roles\": [" + role + "]}");
        int id = server.instantiate(template, null);
        await().atMost(WAIT).until(() -> server.state(id) == 2);
        return id;
    }

    private static int cardinality(int id) {
        return role(server.body(id), "web").get("cardinality").asInt();
    }

    private static void monitor(int id, String metrics) {
        for (JsonNode node : role(server.body(id), "web").get("nodes")) {
            api.put("/sim/vm/" + node.get("deploy_id").asInt(), "{\"monitoring\": " + metrics + "}");
        }
    }

    private static List<JsonNode> evaluations(int id) {
        List<JsonNode> out = new ArrayList<>();
        api.get("/service/" + id + "/autoscaler?limit=200").json().path("roles").path("web").forEach(out::add);
        return out;
    }

    @Test
    void aPolicyScalesUpAfterItsPeriodsThenBackDownAndLiveEditsTakeEffect() {
        int id = service("""
                {"name": "web", "type": "vm", "template_id": 0, "cardinality": 1, "min_vms": 1, "max_vms": 2,
                 "cooldown": 1,
                 "elasticity_policies": [
                   {"type": "CHANGE", "adjust": 1, "expression": "CPU > 70", "period_number": 2},
                   {"type": "CHANGE", "adjust": -1, "expression": "CPU < 20", "period_number": 2}]}
                """);
        monitor(id, "{\"CPU\": 90}");
        await().atMost(WAIT).until(() -> cardinality(id) == 2);
        assertTrue(messages(server.body(id)).contains("autoscaler: scale web 1→2: CPU[90.0] > 70 for 2/2 periods"),
                messages(server.body(id)).toString());
        List<JsonNode> seen = evaluations(id);
        assertTrue(seen.stream().anyMatch(e -> e.path("reason").asText().equals(
                "no change yet: CPU[90.0] > 70 for 1/2 periods")), seen.toString());
        JsonNode scale = seen.stream().filter(e -> e.path("decision").asText().equals("scale")).findFirst().orElseThrow();
        assertEquals(90.0, scale.path("inputs").elements().next().path("CPU").asDouble(), "per-VM inputs are kept");

        // At max_vms nothing moves; raising max_vms on the running service takes effect at the next evaluation.
        await().atMost(WAIT).until(() -> server.state(id) == 2);
        await().atMost(WAIT).until(() -> evaluations(id).stream().limit(2)
                .anyMatch(e -> e.path("reason").asText().contains("at its bound (2)")));
        ObjectNode body = server.body(id);
        ((ObjectNode) role(body, "web")).put("max_vms", 3);
        assertEquals(204, api.put("/service/" + id, body.toString()).status());
        await().atMost(WAIT).until(() -> cardinality(id) == 3);

        await().atMost(WAIT).until(() -> server.state(id) == 2);
        monitor(id, "{\"CPU\": 5}");
        await().atMost(WAIT).until(() -> cardinality(id) == 1);
        assertTrue(messages(server.body(id)).stream().anyMatch(m -> m.startsWith("autoscaler: scale web 2→1: CPU[5.0] < 20")));
    }

    @Test
    void cooldownHoldsTheAutoscalerAndRecoverSkipsIt() {
        int id = service("""
                {"name": "web", "type": "vm", "template_id": 0, "cardinality": 1, "min_vms": 1, "max_vms": 4,
                 "cooldown": 600, "template_contents": {"SIM_MONITOR_CPU": "constant:95"},
                 "elasticity_policies": [{"type": "CHANGE", "adjust": 1, "expression": "CPU > 50"}]}
                """);
        await().atMost(WAIT).until(() -> server.state(id) == 10);
        assertEquals(2, cardinality(id));
        await().atMost(WAIT).until(() -> evaluations(id).get(0).path("reason").asText().matches("no change: cooldown \\d+ s left"));
        assertEquals(2, cardinality(id), "nothing scales during the cooldown");
        assertEquals(204, api.post("/service/" + id + "/action", "{\"action\": {\"perform\": \"recover\"}}").status());
        await().atMost(WAIT).until(() -> cardinality(id) == 3);
    }

    @Test
    void aScheduledPolicyFiresAtItsTime() {
        long at = Instant.now().getEpochSecond() + 4;
        int id = service("""
                {"name": "web", "type": "vm", "template_id": 0, "cardinality": 1, "min_vms": 1, "max_vms": 4,
                 "cooldown": 1,
                 "scheduled_policies": [{"type": "CARDINALITY", "adjust": 3, "start_time": "%d"}]}
                """.formatted(at));
        await().atMost(WAIT).until(() -> cardinality(id) == 3);
        assertTrue(Instant.now().getEpochSecond() >= at, "not before its time");
        assertTrue(messages(server.body(id)).stream().anyMatch(m -> m.startsWith("autoscaler: scale web 1→3: "
                + "CARDINALITY 3 at " + at)), messages(server.body(id)).toString());
    }

    @Test
    void aRestartKeepsTheCountingState() {
        int id = service("""
                {"name": "web", "type": "vm", "template_id": 0, "cardinality": 1, "min_vms": 1, "max_vms": 3,
                 "cooldown": 1,
                 "elasticity_policies": [{"type": "CHANGE", "adjust": 1, "expression": "CPU > 70", "period_number": 3,
                                          "period": 3}]}
                """);
        monitor(id, "{\"CPU\": 80}");
        await().atMost(WAIT).until(() -> role(server.body(id), "web").path("elasticity_policies").get(0)
                .path("true_evals").asInt() == 2);
        server.stop();
        server = TestServer.start(db, FAST);
        api = server.api();
        await().atMost(WAIT).until(() -> cardinality(id) == 2);
        List<String> log = messages(server.body(id));
        assertTrue(log.contains("autoscaler: scale web 1→2: CPU[80.0] > 70 for 3/3 periods"), log.toString());
        assertEquals(1, evaluations(id).stream().filter(e -> e.path("reason").asText()
                .equals("no change yet: CPU[80.0] > 70 for 1/3 periods")).count(), "the count was not started again");
    }
}
