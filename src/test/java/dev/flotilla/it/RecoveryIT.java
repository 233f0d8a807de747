package dev.flotilla.it;

import com.fasterxml.jackson.databind.JsonNode;
import dev.flotilla.support.ApiClient;
import dev.flotilla.support.TestDatabase;
import dev.flotilla.support.TestServer;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;

import static dev.flotilla.it.LifecycleIT.messages;
import static dev.flotilla.it.LifecycleIT.role;
import static org.awaitility.Awaitility.await;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** Failure states, recover (decision 2), recover --delete, WARNING, vanishing VMs, hold and release. */
class RecoveryIT {
    private static final Duration WAIT = Duration.ofSeconds(30);
    private static TestDatabase db;
    private static TestServer server;
    private static ApiClient api;

    @BeforeAll
    static void start() {
        db = TestDatabase.fresh();
        server = TestServer.start(db, Map.of("FLOTILLA_RESYNC_INTERVAL", "1"));
        api = server.api();
    }

    @AfterAll
    static void stop() {
        server.close();
        db.close();
    }

    private static int service(String roleExtras, String serviceExtras) {
        int template = server.createTemplate("{\"name\": \"t\"" + serviceExtras + ", \"roles\": [{\"name\": \"r\","
                + " \"type\": \"vm\", \"template_id\": 0, \"cardinality\": 2" + roleExtras + "}]}");
        return server.instantiate(template, null);
    }

    private static List<JsonNode> simVms(int serviceId) {
        List<JsonNode> out = new ArrayList<>();
        api.get("/sim/vm").json().path("VM").forEach(vm -> {
            if (vm.path("USER_TEMPLATE").path("SERVICE_ID").asInt() == serviceId) {
                out.add(vm);
            }
        });
        return out;
    }

    private static int nodeId(int serviceId, int index) {
        return role(server.body(serviceId), "r").get("nodes").get(index).get("deploy_id").asInt();
    }

    private static void force(int vmId, String state) {
        ApiClient.Response r = api.put("/sim/vm/" + vmId, "{\"state\": \"" + state + "\"}");
        assertEquals(200, r.status(), r.body());
    }

    private static ApiClient.Response recover(int id, boolean delete) {
        return api.post("/service/" + id + "/action",
                "{\"action\": {\"perform\": \"recover\", \"params\": {\"delete\": " + delete + "}}}");
    }

    private static void awaitState(int id, int state) {
        await().atMost(WAIT).until(() -> server.state(id) == state);
    }

    @Test
    void aFailedDeployIsRecoveredByReplacingTheFailedVm() {
        int id = service(", \"template_contents\": {\"SIM_DEPLOY_SECONDS\": \"600\"}", "");
        await().atMost(WAIT).until(() -> role(server.body(id), "r").get("nodes").size() == 2);
        int failed = nodeId(id, 0);
        force(failed, "FAILURE");
        awaitState(id, 7);
        assertEquals(7, role(server.body(id), "r").get("state").asInt(), "role FAILED_DEPLOYING");

        // The survivor is told to finish quickly so the recovered deploy can complete.
        force(nodeId(id, 1), "RUNNING");
        assertEquals(204, recover(id, false).status());
        assertEquals(1, server.state(id), "recover moves FAILED_DEPLOYING to DEPLOYING at once");
        await().atMost(WAIT).until(() -> role(server.body(id), "r").get("nodes").size() == 2
                && role(server.body(id), "r").get("nodes").get(1).get("deploy_id").asInt() != failed);
        int replacement = role(server.body(id), "r").get("nodes").get(1).get("deploy_id").asInt();
        force(replacement, "RUNNING");
        awaitState(id, 2);
        JsonNode body = server.body(id);
        assertEquals(2, role(body, "r").get("cardinality").asInt(), "recover keeps the cardinality");
        assertTrue(messages(body).stream().anyMatch(m -> m.startsWith("recover: terminating failed VM")));
        await().atMost(WAIT).until(() -> api.get("/sim/vm/" + failed).json().path("VM").path("STATE").asInt() == 6);
    }

    @Test
    void aFailedUndeployIsRecoveredByTerminatingAgain() {
        int id = service(", \"template_contents\": {\"SIM_TERMINATE_SECONDS\": \"600\"}", "");
        awaitState(id, 2);
        assertEquals(204, api.delete("/service/" + id).status());
        int failing = nodeId(id, 0);
        // The answer comes at the commit; the terminate reaches the cloud just after it.
        await().atMost(WAIT).until(() -> api.get("/sim/vm/" + failing).json().path("VM").path("LCM_STATE").asInt() != 3);
        force(failing, "FAILURE");
        awaitState(id, 6);
        assertEquals(6, role(server.body(id), "r").get("state").asInt(), "role FAILED_UNDEPLOYING");
        assertEquals(409, api.delete("/service/" + id).status(), "delete is refused in FAILED_UNDEPLOYING");

        assertEquals(204, recover(id, false).status());
        assertEquals(3, server.state(id), "recover moves FAILED_UNDEPLOYING to UNDEPLOYING");
        await().atMost(WAIT).until(() -> api.get("/sim/vm/" + failing).json().path("VM").path("LCM_STATE").asInt() == 12);
        // Both VMs take 600 s to terminate; the cloud is told to finish now.
        force(failing, "DONE");
        force(nodeId(id, 1), "DONE");
        awaitState(id, 5);
        simVms(id).forEach(vm -> assertEquals(6, vm.get("STATE").asInt(), "every VM is gone: " + vm));
    }

    @Test
    void aFailedScaleUpIsRecoveredToScalingAndFinishes() {
        int id = service(", \"cooldown\": 0", "");
        awaitState(id, 2);
        assertEquals(204, api.post("/service/" + id + "/scale", "{\"role_name\": \"r\", \"cardinality\": 3}").status());
        await().atMost(WAIT).until(() -> role(server.body(id), "r").get("nodes").size() == 3);
        int added = nodeId(id, 2);
        force(added, "FAILURE");
        awaitState(id, 9);
        assertEquals(9, role(server.body(id), "r").get("state").asInt(), "role FAILED_SCALING");
        assertEquals(204, recover(id, false).status());
        assertEquals(8, server.state(id), "recover moves FAILED_SCALING to SCALING");
        awaitState(id, 2);
        assertEquals(3, role(server.body(id), "r").get("nodes").size());
        assertTrue(role(server.body(id), "r").get("nodes").findValues("deploy_id").stream()
                .noneMatch(n -> n.asInt() == added), "the failed VM was replaced");
    }

    @ParameterizedTest(name = "recover in state {0} is a 409")
    @ValueSource(strings = {"RUNNING", "WARNING", "HOLD", "DONE"})
    void recoverIsRefusedWhereItDoesNotApply(String state) {
        int id = switch (state) {
            case "HOLD" -> service("", ", \"on_hold\": true");
            default -> service("", "");
        };
        if (state.equals("HOLD")) {
            awaitState(id, 15);
        } else {
            awaitState(id, 2);
        }
        if (state.equals("WARNING")) {
            force(nodeId(id, 0), "POWEROFF");
            awaitState(id, 4);
        }
        if (state.equals("DONE")) {
            api.delete("/service/" + id);
            awaitState(id, 5);
        }
        ApiClient.Response r = recover(id, false);
        assertEquals(409, r.status());
        assertEquals("Service cannot be recovered in state: " + state, r.body());
    }

    @Test
    void warningAndBack() {
        int id = service("", "");
        awaitState(id, 2);
        int vm = nodeId(id, 1);
        force(vm, "POWEROFF");
        awaitState(id, 4);
        assertEquals(4, role(server.body(id), "r").get("state").asInt(), "role WARNING");
        force(vm, "UNKNOWN");
        force(vm, "RUNNING");
        awaitState(id, 2);
        assertEquals(2, role(server.body(id), "r").get("state").asInt());
        assertTrue(messages(server.body(id)).contains("New state: RUNNING (all VMs healthy again)"));
    }

    @Test
    void aVmThatVanishesLeavesItsRoleByDefault() {
        int id = service("", "");
        awaitState(id, 2);
        int vm = nodeId(id, 0);
        force(vm, "DONE");
        await().atMost(WAIT).until(() -> role(server.body(id), "r").get("cardinality").asInt() == 1);
        JsonNode r = role(server.body(id), "r");
        assertEquals(1, r.get("nodes").size());
        assertNotEquals(vm, r.get("nodes").get(0).get("deploy_id").asInt());
        assertEquals(2, server.state(id));
    }

    @Test
    void selfHealingReplacesVanishedAndFailedVms() {
        int id = service("", ", \"self_healing\": true");
        awaitState(id, 2);
        int vanished = nodeId(id, 0);
        int failed = nodeId(id, 1);
        force(vanished, "DONE");
        force(failed, "FAILURE");
        await().atMost(WAIT).until(() -> {
            JsonNode r = role(server.body(id), "r");
            return server.state(id) == 2 && r.get("nodes").size() == 2
                    && r.get("nodes").findValues("deploy_id").stream().noneMatch(n -> n.asInt() == vanished
                    || n.asInt() == failed);
        });
        assertEquals(2, role(server.body(id), "r").get("cardinality").asInt(), "self_healing keeps the cardinality");
        List<String> log = messages(server.body(id));
        assertTrue(log.stream().anyMatch(m -> m.contains("self_healing replaces it")), log.toString());
        assertTrue(log.stream().anyMatch(m -> m.contains("self_healing terminates and replaces it")), log.toString());
        await().atMost(WAIT).until(() -> api.get("/sim/vm/" + failed).json().path("VM").path("STATE").asInt() == 6);
    }

    @Test
    void automaticDeletionUndeploysWhenEveryVmIsGone() {
        int id = service("", ", \"automatic_deletion\": true");
        awaitState(id, 2);
        force(nodeId(id, 0), "DONE");
        force(nodeId(id, 1), "DONE");
        awaitState(id, 5);
        assertTrue(messages(server.body(id)).stream().anyMatch(m -> m.contains("automatic_deletion")));
    }

    @Test
    void recoverDeleteRemovesTheServiceAndReportsTheVmItCouldNotRemove() {
        int id = service(", \"template_contents\": {\"SIM_FAIL\": \"terminate\"}", "");
        awaitState(id, 2);
        assertEquals(204, recover(id, true).status());
        awaitState(id, 5);
        List<String> log = messages(server.body(id));
        assertEquals(2, log.stream().filter(m -> m.startsWith("recover --delete could not remove VM")).count(), log.toString());
        simVms(id).forEach(vm -> assertNotEquals(6, vm.get("STATE").asInt(), "the refusing VM is still there: " + vm));

        int failed = service(", \"template_id\": 4242", "");
        awaitState(failed, 7);
        assertEquals(204, recover(failed, true).status());
        awaitState(failed, 5);
    }

    @Test
    void onHoldServicesWaitForRelease() {
        int id = service("", ", \"on_hold\": true");
        awaitState(id, 15);
        assertEquals(11, role(server.body(id), "r").get("state").asInt(), "role HOLD");
        await().atMost(WAIT).until(() -> simVms(id).size() == 2
                && simVms(id).stream().allMatch(vm -> vm.get("STATE").asInt() == 2));
        ApiClient.Response release = api.post("/service/" + id + "/action", "{\"action\": {\"perform\": \"release\"}}");
        assertEquals(204, release.status(), release.body());
        awaitState(id, 2);
        ApiClient.Response again = api.post("/service/" + id + "/action", "{\"action\": {\"perform\": \"release\"}}");
        assertEquals(409, again.status());
        assertEquals("Service has no roles in HOLD", again.body());
    }

    @Test
    void aDriverOutageDelaysButDoesNotFailTheDeploy() {
        assertEquals(204, api.put("/sim/outage", "{\"mode\": \"fail\", \"seconds\": 3}").status());
        int id = service("", "");
        assertEquals(0, simVms(id).size(), "the cloud cannot be reached yet");
        awaitState(id, 2);
        assertEquals(2, simVms(id).size(), "exactly the cardinality, no duplicates from the retries");
        assertEquals(400, api.put("/sim/outage", "{\"mode\": \"sometimes\", \"seconds\": 2}").status());
        assertEquals(400, api.put("/sim/vm/" + nodeId(id, 0), "{\"state\": \"ASLEEP\"}").status());
    }
}
