package dev.flotilla.it;

import com.fasterxml.jackson.databind.JsonNode;
import dev.flotilla.support.ApiClient;
import dev.flotilla.support.TestDatabase;
import dev.flotilla.support.TestServer;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

import java.time.Duration;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Set;

import static org.awaitility.Awaitility.await;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** The built-in cloud as a product feature: templates, timings, state progression, READY. */
class SimulatorIT {
    private static TestDatabase db;
    private static TestServer server;
    private static ApiClient api;

    @BeforeAll
    static void start() {
        db = TestDatabase.fresh();
        server = TestServer.start(db);
        api = server.api();
    }

    @AfterAll
    static void stop() {
        server.close();
        db.close();
    }

    private static int simTemplate(String json) {
        ApiClient.Response r = api.post("/sim/template", json);
        assertEquals(201, r.status(), r.body());
        return r.json().path("VMTEMPLATE").path("ID").asInt();
    }

    private static List<JsonNode> vmsOf(int serviceId) {
        List<JsonNode> out = new java.util.ArrayList<>();
        api.get("/sim/vm").json().path("VM").forEach(vm -> {
            if (vm.path("USER_TEMPLATE").path("SERVICE_ID").asInt() == serviceId) {
                out.add(vm);
            }
        });
        return out;
    }

    @Test
    void templateZeroExistsAndTemplatesCanBeAdded() {
        JsonNode list = api.get("/sim/template").json().path("VMTEMPLATE");
        assertEquals("0", list.get(0).get("ID").asText());
        int id = simTemplate("{\"name\": \"slow\", \"attributes\": {\"SIM_DEPLOY_SECONDS\": 9}}");
        assertTrue(id > 0);
        assertEquals(400, api.post("/sim/template", "{\"attributes\": {}}").status());
        assertEquals(400, api.post("/sim/template",
                "{\"name\": \"x\", \"attributes\": {\"SIM_DEPLOY_SECONDS\": -1}}").status());
    }

    @Test
    void vmsGoThroughPendingPrologBootRunningOnTheTemplatesTimings() {
        int vmTemplate = simTemplate("{\"name\": \"timed\", \"attributes\": {\"SIM_DEPLOY_SECONDS\": 1.5}}");
        int template = server.createTemplate("{\"name\": \"timed\", \"roles\": [{\"name\": \"r\", \"type\": \"vm\","
                + " \"template_id\": " + vmTemplate + ", \"cardinality\": 1}]}");
        int id = server.instantiate(template, null);
        Set<String> seen = new LinkedHashSet<>();
        await().atMost(Duration.ofSeconds(20)).pollInterval(Duration.ofMillis(40)).until(() -> {
            List<JsonNode> vms = vmsOf(id);
            if (vms.size() == 1) {
                seen.add(vms.get(0).get("STATE").asText() + "/" + vms.get(0).get("LCM_STATE").asText());
            }
            return seen.contains("3/3");
        });
        assertEquals(List.of("1/0", "3/1", "3/2", "3/3"), List.copyOf(seen), "PENDING, PROLOG, BOOT, RUNNING");
        assertEquals(1.5, vmsOf(id).get(0).get("SIM_DEPLOY_SECONDS").asDouble());
        await().atMost(Duration.ofSeconds(20)).until(() -> server.state(id) == 2);
    }

    @Test
    void roleTemplateContentsOverrideTheVmTemplateTimings() {
        int template = server.createTemplate("""
                {"name": "fast", "roles": [{"name": "r", "type": "vm", "template_id": 0, "cardinality": 1,
                  "template_contents": {"SIM_DEPLOY_SECONDS": "0", "SIM_TERMINATE_SECONDS": "0"}}]}
                """);
        int id = server.instantiate(template, null);
        await().atMost(Duration.ofSeconds(20)).until(() -> server.state(id) == 2);
        JsonNode vm = vmsOf(id).get(0);
        assertEquals(0.0, vm.get("SIM_DEPLOY_SECONDS").asDouble());
        assertEquals(0.0, vm.get("SIM_TERMINATE_SECONDS").asDouble());
    }

    @Test
    void readyStatusGateWaitsForReadyYes() {
        int template = server.createTemplate("""
                {"name": "gated", "ready_status_gate": true, "roles": [{"name": "r", "type": "vm", "template_id": 0,
                  "cardinality": 1, "template_contents": {"SIM_DEPLOY_SECONDS": "0", "SIM_READY_SECONDS": "2"}}]}
                """);
        int id = server.instantiate(template, null);
        await().atMost(Duration.ofSeconds(10)).until(() -> vmsOf(id).size() == 1
                && vmsOf(id).get(0).get("LCM_STATE").asInt() == 3);
        JsonNode vm = vmsOf(id).get(0);
        assertTrue(vm.path("USER_TEMPLATE").path("READY").isMissingNode(), "not READY yet: " + vm);
        assertEquals(1, server.state(id), "a running VM without READY=YES keeps the service DEPLOYING");
        await().atMost(Duration.ofSeconds(20)).until(() -> server.state(id) == 2);
        assertEquals("YES", vmsOf(id).get(0).path("USER_TEMPLATE").path("READY").asText());
    }

    @Test
    void simFailDeployFailsEveryVmOfTheTemplate() {
        int vmTemplate = simTemplate("{\"name\": \"broken\", \"attributes\": {\"SIM_FAIL\": \"deploy\"}}");
        int template = server.createTemplate("{\"name\": \"b\", \"roles\": [{\"name\": \"r\", \"type\": \"vm\","
                + " \"template_id\": " + vmTemplate + ", \"cardinality\": 2}]}");
        int id = server.instantiate(template, null);
        await().atMost(Duration.ofSeconds(20)).until(() -> server.state(id) == 7);
        await().atMost(Duration.ofSeconds(20)).until(() -> vmsOf(id).size() == 2
                && vmsOf(id).stream().allMatch(vm -> vm.get("LCM_STATE").asInt() == 36));
    }

    @Test
    void simFailRateFailsSomeVmsAndSparesOthers() {
        int template = server.createTemplate("""
                {"name": "flaky", "roles": [{"name": "r", "type": "vm", "template_id": 0, "cardinality": 24,
                  "template_contents": {"SIM_FAIL_RATE": "0.5", "SIM_DEPLOY_SECONDS": "0"}}]}
                """);
        int id = server.instantiate(template, null);
        await().atMost(Duration.ofSeconds(20)).until(() -> vmsOf(id).size() == 24
                && vmsOf(id).stream().allMatch(vm -> vm.get("LCM_STATE").asInt() == 3
                || vm.get("LCM_STATE").asInt() == 36));
        long failed = vmsOf(id).stream().filter(vm -> vm.get("LCM_STATE").asInt() == 36).count();
        assertTrue(failed > 0 && failed < 24, failed + " of 24 failed");
        await().atMost(Duration.ofSeconds(20)).until(() -> server.state(id) == 7);
    }

    @Test
    void oneVmIsShownById() {
        int template = server.createTemplate(
                "{\"name\": \"one\", \"roles\": [{\"name\": \"r\", \"type\": \"vm\", \"template_id\": 0, \"cardinality\": 1}]}");
        int id = server.instantiate(template, null);
        await().atMost(Duration.ofSeconds(20)).until(() -> vmsOf(id).size() == 1);
        String vmId = vmsOf(id).get(0).get("ID").asText();
        assertEquals(vmId, api.get("/sim/vm/" + vmId).json().path("VM").path("ID").asText());
        assertEquals(404, api.get("/sim/vm/987654").status());
    }
}
