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
import java.util.ArrayList;
import java.util.List;

import static org.awaitility.Awaitility.await;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** The whole life of a service over real HTTP, real PostgreSQL and the simulator. */
class LifecycleIT {
    private static final String STRAIGHT_TEMPLATE = """
            {"name": "shop", "deployment": "straight",
             "roles": [
               {"name": "web", "type": "vm", "template_id": 0, "cardinality": 2, "parents": ["db"]},
               {"name": "db", "type": "vm", "template_id": 0, "cardinality": 1}
             ]}
            """;

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

    @Test
    void straightServiceDeploysParentsFirstThenUndeploysChildrenFirstAndIsPurged() {
        int template = server.createTemplate(STRAIGHT_TEMPLATE);
        int id = server.instantiate(template, "{\"name\": \"shop-1\"}");

        await().atMost(Duration.ofSeconds(30)).until(() -> server.state(id) == 2);
        ObjectNode running = server.body(id);
        assertEquals("shop-1", running.get("name").asText());
        assertEquals(2, role(running, "web").get("state").asInt(), "web RUNNING");
        assertEquals(2, role(running, "db").get("state").asInt(), "db RUNNING");
        assertEquals(2, role(running, "web").get("nodes").size());
        assertEquals(1, role(running, "db").get("nodes").size());
        List<String> log = messages(running);
        assertTrue(log.indexOf("Role db new state: RUNNING") < log.indexOf("Role web new state: DEPLOYING"),
                "the parent runs before the child starts: " + log);
        assertEquals("New state: RUNNING", log.get(log.size() - 1));
        assertEquals("web_1_(service_" + id + ")",
                role(running, "web").get("nodes").get(1).path("vm_info").path("VM").path("NAME").asText());

        ApiClient.Response delete = api.delete("/service/" + id);
        assertEquals(204, delete.status(), delete.body());
        await().atMost(Duration.ofSeconds(30)).until(() -> server.state(id) == 5);
        ObjectNode done = server.body(id);
        List<String> undeployLog = messages(done);
        assertTrue(undeployLog.indexOf("Role web new state: DONE") < undeployLog.indexOf("Role db new state: UNDEPLOYING"),
                "children are undeployed first: " + undeployLog);
        assertEquals("New state: DONE", undeployLog.get(undeployLog.size() - 1));
        assertEquals(0, role(done, "web").get("nodes").size());
        for (JsonNode vm : api.get("/sim/vm").json().get("VM")) {
            if (vm.path("USER_TEMPLATE").path("SERVICE_ID").asInt() == id) {
                assertEquals("DONE", vm.get("STATE_NAME").asText(), "every VM of the service is gone: " + vm);
            }
        }

        assertEquals(1, api.get("/service?state=DONE").json().path("DOCUMENT_POOL").path("DOCUMENT").size());
        assertEquals(204, api.post("/service_pool/purge_done", "").status());
        assertEquals(404, api.get("/service/" + id).status());
    }

    @Test
    void deleteInAStateThatForbidsItIs409NamingTheState() {
        int template = server.createTemplate("""
                {"name": "broken", "roles": [{"name": "a", "type": "vm", "template_id": 4242, "cardinality": 1}]}
                """);
        int id = server.instantiate(template, null);
        await().atMost(Duration.ofSeconds(30)).until(() -> server.state(id) == 7);
        List<String> log = messages(server.body(id));
        assertTrue(log.stream().anyMatch(m -> m.contains("Error getting template [4242]")), log.toString());

        ApiClient.Response plain = api.delete("/service/" + id);
        assertEquals(409, plain.status());
        assertEquals("Service cannot be undeployed in state: FAILED_DEPLOYING", plain.body());
        ApiClient.Response json = api.deleteJson("/service/" + id);
        assertEquals(409, json.status());
        assertEquals("FAILED_DEPLOYING", json.json().path("error").path("details").path("state").asText());
        assertEquals(7, server.state(id), "a refused delete changes nothing");
    }

    @Test
    void healthSaysWhatAnswers() {
        ApiClient anonymous = api.anonymous();
        assertEquals(200, anonymous.get("/health/live").status());
        assertEquals("live", anonymous.get("/health/live").json().path("status").asText());
        for (String path : List.of("/health", "/health/ready")) {
            ApiClient.Response ready = anonymous.get(path);
            assertEquals(200, ready.status(), ready.body());
            JsonNode body = ready.json();
            assertEquals("ok", body.path("status").asText());
            assertEquals("ok", body.path("database").path("state").asText());
            assertEquals("ok", body.path("engine").path("state").asText());
            assertEquals("simulator", body.path("cloud").path("driver").asText());
        }
    }

    @Test
    void metricsForOneadminInPrometheusFormat() {
        int template = server.createTemplate("""
                {"name": "metered", "roles": [{"name": "r", "type": "vm", "template_id": 0, "cardinality": 0}]}
                """);
        int id = server.instantiate(template, null);
        await().atMost(Duration.ofSeconds(30)).until(() -> server.state(id) == 2);
        long running = 0;
        for (JsonNode d : api.get("/service?state=RUNNING").json().path("DOCUMENT_POOL").path("DOCUMENT")) {
            running++;
        }
        ApiClient.Response metrics = api.get("/metrics");
        assertEquals(200, metrics.status());
        String text = metrics.body();
        assertTrue(text.contains("flotilla_services{state=\"RUNNING\"} " + running + ".0"), text);
        assertTrue(text.contains("flotilla_role_action_batches_pending "), text);
        assertTrue(text.contains("flotilla_driver_call_seconds_count{operation=\"instantiate\",outcome=\"ok\"}"),
                "driver calls by operation and outcome: " + text);
        assertTrue(text.contains("flotilla_engine_commit_lag_seconds{quantile=\"0.99\"}"), "engine lag");
        assertTrue(text.contains("flotilla_engine_batch_services_count "), "group commit sizes");
        assertTrue(text.contains("flotilla_service_time_in_state_seconds_count{state=\"DEPLOYING\"}"),
                "time spent DEPLOYING before RUNNING");
        assertTrue(text.contains("flotilla_autoscaler_pass_seconds_count ")
                && text.contains("flotilla_autoscaler_last_pass_age_seconds "), "autoscaler passes");
        assertTrue(text.contains("vertx_http_server_requests_total"), "Vert.x's own HTTP metrics");
        assertTrue(text.contains("jvm_memory_used_bytes"), "the JVM's");
        assertEquals(401, api.anonymous().get("/metrics").status());
    }

    @Test
    void unknownIdsAre404() {
        assertEquals(404, api.get("/service/999999").status());
        assertEquals(404, api.delete("/service/999999").status());
        assertEquals(404, api.get("/service_template/999999").status());
        assertEquals(404, api.post("/service_template/999999/action",
                "{\"action\":{\"perform\":\"instantiate\"}}").status());
        ApiClient.Response json = api.getJson("/service/999999");
        assertEquals("not_found", json.json().path("error").path("code").asText());
    }

    @Test
    void everyRouteNeedsCredentials() {
        ApiClient.Response none = api.anonymous().get("/service");
        assertEquals(401, none.status());
        assertEquals("A username and password must be provided", none.body());
        ApiClient.Response wrong = api.as("oneadmin", "nope").get("/service_template");
        assertEquals(401, wrong.status());
        assertEquals("Invalid credentials", wrong.body());
        assertEquals(401, api.as("nobody", TestServer.PASSWORD).delete("/service/1").status());
        assertEquals(401, api.anonymous().get("/sim/vm").status());
    }

    @Test
    void serviceDocumentFollowsTheOneFlowEnvelope() {
        int template = server.createTemplate("""
                {"name": "env", "roles": [{"name": "only", "type": "vm", "template_id": 0, "cardinality": 1}]}
                """);
        int id = server.instantiate(template, null);
        JsonNode doc = api.get("/service/" + id).json().get("DOCUMENT");
        assertEquals(Integer.toString(id), doc.get("ID").asText());
        assertTrue(doc.get("ID").isTextual() && doc.get("UID").isTextual() && doc.get("GID").isTextual());
        assertEquals("100", doc.get("TYPE").asText());
        assertEquals("oneadmin", doc.get("UNAME").asText());
        assertEquals("1", doc.path("PERMISSIONS").path("OWNER_U").asText());
        assertEquals("0", doc.path("PERMISSIONS").path("OTHER_U").asText());
        JsonNode body = doc.path("TEMPLATE").path("BODY");
        assertTrue(body.get("state").isInt());
        assertTrue(body.get("start_time").isNumber());
        assertTrue(body.get("log").isArray());
        assertEquals(300, body.get("roles").get(0).get("cooldown").asInt(), "config default_cooldown written");
        assertFalse(body.get("roles").get(0).get("on_hold").asBoolean());
        JsonNode pool = api.get("/service").json().path("DOCUMENT_POOL").path("DOCUMENT");
        assertTrue(pool.isArray() && pool.size() >= 1);
    }

    @Test
    void documentsCarryAnETagAndAnUnchangedOneIsNotSentAgain() {
        int template = server.createTemplate("""
                {"name": "etag", "roles": [{"name": "r", "type": "vm", "template_id": 0, "cardinality": 0}]}
                """);
        int id = server.instantiate(template, null);
        await().atMost(Duration.ofSeconds(30)).until(() -> server.state(id) == 2);
        for (String path : List.of("/service/" + id, "/service", "/service_template/" + template, "/service_template")) {
            ApiClient.Response first = api.get(path);
            String etag = first.header("ETag");
            assertNotNull(etag, path);
            ApiClient.Response again = api.withHeader("If-None-Match", etag).get(path);
            assertEquals(304, again.status(), path);
            assertEquals("", again.body(), "no body for what the client holds: " + path);
        }
        String etag = api.get("/service/" + id).header("ETag");
        api.post("/service/" + id + "/action", "{\"action\": {\"perform\": \"rename\", \"params\": {\"name\": \"renamed\"}}}");
        ApiClient.Response changed = api.withHeader("If-None-Match", etag).get("/service/" + id);
        assertEquals(200, changed.status(), "a changed document is sent whole");
        assertNotEquals(etag, changed.header("ETag"));
        assertEquals("renamed", changed.json().path("DOCUMENT").path("NAME").asText());
    }

    @Test
    void listPagesAndFiltersByState() {
        int template = server.createTemplate("""
                {"name": "paged", "roles": [{"name": "r", "type": "vm", "template_id": 0, "cardinality": 0}]}
                """);
        List<Integer> ids = new ArrayList<>();
        for (int i = 0; i < 3; i++) {
            ids.add(server.instantiate(template, "{\"name\": \"paged-" + i + "\"}"));
        }
        ids.forEach(id -> await().atMost(Duration.ofSeconds(30)).until(() -> server.state(id) == 2));
        int all = api.get("/service").json().path("DOCUMENT_POOL").path("DOCUMENT").size();
        JsonNode page1 = api.get("/service?page=1&page_size=2").json().path("DOCUMENT_POOL").path("DOCUMENT");
        JsonNode page2 = api.get("/service?page=2&page_size=2").json().path("DOCUMENT_POOL").path("DOCUMENT");
        assertEquals(2, page1.size());
        assertEquals(Math.min(2, all - 2), page2.size());
        assertFalse(page1.get(0).get("ID").equals(page2.get(0).get("ID")));
        JsonNode running = api.get("/service?state=RUNNING").json().path("DOCUMENT_POOL").path("DOCUMENT");
        running.forEach(d -> assertEquals(2, d.path("TEMPLATE").path("BODY").path("state").asInt()));
        assertTrue(running.size() >= 3);
        assertEquals(400, api.get("/service?page_size=zero").status());
        assertEquals(400, api.get("/service?state=SLEEPING").status());
    }

    static JsonNode role(JsonNode body, String name) {
        for (JsonNode r : body.get("roles")) {
            if (r.get("name").asText().equals(name)) {
                return r;
            }
        }
        throw new AssertionError("no role " + name + " in " + body);
    }

    static List<String> messages(JsonNode body) {
        List<String> out = new ArrayList<>();
        body.get("log").forEach(e -> out.add(e.get("message").asText()));
        return out;
    }
}
