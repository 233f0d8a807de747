package dev.flotilla.it;

import com.fasterxml.jackson.databind.JsonNode;
import dev.flotilla.support.ApiClient;
import dev.flotilla.support.TestDatabase;
import dev.flotilla.support.TestServer;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

import java.time.Duration;
import java.util.Map;

import static org.awaitility.Awaitility.await;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * Decision 10's second half: an answer is sent only after its change committed, so the very next
 * read shows it — for every mutating route. VMs take 5 s to deploy here, so a state a command
 * leads to is still there to be seen, not already passed.
 */
class ReadYourWritesIT {
    private static TestDatabase db;
    private static TestServer server;
    private static ApiClient api;

    @BeforeAll
    static void start() {
        db = TestDatabase.fresh();
        server = TestServer.start(db, Map.of("FLOTILLA_SIM_DEPLOY_SECONDS", "5", "FLOTILLA_SIM_TERMINATE_SECONDS", "5",
                "FLOTILLA_AUTOSCALER_INTERVAL", "1"));
        api = server.api();
    }

    @AfterAll
    static void stop() {
        server.close();
        db.close();
    }

    private static JsonNode service(int id) {
        return api.get("/service/" + id).json().path("DOCUMENT");
    }

    private static JsonNode template(int id) {
        return api.get("/service_template/" + id).json().path("DOCUMENT");
    }

    private static int state(int id) {
        return service(id).path("TEMPLATE").path("BODY").path("state").asInt();
    }

    private static JsonNode role(int id, String name) {
        for (JsonNode r : service(id).path("TEMPLATE").path("BODY").path("roles")) {
            if (r.path("name").asText().equals(name)) {
                return r;
            }
        }
        return null;
    }

    private static String lastLog(int id) {
        JsonNode log = service(id).path("TEMPLATE").path("BODY").path("log");
        return log.get(log.size() - 1).path("message").asText();
    }

    private static ApiClient.Response action(String path, String perform, String params) {
        return api.postJson(path, "{\"action\": {\"perform\": \"" + perform + "\", \"params\": " + params + "}}");
    }

    private static void ok(ApiClient.Response r) {
        assertTrue(r.status() / 100 == 2, r.status() + " " + r.body());
    }

    private static final String TEMPLATE = """
            {"name": "ryw", "deployment": "straight", "cooldown": 0, "roles": [
              {"name": "db", "type": "vm", "template_id": 0, "cardinality": 1},
              {"name": "web", "type": "vm", "template_id": 0, "cardinality": 1, "parents": ["db"],
               "min_vms": 1, "max_vms": 3}]}
            """;

    @Test
    void templateRoutesShowTheirChangeAtOnce() {
        ApiClient.Response created = api.postJson("/service_template", TEMPLATE);
        ok(created);
        int id = created.json().path("DOCUMENT").path("ID").asInt();
        assertEquals("ryw", template(id).path("NAME").asText());

        ok(api.put("/service_template/" + id, TEMPLATE.replace("\"cooldown\": 0", "\"cooldown\": 0, \"description\": \"put\"")));
        assertEquals("put", template(id).path("TEMPLATE").path("BODY").path("description").asText());

        ok(action("/service_template/" + id + "/action", "update",
                "{\"template_json\": \"{\\\"description\\\": \\\"appended\\\"}\", \"append\": true}"));
        assertEquals("appended", template(id).path("TEMPLATE").path("BODY").path("description").asText());

        ok(action("/service_template/" + id + "/action", "rename", "{\"name\": \"renamed\"}"));
        assertEquals("renamed", template(id).path("NAME").asText());
        ok(action("/service_template/" + id + "/action", "chmod", "{\"octet\": \"640\"}"));
        assertEquals("1", template(id).path("PERMISSIONS").path("GROUP_U").asText());
        ok(action("/service_template/" + id + "/action", "chgrp", "{\"group_id\": 0}"));
        ok(action("/service_template/" + id + "/action", "chown", "{\"owner_id\": 0, \"group_id\": 0}"));
        assertEquals("0", template(id).path("UID").asText());

        ApiClient.Response clone = action("/service_template/" + id + "/action", "clone", "{\"name\": \"copy\"}");
        ok(clone);
        assertEquals("copy", template(clone.json().path("DOCUMENT").path("ID").asInt()).path("NAME").asText());

        ok(api.delete("/service_template/" + clone.json().path("DOCUMENT").path("ID").asText()));
        assertEquals(404, api.get("/service_template/" + clone.json().path("DOCUMENT").path("ID").asText()).status());
    }

    @Test
    void serviceRoutesShowTheirChangeAtOnce() {
        int template = server.createTemplate(TEMPLATE);
        int id = server.instantiate(template, null);
        assertEquals(1, state(id), "instantiate answers after the first step: DEPLOYING");
        await().atMost(Duration.ofSeconds(40)).until(() -> state(id) == 2);

        ok(api.postJson("/service/" + id + "/scale", "{\"role_name\": \"web\", \"cardinality\": 2}"));
        assertEquals(8, state(id), "SCALING");
        assertEquals(2, role(id, "web").path("cardinality").asInt());
        await().atMost(Duration.ofSeconds(40)).until(() -> state(id) == 2);

        ok(action("/service/" + id + "/role_action", "add_role",
                "{\"role\": {\"name\": \"extra\", \"type\": \"vm\", \"template_id\": 0, \"cardinality\": 1}}"));
        assertEquals(1, state(id), "add_role answers with the service DEPLOYING");
        assertEquals(1, role(id, "extra").path("state").asInt(), "and the new role DEPLOYING");
        await().atMost(Duration.ofSeconds(40)).until(() -> state(id) == 2);

        ok(action("/service/" + id + "/role_action", "remove_role", "{\"role\": \"extra\"}"));
        assertEquals(3, state(id), "remove_role answers with the service UNDEPLOYING");
        await().atMost(Duration.ofSeconds(40)).until(() -> state(id) == 2 && role(id, "extra") == null);

        ok(action("/service/" + id + "/role/web/action", "reboot", "{\"number\": 1, \"period\": 3600}"));
        String scheduled = lastLog(id);
        assertTrue(scheduled.contains("sched action"), scheduled);
        String sched = scheduled.substring(scheduled.lastIndexOf(' ') + 1);
        ok(api.delete("/service/" + id + "/role/web/sched_action/" + sched));
        assertTrue(lastLog(id).contains("Sched action " + sched + " cancelled"), lastLog(id));

        ok(api.put("/service/" + id, "{\"append\": true, \"template\": {\"description\": \"edited\"}}"));
        assertEquals("edited", service(id).path("TEMPLATE").path("BODY").path("description").asText());

        ok(action("/service/" + id + "/action", "rename", "{\"name\": \"ryw-1\"}"));
        assertEquals("ryw-1", service(id).path("NAME").asText());
        ok(action("/service/" + id + "/action", "chmod", "{\"octet\": \"604\"}"));
        assertEquals("1", service(id).path("PERMISSIONS").path("OTHER_U").asText());
        ok(action("/service/" + id + "/action", "chown", "{\"owner_id\": 0}"));
        ok(action("/service/" + id + "/action", "chgrp", "{\"group_id\": 0}"));
        assertEquals("0", service(id).path("GID").asText());

        ok(api.delete("/service/" + id));
        assertEquals(3, state(id), "delete answers with the service UNDEPLOYING");
        await().atMost(Duration.ofSeconds(40)).until(() -> state(id) == 5);
        ok(api.postJson("/service_pool/purge_done", "{}"));
        assertEquals(404, api.get("/service/" + id).status(), "purged");
    }

    @Test
    void recoverAndReleaseShowTheirChangeAtOnce() {
        int held = server.createTemplate(TEMPLATE.replace("\"cooldown\": 0", "\"cooldown\": 0, \"on_hold\": true"));
        int id = server.instantiate(held, null);
        await().atMost(Duration.ofSeconds(40)).until(() -> state(id) == 15);
        ok(action("/service/" + id + "/action", "release", "{}"));
        assertNotEquals(15, state(id), "release answers with the service no longer on HOLD");

        int failing = server.createTemplate(TEMPLATE.replace("\"cardinality\": 1, \"parents\"",
                "\"cardinality\": 1, \"template_contents\": {\"SIM_FAIL\": \"deploy\"}, \"parents\""));
        int broken = server.instantiate(failing, null);
        await().atMost(Duration.ofSeconds(40)).until(() -> state(broken) == 7);
        ok(action("/service/" + broken + "/action", "recover", "{\"delete\": true}"));
        assertEquals(3, state(broken), "recover --delete answers with the service UNDEPLOYING");
    }

    /** The autoscaler keeps its counts apart from the body, so a PUT racing it loses nothing. */
    @Test
    void aPutRacingTheAutoscalerLosesNothing() {
        int template = server.createTemplate("""
                {"name": "elastic", "roles": [{"name": "web", "type": "vm", "template_id": 0, "cardinality": 1,
                  "min_vms": 1, "max_vms": 3, "cooldown": 0,
                  "elasticity_policies": [{"type": "CHANGE", "adjust": 1, "expression": "CPU > 1000",
                                           "period": 0, "period_number": 1}]}]}
                """);
        int id = server.instantiate(template, null);
        await().atMost(Duration.ofSeconds(40)).until(() -> state(id) == 2);
        for (int adjust = 2; adjust <= 6; adjust++) {
            JsonNode body = service(id).path("TEMPLATE").path("BODY").deepCopy();
            ((com.fasterxml.jackson.databind.node.ObjectNode) body.path("roles").get(0).path("elasticity_policies").get(0))
                    .put("adjust", adjust);
            ok(api.put("/service/" + id, body.toString()));
            int evaluated = evaluations(id);
            // Two more autoscaler passes over the role, each of which writes its counts.
            await().atMost(Duration.ofSeconds(20)).until(() -> evaluations(id) >= evaluated + 2);
            JsonNode policy = role(id, "web").path("elasticity_policies").get(0);
            assertEquals(adjust, policy.path("adjust").asInt(), "the PUT's edit survived the autoscaler");
            assertTrue(policy.has("last_eval"), "and the autoscaler's counts are shown: " + policy);
        }
    }

    private static int evaluations(int id) {
        return api.get("/service/" + id + "/autoscaler?limit=1000").json().path("roles").path("web").size();
    }
}
