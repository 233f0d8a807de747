package dev.flotilla.it;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.flotilla.support.ApiClient;
import dev.flotilla.support.TestDatabase;
import dev.flotilla.support.TestServer;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

import java.time.Duration;

import static dev.flotilla.it.LifecycleIT.role;
import static org.awaitility.Awaitility.await;
import static org.junit.jupiter.api.Assertions.assertEquals;

/** chown, chgrp, chmod, rename on services and templates, and PUT /service/:id. */
class DocumentAdminIT {
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

    private static ApiClient.Response action(String path, String perform, String params) {
        return api.post(path + "/action", "{\"action\": {\"perform\": \"" + perform + "\", \"params\": " + params + "}}");
    }

    @Test
    void renameChmodChownOnTemplatesAndServices() {
        int template = server.createTemplate("""
                {"name": "doc", "roles": [{"name": "r", "type": "vm", "template_id": 0, "cardinality": 0}]}
                """);
        int service = server.instantiate(template, null);
        for (String path : new String[]{"/service_template/" + template, "/service/" + service}) {
            assertEquals(204, action(path, "rename", "{\"name\": \"renamed\"}").status());
            assertEquals(204, action(path, "chmod", "{\"octet\": \"640\"}").status());
            assertEquals(204, action(path, "chown", "{\"owner_id\": \"0\", \"group_id\": 0}").status());
            assertEquals(204, action(path, "chgrp", "{\"group_id\": 0}").status());
            JsonNode doc = api.get(path).json().get("DOCUMENT");
            assertEquals("renamed", doc.get("NAME").asText());
            JsonNode perms = doc.get("PERMISSIONS");
            assertEquals("1", perms.get("OWNER_U").asText());
            assertEquals("1", perms.get("OWNER_M").asText());
            assertEquals("1", perms.get("GROUP_U").asText());
            assertEquals("0", perms.get("GROUP_M").asText());
            assertEquals("0", perms.get("OTHER_U").asText());

            ApiClient.Response noUid = action(path, "chown", "{}");
            assertEquals(400, noUid.status());
            assertEquals("Action chown: You have to specify a UID", noUid.body());
            assertEquals("Action chgrp: You have to specify a GID", action(path, "chgrp", "{}").body());
            assertEquals("Action chmod: You have to specify an OCTET", action(path, "chmod", "{}").body());
            assertEquals(400, action(path, "chmod", "{\"octet\": \"9x9\"}").status());
            assertEquals("Action rename: You have to specify a name", action(path, "rename", "{}").body());
            assertEquals(404, action(path, "chown", "{\"owner_id\": 77}").status());
            assertEquals("renamed", api.get(path).json().get("DOCUMENT").get("NAME").asText(), "refusals change nothing");
        }
        assertEquals("doc", server.body(service).get("name").asText(), "rename leaves BODY.name alone");
    }

    @Test
    void putServiceChangesWhatMayChangeAndRefusesTheRest() {
        int template = server.createTemplate("""
                {"name": "edit", "roles": [{"name": "r", "type": "vm", "template_id": 0, "cardinality": 1,
                  "min_vms": 1, "max_vms": 3}]}
                """);
        int id = server.instantiate(template, null);
        await().atMost(Duration.ofSeconds(30)).until(() -> server.state(id) == 2);

        ObjectNode body = server.body(id);
        body.put("description", "edited");
        ((ObjectNode) role(body, "r")).put("max_vms", 5).put("cooldown", 42);
        ApiClient.Response put = api.put("/service/" + id, body.toString());
        assertEquals(204, put.status(), put.body());
        ObjectNode after = server.body(id);
        assertEquals("edited", after.get("description").asText());
        assertEquals(5, role(after, "r").get("max_vms").asInt());
        assertEquals(42, role(after, "r").get("cooldown").asInt());
        assertEquals(1, role(after, "r").get("nodes").size(), "nodes untouched");

        ObjectNode renamed = server.body(id);
        renamed.put("name", "other");
        ApiClient.Response name = api.put("/service/" + id, renamed.toString());
        assertEquals(400, name.status());
        assertEquals("Immutable value: `service/name` can not be changed", name.body());
        ObjectNode card = server.body(id);
        ((ObjectNode) role(card, "r")).put("cardinality", 3);
        assertEquals("Immutable value: `role/cardinality` can not be changed",
                api.put("/service/" + id, card.toString()).body());
        ObjectNode fewer = server.body(id);
        ((ArrayNode) fewer.get("roles")).removeAll();
        assertEquals(400, api.put("/service/" + id, fewer.toString()).status());

        ApiClient.Response append = api.put("/service/" + id,
                "{\"append\": true, \"template\": \"{\\\"description\\\": \\\"blue/green - blue\\\"}\"}");
        assertEquals(204, append.status(), append.body());
        assertEquals("blue/green - blue", server.body(id).get("description").asText());
        assertEquals("Missing template to append", api.put("/service/" + id, "{\"append\": true}").body());
        assertEquals("Immutable value: `service/deployment` can not be changed", api.put("/service/" + id,
                "{\"append\": true, \"template\": {\"deployment\": \"straight\"}}").body());
        assertEquals(5, role(server.body(id), "r").get("max_vms").asInt(), "refused updates changed nothing");

        assertEquals(204, api.delete("/service/" + id).status());
        await().atMost(Duration.ofSeconds(30)).until(() -> server.state(id) == 5);
        ObjectNode done = server.body(id);
        done.put("description", "after");
        assertEquals(204, api.put("/service/" + id, done.toString()).status(), "DONE services may be updated");
    }

    @Test
    void putIsRefusedInTransientStates() {
        int template = server.createTemplate("""
                {"name": "slow", "roles": [{"name": "r", "type": "vm", "template_id": 0, "cardinality": 1,
                  "template_contents": {"SIM_DEPLOY_SECONDS": "120"}}]}
                """);
        int id = server.instantiate(template, null);
        await().atMost(Duration.ofSeconds(30)).until(() -> server.state(id) == 1);
        ApiClient.Response put = api.put("/service/" + id, server.body(id).toString());
        assertEquals(409, put.status());
        assertEquals("Service cannot be updated in state: DEPLOYING", put.body());
    }
}
