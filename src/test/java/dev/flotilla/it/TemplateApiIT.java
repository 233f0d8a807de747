package dev.flotilla.it;

import com.fasterxml.jackson.databind.JsonNode;
import dev.flotilla.support.ApiClient;
import dev.flotilla.support.TestDatabase;
import dev.flotilla.support.TestServer;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** Service templates over HTTP: create, list, show, update, delete, clone, instantiate, and bad input. */
class TemplateApiIT {
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

    private static int templateCount() {
        return api.get("/service_template").json().path("DOCUMENT_POOL").path("DOCUMENT").size();
    }

    private static int serviceCount() {
        return api.get("/service").json().path("DOCUMENT_POOL").path("DOCUMENT").size();
    }

    @ParameterizedTest(name = "{1}")
    @CsvSource(delimiter = '|', value = {
        "{\"roles\":[{\"name\":\"a\",\"type\":\"vm\",\"template_id\":0}]}|name|Mandatory document key 'name (string)' is missing",
        "{\"name\":\"t\",\"roles\":[{\"name\":\"a\",\"type\":\"vm\",\"template_id\":\"x\"}]}|template_id|KEY: 'template_id' must be an Integer;",
        "{\"name\":\"t\",\"roles\":[{\"name\":\"a\",\"type\":\"vm\",\"template_id\":0,\"parents\":[\"zz\"]}]}|roles.a.parents|Role 'a' has unknown parent 'zz'",
        "{\"name\":\"t\",\"roles\":[{\"name\":\"a\",\"type\":\"vm\",\"template_id\":0,\"parents\":[\"b\"]},{\"name\":\"b\",\"type\":\"vm\",\"template_id\":0,\"parents\":[\"a\"]}]}|roles.a.parents|Roles have a dependency cycle: a -> b -> a",
        "{\"name\":\"t\",\"roles\":[{\"name\":\"a\",\"type\":\"vm\",\"template_id\":0,\"min_vms\":0,\"max_vms\":2,\"elasticity_policies\":[{\"type\":\"CHANGE\",\"adjust\":1,\"expression\":\"CPU >\"}]}]}|roles.a.elasticity_policies.0.expression|Role 'a', elasticity policy #0 'expression' parse error: ",
        "not json|body|The request body is not a valid JSON object",
        "[1,2]|body|The request body is not a valid JSON object"})
    void badTemplatesAre400AndNothingIsStored(String body, String field, String message) {
        int before = templateCount();
        ApiClient.Response plain = api.post("/service_template", body);
        assertEquals(400, plain.status());
        assertTrue(plain.body().startsWith(message), plain.body());
        assertTrue(plain.contentType().startsWith("text/plain"));
        ApiClient.Response json = api.postJson("/service_template", body);
        assertEquals(400, json.status());
        assertEquals(field, json.json().path("error").path("details").path("field").asText());
        assertEquals("invalid", json.json().path("error").path("code").asText());
        assertEquals(before, templateCount(), "nothing stored");
    }

    @Test
    void createShowUpdateCloneAndDelete() {
        ApiClient.Response created = api.post("/service_template", """
                {"name": "wp", "roles": [{"name": "MASTER", "cardinality": 1, "vm_template": 0, "min_vms": 1,
                  "max_vms": 2, "elasticity_policies": [], "scheduled_policies": []}]}
                """);
        assertEquals(201, created.status(), created.body());
        JsonNode doc = created.json().get("DOCUMENT");
        int id = doc.get("ID").asInt();
        assertEquals("101", doc.get("TYPE").asText());
        assertEquals("wp", doc.get("NAME").asText());
        JsonNode body = doc.path("TEMPLATE").path("BODY");
        assertEquals("none", body.get("deployment").asText());
        assertTrue(body.get("registration_time").asLong() > 1_700_000_000L);
        JsonNode role = body.get("roles").get(0);
        assertEquals(0, role.get("template_id").asInt(), "the 6.x role is stored with 7.x names");
        assertEquals("vm", role.get("type").asText());
        long registered = body.get("registration_time").asLong();

        ApiClient.Response replaced = api.put("/service_template/" + id, """
                {"name": "wp-renamed-in-body", "description": "v2",
                 "roles": [{"name": "MASTER", "type": "vm", "template_id": 0, "cardinality": 2, "max_vms": 3}]}
                """);
        assertEquals(200, replaced.status(), replaced.body());
        JsonNode after = replaced.json().get("DOCUMENT");
        assertEquals("wp", after.get("NAME").asText(), "PUT does not rename the document");
        assertEquals("v2", after.path("TEMPLATE").path("BODY").get("description").asText());
        assertEquals(registered, after.path("TEMPLATE").path("BODY").get("registration_time").asLong());

        ApiClient.Response immutable = api.put("/service_template/" + id,
                "{\"name\":\"wp\",\"registration_time\":1,\"roles\":[{\"name\":\"a\",\"type\":\"vm\",\"template_id\":0}]}");
        assertEquals(400, immutable.status());
        assertEquals("Immutable value: `service_template/registration_time` can not be changed", immutable.body());

        ApiClient.Response update = api.post("/service_template/" + id + "/action",
                "{\"action\":{\"perform\":\"update\",\"params\":{\"template_json\":\"{\\\"description\\\":\\\"v3\\\"}\","
                        + "\"append\":true}}}");
        assertEquals(204, update.status(), update.body());
        assertEquals("v3", api.get("/service_template/" + id).json().path("DOCUMENT").path("TEMPLATE").path("BODY")
                .get("description").asText());
        ApiClient.Response badUpdate = api.post("/service_template/" + id + "/action",
                "{\"action\":{\"perform\":\"update\",\"params\":{\"template_json\":\"{\\\"deployment\\\":\\\"x\\\"}\","
                        + "\"append\":true}}}");
        assertEquals(400, badUpdate.status());
        assertEquals("v3", api.get("/service_template/" + id).json().path("DOCUMENT").path("TEMPLATE").path("BODY")
                .get("description").asText(), "a rejected update stores nothing");

        ApiClient.Response clone = api.post("/service_template/" + id + "/action",
                "{\"action\":{\"perform\":\"clone\",\"params\":{\"name\":\"wp-copy\"}}}");
        assertEquals(201, clone.status(), clone.body());
        JsonNode copy = clone.json().get("DOCUMENT");
        assertEquals("wp-copy", copy.get("NAME").asText());
        assertFalse(copy.get("ID").asText().equals(Integer.toString(id)));
        assertEquals(400, api.post("/service_template/" + id + "/action",
                "{\"action\":{\"perform\":\"clone\",\"params\":{}}}").status());

        assertEquals(204, api.delete("/service_template/" + id).status());
        assertEquals(404, api.get("/service_template/" + id).status());
        assertEquals(200, api.get("/service_template/" + copy.get("ID").asText()).status());
    }

    @Test
    void instantiateChecksUserInputsAndCreatesNothingOnError() {
        int template = server.createTemplate("""
                {"name": "inputs", "user_inputs": {"SIZE": "M|number|Size||"},
                 "roles": [{"name": "r", "type": "vm", "template_id": 0, "cardinality": 0}]}
                """);
        int before = serviceCount();
        ApiClient.Response missing = api.post("/service_template/" + template + "/action",
                "{\"action\":{\"perform\":\"instantiate\",\"params\":{}}}");
        assertEquals(400, missing.status());
        assertEquals("The Service template specifies User Inputs but no values have been found", missing.body());
        assertEquals(before, serviceCount());

        ApiClient.Response unsupported = api.post("/service_template/" + template + "/action",
                "{\"action\":{\"perform\":\"explode\"}}");
        assertEquals(400, unsupported.status());
        assertEquals("Action explode not supported", unsupported.body());
        assertEquals(400, api.post("/service_template/" + template + "/action", "{\"action\":7}").status());

        int id = server.instantiate(template, "{\"name\": \"sized\", \"user_inputs_values\": {\"SIZE\": \"3\"}}");
        JsonNode body = server.body(id);
        assertEquals("sized", body.get("name").asText());
        assertEquals("3", body.get("roles").get(0).path("template_contents").path("SIZE").asText());
        assertEquals("$SIZE", body.get("roles").get(0).path("template_contents").path("CONTEXT").path("SIZE").asText());
    }

    @Test
    void oversizedBodiesAre413() {
        String huge = "{\"name\":\"" + "x".repeat(2 * 1024 * 1024) + "\",\"roles\":[]}";
        int before = templateCount();
        assertEquals(413, api.post("/service_template", huge).status());
        assertEquals(before, templateCount());
    }
}
