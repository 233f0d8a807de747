package dev.flotilla.it;

import com.fasterxml.jackson.databind.JsonNode;
import dev.flotilla.support.ApiClient;
import dev.flotilla.support.TestDatabase;
import dev.flotilla.support.TestServer;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.function.Predicate;

import static dev.flotilla.it.LifecycleIT.messages;
import static dev.flotilla.it.LifecycleIT.role;
import static org.awaitility.Awaitility.await;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** Role actions in batches, scale with cooldown, add and remove roles, and dry runs, over HTTP. */
class RoleOperationsIT {
    private static final Duration WAIT = Duration.ofSeconds(30);
    private static TestDatabase db;
    private static TestServer server;
    private static ApiClient api;
    private static Path config;

    @BeforeAll
    static void start() throws IOException {
        db = TestDatabase.fresh();
        // OneFlow's own keys: batches default to 2 VMs every second here.
        config = Files.createTempFile("oneflow-server", ".conf");
        Files.writeString(config, ":action_number: 2\n:action_period: 1\n");
        server = TestServer.start(db, Map.of("FLOTILLA_CONFIG", config.toString()));
        api = server.api();
    }

    @AfterAll
    static void stop() throws IOException {
        server.close();
        db.close();
        Files.deleteIfExists(config);
    }

    private static int service(String name, int cardinality, String roleExtras) {
        int template = server.createTemplate("{\"name\": \"" + name + "\", \"roles\": [{\"name\": \"my_role\","
                + " \"type\": \"vm\", \"template_id\": 0, \"cardinality\": " + cardinality + roleExtras + "}]}");
        int id = server.instantiate(template, "{\"name\": \"" + name + "\"}");
        await().atMost(WAIT).until(() -> server.state(id) == 2);
        return id;
    }

    private static List<Integer> nodes(int id, String role) {
        List<Integer> ids = new ArrayList<>();
        role(server.body(id), role).get("nodes").forEach(n -> ids.add(n.get("deploy_id").asInt()));
        return ids;
    }

    private static JsonNode vm(int vmId) {
        return api.get("/sim/vm/" + vmId).json().path("VM");
    }

    private static ApiClient.Response act(int id, String role, String action, String params) {
        return api.post("/service/" + id + "/role/" + role + "/action",
                "{\"action\": {\"perform\": \"" + action + "\", \"params\": " + params + "}}");
    }

    @Test
    void pendingBatchesOfADeletedServiceAreDroppedAndSaySo() {
        int id = service("leaving", 2, "");
        assertEquals(204, act(id, "my_role", "reboot", "{\"number\": 1, \"period\": 60}").status());
        assertEquals(204, api.delete("/service/" + id).status());
        await().atMost(WAIT).until(() -> server.state(id) == 5);
        await().atMost(WAIT).until(() -> log(id).stream().anyMatch(e -> e.path("message").asText()
                .matches("Role my_role: reboot dropped \\(sched action \\d+\\): the service is being undeployed")));
    }

    @Test
    void aRoleActionRacingTheDeleteNeverKeepsAVmAlive() {
        // The batch falls due as the undeploy starts: each VM is rebooted or terminated first, never
        // rebooted over its terminate (the simulator acts on one VM at a time, as oned does).
        List<Integer> ids = new ArrayList<>();
        for (int i = 0; i < 4; i++) {
            ids.add(service("race-" + i, 2, ""));
        }
        for (int id : ids) {
            assertEquals(204, act(id, "my_role", "reboot", "{\"number\": 0}").status());
            assertEquals(204, api.delete("/service/" + id).status());
        }
        for (int id : ids) {
            await().atMost(WAIT).until(() -> server.state(id) == 5);
        }
    }

    /** Runs one action on the role's VMs at once and waits until the VM shows its effect. */
    private static void actNow(int id, String action, String args, int vmId, Predicate<JsonNode> effect) {
        String params = "{\"number\": 0, \"period\": 0" + (args == null ? "" : ", \"args\": \"" + args + "\"") + "}";
        ApiClient.Response r = act(id, "my_role", action, params);
        assertEquals(204, r.status(), action + ": " + r.body());
        await().atMost(WAIT).until(() -> effect.test(vm(vmId)));
    }

    private static List<JsonNode> log(int id) {
        List<JsonNode> out = new ArrayList<>();
        server.body(id).get("log").forEach(out::add);
        return out;
    }

    @Test
    void theSeedsBatchedRebootSpacesItsBatchesByThePeriod() {
        int id = service("my_service", 5, "");
        List<Integer> vms = nodes(id, "my_role");
        ApiClient.Response r = act(id, "my_role", "reboot", "{\"number\": 2, \"period\": 2}");
        assertEquals(204, r.status(), r.body());
        await().atMost(WAIT).until(() -> vms.stream().allMatch(v -> vm(v).get("REBOOTS").asInt() == 1));
        // OneFlow's timing: batch k runs at (time asked) + (k - 1) x period; the log keeps whole seconds.
        long asked = log(id).stream().filter(e -> e.get("message").asText().startsWith("Role my_role: action reboot"))
                .findFirst().orElseThrow().get("timestamp").asLong();
        for (int batch = 1; batch <= 3; batch++) {
            String marker = "(batch " + batch + "/3)";
            List<JsonNode> entries = log(id).stream().filter(e -> e.get("message").asText().endsWith(marker)).toList();
            assertEquals(batch < 3 ? 2 : 1, entries.size(), "VMs in batch " + batch);
            long offset = entries.get(0).get("timestamp").asLong() - asked;
            long expected = (batch - 1) * 2L;
            assertTrue(offset >= expected && offset <= expected + 1, "batch " + batch + " ran " + offset
                    + " s after it was asked for, expected " + expected);
        }
        assertEquals(2, server.state(id), "a reboot changes no state");
    }

    @Test
    void everyOneOfTheNineteenActions() {
        int id = service("all_actions", 1, "");
        int v = nodes(id, "my_role").get(0);
        actNow(id, "snapshot-create", "before", v, vm -> vm.get("SNAPSHOTS").size() == 1);
        actNow(id, "snapshot-revert", "0", v, vm -> log(id).stream().anyMatch(e -> e.get("message").asText()
                .contains("snapshot-revert (0) done")));
        actNow(id, "snapshot-delete", "0", v, vm -> vm.get("SNAPSHOTS").isEmpty());
        actNow(id, "disk-snapshot-create", "0,pre-upgrade", v, vm -> vm.get("DISK_SNAPSHOTS").size() == 1);
        actNow(id, "reboot", null, v, vm -> vm.get("REBOOTS").asInt() == 1);
        actNow(id, "reboot-hard", null, v, vm -> vm.get("REBOOTS").asInt() == 2);
        actNow(id, "poweroff", null, v, vm -> vm.get("STATE").asInt() == 8);
        await().atMost(WAIT).until(() -> server.state(id) == 4); // POWEROFF makes the service WARNING
        actNow(id, "disk-snapshot-revert", "0,0", v, vm -> log(id).stream().anyMatch(e -> e.get("message").asText()
                .contains("disk-snapshot-revert (0,0) done")));
        actNow(id, "disk-snapshot-delete", "0,0", v, vm -> vm.get("DISK_SNAPSHOTS").isEmpty());
        actNow(id, "resume", null, v, vm -> vm.get("STATE").asInt() == 3 && vm.get("LCM_STATE").asInt() == 3);
        await().atMost(WAIT).until(() -> server.state(id) == 2);
        actNow(id, "suspend", null, v, vm -> vm.get("STATE").asInt() == 5);
        actNow(id, "resume", null, v, vm -> vm.get("LCM_STATE").asInt() == 3);
        actNow(id, "poweroff-hard", null, v, vm -> vm.get("STATE").asInt() == 8);
        actNow(id, "undeploy", null, v, vm -> vm.get("STATE").asInt() == 9);
        actNow(id, "resume", null, v, vm -> vm.get("LCM_STATE").asInt() == 3);
        actNow(id, "stop", null, v, vm -> vm.get("STATE").asInt() == 4);
        actNow(id, "resume", null, v, vm -> vm.get("LCM_STATE").asInt() == 3);
        actNow(id, "undeploy-hard", null, v, vm -> vm.get("STATE").asInt() == 9);
        // A VM that refuses (suspend is not allowed while UNDEPLOYED) is logged and nothing else breaks.
        actNow(id, "suspend", null, v, vm -> log(id).stream().anyMatch(e -> e.get("severity").asText().equals("E")
                && e.get("message").asText().contains("error performing suspend")));
        actNow(id, "resume", null, v, vm -> vm.get("LCM_STATE").asInt() == 3);
        actNow(id, "terminate-hard", null, v, vm -> vm.get("STATE").asInt() == 6);
        await().atMost(WAIT).until(() -> role(server.body(id), "my_role").get("cardinality").asInt() == 0);

        int held = service("hold_release", 1, ", \"template_contents\": {\"SIM_DEPLOY_SECONDS\": \"0\"}");
        int h = nodes(held, "my_role").get(0);
        api.put("/sim/vm/" + h, "{\"state\": \"RUNNING\"}");
        actNow(held, "terminate", null, h, vm -> vm.get("STATE").asInt() == 6);
        int slow = service("pending_vm", 0, ", \"template_contents\": {\"SIM_DEPLOY_SECONDS\": \"120\"}");
        assertEquals(204, api.post("/service/" + slow + "/scale", "{\"role_name\": \"my_role\", \"cardinality\": 1}")
                .status());
        await().atMost(WAIT).until(() -> nodes(slow, "my_role").size() == 1);
        int p = nodes(slow, "my_role").get(0);
        actNow(slow, "hold", null, p, vm -> vm.get("STATE").asInt() == 2);
        actNow(slow, "release", null, p, vm -> vm.get("STATE").asInt() == 1);
    }

    @Test
    void batchesDefaultToTheConfigWhenNumberAndPeriodAreMissingOrEmpty() {
        int id = service("defaults", 3, "");
        assertEquals(204, act(id, "my_role", "reboot", "{\"number\": \"\", \"period\": \"\"}").status());
        await().atMost(WAIT).until(() -> log(id).stream().anyMatch(e -> e.get("message").asText().endsWith("(batch 2/2)")));
        assertTrue(log(id).stream().anyMatch(e -> e.get("message").asText()
                .contains("in 2 batch(es) of 2 every 1 s")), "action_number 2, action_period 1 from the config");
        assertEquals(400, act(id, "my_role", "reboot", "{\"number\": \"two\"}").status());
        int logged = log(id).size();
        ApiClient.Response negative = api.postJson("/service/" + id + "/role/my_role/action",
                "{\"action\": {\"perform\": \"reboot\", \"params\": {\"number\": -1}}}");
        assertEquals(400, negative.status(), "a negative batch size is refused, not run all at once");
        assertEquals("action.params.number", negative.json().path("error").path("details").path("field").asText());
        assertEquals(400, act(id, "my_role", "reboot", "{\"period\": \"-5\"}").status());
        assertEquals(logged, log(id).size(), "nothing was scheduled");
        assertEquals(400, act(id, "my_role", "dance", "{}").status());
        assertEquals(400, act(id, "my_role", "reboot", "{\"vm_ids\": []}").status());
        assertEquals(400, act(id, "my_role", "reboot", "{\"vm_ids\": [\"x\"]}").status());
        assertEquals(404, act(id, "nobody", "reboot", "{}").status());
        assertEquals("Role 'nobody' not found", act(id, "nobody", "reboot", "{}").body());
    }

    @Test
    void aRestartInTheMiddleOfABatchContinuesAtTheRightVm() {
        int id = service("restart_batch", 3, "");
        List<Integer> vms = nodes(id, "my_role");
        assertEquals(204, act(id, "my_role", "reboot", "{\"number\": 1, \"period\": 3}").status());
        await().atMost(WAIT).until(() -> vm(vms.get(0)).get("REBOOTS").asInt() == 1);
        server.stop();
        server = TestServer.start(db, Map.of("FLOTILLA_CONFIG", config.toString()));
        api = server.api();
        await().atMost(WAIT).until(() -> vms.stream().allMatch(v -> vm(v).get("REBOOTS").asInt() >= 1));
        vms.forEach(v -> assertEquals(1, vm(v).get("REBOOTS").asInt(), "each VM rebooted exactly once"));
        assertEquals(1, log(id).stream().filter(e -> e.get("message").asText().endsWith("(batch 3/3)")).count());
    }

    @Test
    void aRoleActionCanBeCancelledByItsSchedActionId() {
        int id = service("cancel", 3, "");
        List<Integer> vms = nodes(id, "my_role");
        assertEquals(204, act(id, "my_role", "reboot", "{\"number\": 1, \"period\": 1}").status());
        await().atMost(WAIT).until(() -> vm(vms.get(0)).get("REBOOTS").asInt() == 1);
        String asked = log(id).stream().map(e -> e.get("message").asText())
                .filter(m -> m.startsWith("Role my_role: action reboot")).findFirst().orElseThrow();
        String sched = asked.substring(asked.lastIndexOf(' ') + 1);
        assertEquals(204, api.delete("/service/" + id + "/role/my_role/sched_action/" + sched).status());
        await().during(Duration.ofSeconds(3)).atMost(Duration.ofSeconds(5))
                .until(() -> vm(vms.get(2)).get("REBOOTS").asInt() == 0);
        assertEquals(204, api.delete("/service/" + id + "/sched_action/999999").status(), "unknown ids are fine");
        assertEquals(400, api.delete("/service/" + id + "/sched_action/abc").status());
    }

    @Test
    void serviceWideActionsRunOnEveryRole() {
        int template = server.createTemplate("""
                {"name": "wide", "roles": [{"name": "a", "type": "vm", "template_id": 0, "cardinality": 1},
                                           {"name": "b", "type": "vm", "template_id": 0, "cardinality": 1}]}
                """);
        int id = server.instantiate(template, null);
        await().atMost(WAIT).until(() -> server.state(id) == 2);
        ApiClient.Response r = api.post("/service/" + id + "/action",
                "{\"action\": {\"perform\": \"reboot\", \"params\": {\"number\": 0}}}");
        assertEquals(204, r.status(), r.body());
        int a = nodes(id, "a").get(0);
        int b = nodes(id, "b").get(0);
        await().atMost(WAIT).until(() -> vm(a).get("REBOOTS").asInt() == 1 && vm(b).get("REBOOTS").asInt() == 1);
    }

    @Test
    void scaleUpAndDownWithBoundsForceAndCooldown() {
        int id = service("scaling", 2, ", \"min_vms\": 1, \"max_vms\": 4, \"cooldown\": 1");
        List<Integer> original = nodes(id, "my_role");
        ApiClient.Response up = api.post("/service/" + id + "/scale", "{\"role_name\": \"my_role\", \"cardinality\": 4}");
        assertEquals(204, up.status(), up.body());
        await().atMost(WAIT).until(() -> server.state(id) == 10); // COOLDOWN
        await().atMost(WAIT).until(() -> server.state(id) == 2);
        JsonNode role = role(server.body(id), "my_role");
        assertEquals(4, role.get("nodes").size());
        assertEquals("my_role_3_(service_" + id + ")",
                role.get("nodes").get(3).path("vm_info").path("VM").path("NAME").asText(), "names continue");
        assertTrue(messages(server.body(id)).contains("Role my_role scaling up from 2 to 4 nodes"));

        ApiClient.Response tooMany = api.post("/service/" + id + "/scale", "{\"role_name\": \"my_role\", \"cardinality\": 5}");
        assertEquals(400, tooMany.status());
        assertEquals("Can't scale service " + id + ": Maximum cardinality is 4", tooMany.body());
        assertEquals(400, api.post("/service/" + id + "/scale", "{\"role_name\": \"my_role\", \"cardinality\": 0}")
                .status());
        ApiClient.Response same = api.post("/service/" + id + "/scale", "{\"role_name\": \"my_role\", \"cardinality\": 4}");
        assertEquals("Cardinality of my_role is already at 4", same.body());
        assertEquals(404, api.post("/service/" + id + "/scale", "{\"role_name\": \"ghost\", \"cardinality\": 1}").status());
        assertEquals(400, api.post("/service/" + id + "/scale", "{\"role_name\": \"my_role\"}").status());

        ApiClient.Response down = api.post("/service/" + id + "/scale",
                "{\"role_name\": \"my_role\", \"cardinality\": 0, \"force\": true}");
        assertEquals(204, down.status(), down.body());
        ApiClient.Response busy = api.post("/service/" + id + "/scale", "{\"role_name\": \"my_role\", \"cardinality\": 2}");
        assertEquals(409, busy.status());
        assertTrue(busy.body().startsWith("Service cannot be scaled in state: "), busy.body());
        await().atMost(WAIT).until(() -> server.state(id) == 2);
        assertEquals(0, role(server.body(id), "my_role").get("nodes").size());
        original.forEach(v -> assertEquals(6, vm(v).get("STATE").asInt(), "scaled-down VMs are gone"));

        assertEquals(204, api.post("/service/" + id + "/scale", "{\"role_name\": \"my_role\", \"cardinality\": 1}").status());
        await().atMost(WAIT).until(() -> server.state(id) == 2 && nodes(id, "my_role").size() == 1);
        assertEquals("my_role_4_(service_" + id + ")", role(server.body(id), "my_role").get("nodes").get(0)
                .path("vm_info").path("VM").path("NAME").asText(), "a VM number is never reused");
    }

    @Test
    void scaleDownRemovesTheOldestVmsAndRecoverSkipsTheCooldown() {
        int id = service("oldest", 3, ", \"cooldown\": 600");
        List<Integer> before = nodes(id, "my_role");
        assertEquals(204, api.post("/service/" + id + "/scale", "{\"role_name\": \"my_role\", \"cardinality\": 1}").status());
        await().atMost(WAIT).until(() -> server.state(id) == 10);
        assertEquals(List.of(before.get(2)), nodes(id, "my_role"), "the newest VM stays");
        assertEquals(10, role(server.body(id), "my_role").get("state").asInt(), "role COOLDOWN");
        ApiClient.Response recover = api.post("/service/" + id + "/action", "{\"action\": {\"perform\": \"recover\"}}");
        assertEquals(204, recover.status(), recover.body());
        assertEquals(2, server.state(id), "recover ends the cooldown");
    }

    @Test
    void addRoleWithTheSeedsRoleFileAndRemoveRole() {
        int id = service("roles", 1, "");
        String seedRole = "{\"name\":\"MASTER\",\"cardinality\":1,\"vm_template\":0,\"min_vms\":1,\"max_vms\":2,"
                + "\"elasticity_policies\":[],\"scheduled_policies\":[]}";
        ApiClient.Response add = api.post("/service/" + id + "/role_action",
                "{\"action\": {\"perform\": \"add_role\", \"params\": {\"role\": " + seedRole + "}}}");
        assertEquals(204, add.status(), add.body());
        await().atMost(WAIT).until(() -> server.state(id) == 1);
        await().atMost(WAIT).until(() -> server.state(id) == 2);
        JsonNode master = role(server.body(id), "MASTER");
        assertEquals(0, master.get("template_id").asInt());
        assertEquals(1, master.get("nodes").size());

        ApiClient.Response dup = api.post("/service/" + id + "/role_action",
                "{\"action\": {\"perform\": \"add_role\", \"params\": {\"role\": \"" + seedRole.replace("\"", "\\\"")
                        + "\"}}}");
        assertEquals(409, dup.status());
        assertEquals("Role MASTER already exists", dup.body());
        ApiClient.Response bad = api.post("/service/" + id + "/role_action",
                "{\"action\": {\"perform\": \"add_role\", \"params\": {\"role\": {\"name\": \"x y\", \"type\": \"vm\","
                        + " \"template_id\": 0}}}}");
        assertEquals(400, bad.status());

        int masterVm = master.get("nodes").get(0).get("deploy_id").asInt();
        ApiClient.Response remove = api.post("/service/" + id + "/role_action",
                "{\"action\": {\"perform\": \"remove_role\", \"params\": {\"role\": \"MASTER\"}}}");
        assertEquals(204, remove.status(), remove.body());
        ApiClient.Response whileRemoving = api.post("/service/" + id + "/role_action",
                "{\"action\": {\"perform\": \"remove_role\", \"params\": {\"role\": \"my_role\"}}}");
        assertEquals(409, whileRemoving.status());
        assertTrue(whileRemoving.body().startsWith("Cannot modify roles in state: "), whileRemoving.body());
        await().atMost(WAIT).until(() -> server.state(id) == 2
                && server.body(id).get("roles").size() == 1);
        assertEquals(6, vm(masterVm).get("STATE").asInt(), "the removed role's VM is gone");
        assertEquals(404, api.post("/service/" + id + "/role_action",
                "{\"action\": {\"perform\": \"remove_role\", \"params\": {\"role\": \"MASTER\"}}}").status());
    }

    @Test
    void dryRunsSayWhatWouldHappenAndChangeNothing() {
        int id = service("dry", 3, ", \"max_vms\": 5");
        List<Integer> vms = nodes(id, "my_role");
        int events = log(id).size();

        ApiClient.Response scale = api.post("/service/" + id + "/scale?dry_run=true",
                "{\"role_name\": \"my_role\", \"cardinality\": 1}");
        assertEquals(200, scale.status(), scale.body());
        JsonNode plan = scale.json();
        assertEquals("SCALING", plan.path("service").path("to").asText());
        assertEquals(2, plan.path("terminate").size(), "the two oldest VMs would go");
        assertTrue(plan.path("terminate").get(0).asText().contains("VM " + vms.get(0)));

        ApiClient.Response reboot = api.post("/service/" + id + "/role/my_role/action?dry_run=true",
                "{\"action\": {\"perform\": \"reboot\", \"params\": {\"number\": 2, \"period\": 300}}}");
        assertEquals(200, reboot.status(), reboot.body());
        JsonNode batches = reboot.json().path("batches");
        assertEquals(2, batches.size());
        assertEquals(List.of(vms.get(2)), List.of(batches.get(1).path("vm_ids").get(0).asInt()));

        ApiClient.Response recover = api.post("/service/" + id + "/action?dry_run=true",
                "{\"action\": {\"perform\": \"recover\"}}");
        assertEquals(409, recover.status(), "a dry run gives the same refusal");
        ApiClient.Response tooBig = api.post("/service/" + id + "/scale?dry_run=true",
                "{\"role_name\": \"my_role\", \"cardinality\": 9}");
        assertEquals(400, tooBig.status());

        assertEquals(2, server.state(id));
        assertEquals(vms, nodes(id, "my_role"));
        assertEquals(events, log(id).size(), "nothing was logged");
        vms.forEach(v -> assertEquals(0, vm(v).get("REBOOTS").asInt()));
        assertFalse(scale.body().isEmpty());
    }
}
