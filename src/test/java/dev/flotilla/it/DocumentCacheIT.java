package dev.flotilla.it;

import com.fasterxml.jackson.databind.JsonNode;
import dev.flotilla.support.ApiClient;
import dev.flotilla.support.TestDatabase;
import dev.flotilla.support.TestServer;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;

import static org.awaitility.Awaitility.await;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * Service documents are served from memory. What a client reads there must be what PostgreSQL
 * holds: after a workload touching every kind of change (deploys, scale, role actions, owners,
 * modes, names, bodies, VM failures, undeploys, purges, autoscaler counters), every show and
 * list read from the cache becomes byte for byte what {@code Cache-Control: no-cache} (read from
 * PostgreSQL, cache untouched) answers; a missed change would leave them different for good.
 */
class DocumentCacheIT {
    private static TestDatabase db;
    private static TestServer server;
    private static ApiClient admin;
    private static ApiClient alice;

    private static final String TEMPLATE = """
            {"name": "cached", "deployment": "straight", "cooldown": 0, "roles": [
              {"name": "db", "type": "vm", "template_id": 0, "cardinality": 1},
              {"name": "web", "type": "vm", "template_id": 0, "cardinality": 2, "parents": ["db"],
               "min_vms": 1, "max_vms": 3,
               "elasticity_policies": [{"type": "CHANGE", "adjust": 1, "expression": "1 > 2", "period": 1,
                                        "period_number": 2}]}]}""";

    @BeforeAll
    static void start() {
        db = TestDatabase.fresh();
        server = TestServer.start(db, Map.of("FLOTILLA_SIM_DEPLOY_SECONDS", "1", "FLOTILLA_SIM_TERMINATE_SECONDS", "1",
                "FLOTILLA_AUTOSCALER_INTERVAL", "1"));
        admin = server.api();
        int devs = admin.post("/sim/group", "{\"name\": \"devs\"}").json().path("GROUP").path("ID").asInt();
        assertEquals(201, admin.post("/sim/user", "{\"name\": \"alice\", \"password\": \"alice-pw\", \"groups\": ["
                + devs + "]}").status());
        alice = admin.as("alice", "alice-pw");
    }

    @AfterAll
    static void stop() {
        server.close();
        db.close();
    }

    @Test
    void everyKindOfChangeReachesTheCachedDocuments() {
        int template = created(admin.post("/service_template", TEMPLATE));
        assertEquals(204, action(admin, "/service_template/" + template, "chmod", "{\"octet\": \"644\"}").status());
        List<Integer> ids = new ArrayList<>();
        for (int i = 0; i < 4; i++) {
            ids.add(instantiate(admin, template));
        }
        int alices = instantiate(alice, template);
        ids.add(alices);
        // Cached reads while the services deploy, so entries exist before the changes below.
        listsMatch();
        ids.forEach(id -> await().atMost(Duration.ofSeconds(60)).until(() -> state(id) == 2));

        ok(admin.post("/service/" + ids.get(0) + "/scale", "{\"role_name\": \"web\", \"cardinality\": 3}"));
        ok(admin.post("/service/" + ids.get(1) + "/role/web/action",
                "{\"action\": {\"perform\": \"reboot\", \"params\": {\"number\": 1, \"period\": 1}}}"));
        ok(action(admin, "/service/" + ids.get(2), "rename", "{\"name\": \"renamed\"}"));
        ok(action(admin, "/service/" + ids.get(2), "chmod", "{\"octet\": \"604\"}"));
        ok(admin.put("/service/" + ids.get(3), "{\"template\": \"{\\\"description\\\": \\\"edited\\\"}\", "
                + "\"append\": true}"));
        JsonNode node = admin.get("/service/" + ids.get(3)).json().path("DOCUMENT").path("TEMPLATE").path("BODY")
                .path("roles").get(0).path("nodes").get(0);
        assertEquals("3", node.path("vm_info").path("VM").path("STATE").asText(), "ACTIVE, as oned says: " + node);
        assertEquals("3", node.path("vm_info").path("VM").path("LCM_STATE").asText(), "RUNNING: " + node);
        int vm = node.path("deploy_id").asInt();
        ok(admin.put("/sim/vm/" + vm, "{\"state\": \"POWEROFF\"}"));
        ok(alice.delete("/service/" + alices));
        await().atMost(Duration.ofSeconds(60)).until(() -> state(ids.get(3)) == 4 && state(alices) == 5);
        ok(alice.post("/service_pool/purge_done", ""));

        ids.forEach(id -> showsMatch(admin, id));
        showsMatch(alice, alices);
        showsMatch(alice, ids.get(2));
        listsMatch();
        assertEquals(404, admin.get("/service/" + alices).status(), "purged");
        assertTrue(alice.get("/service").json().path("DOCUMENT_POOL").path("DOCUMENT").toString()
                .contains("renamed"), "mode 604 lets others USE it: alice lists it");
    }

    @Test
    void aNewServiceIsShownAndListedAtOnce() {
        int template = created(admin.post("/service_template", TEMPLATE));
        for (int i = 0; i < 20; i++) {
            listsMatch(); // the cache holds every service, so an id it was not told of would be a 404
            int id = instantiate(admin, template);
            assertEquals(200, admin.get("/service/" + id).status(), "service " + id + " right after its 201");
            assertTrue(admin.get("/service").body().contains("\"ID\":\"" + id + "\",\"UID\""),
                    "service " + id + " listed right after its 201");
        }
    }

    @Test
    void aTagAnswersUnchangedDocumentsWithoutABodyUntilTheyChange() {
        int template = created(admin.post("/service_template", TEMPLATE));
        int id = instantiate(admin, template);
        await().atMost(Duration.ofSeconds(60)).until(() -> state(id) == 2);
        // The autoscaler rewrites policy counters every second here: a 304 is expected for a tag
        // asked again before the next change, so a pair that straddles one is asked again.
        String tag = admin.get("/service/" + id).header("ETag");
        String listTag = admin.get("/service").header("ETag");
        await().atMost(Duration.ofSeconds(10)).untilAsserted(() -> {
            String now = admin.get("/service/" + id).header("ETag");
            assertEquals(304, admin.withHeader("If-None-Match", now).get("/service/" + id).status());
        });
        await().atMost(Duration.ofSeconds(10)).untilAsserted(() -> {
            String now = admin.get("/service").header("ETag");
            assertEquals(304, admin.withHeader("If-None-Match", now).get("/service").status());
        });

        ok(action(admin, "/service/" + id, "rename", "{\"name\": \"tagged\"}"));
        ApiClient.Response after = admin.withHeader("If-None-Match", tag).get("/service/" + id);
        assertEquals(200, after.status());
        assertEquals("tagged", after.json().path("DOCUMENT").path("NAME").asText());
        assertNotEquals(tag, after.header("ETag"));
        assertEquals(200, admin.withHeader("If-None-Match", listTag).get("/service").status());
    }

    @Test
    void aListOfManyChunksArrivesWholeAndAsLongAsItSays() {
        // A long description makes each document ~8 KB.
        int template = created(admin.post("/service_template", TEMPLATE.replaceFirst("\"cooldown\": 0,",
                "\"cooldown\": 0, \"description\": \"" + "d".repeat(6000) + "\",")));
        for (int i = 0; i < 30; i++) {
            instantiate(admin, template);
        }
        await().atMost(Duration.ofSeconds(10)).untilAsserted(() -> {
            ApiClient.Response cached = admin.get("/service");
            assertEquals(admin.withHeader("Cache-Control", "no-cache").get("/service").body(), cached.body());
            int bytes = cached.body().getBytes(java.nio.charset.StandardCharsets.UTF_8).length;
            assertTrue(bytes > 3 * 64 * 1024, "more than three 64 KiB chunks: " + bytes);
            assertEquals(Integer.toString(bytes), cached.header("Content-Length"));
        });
    }

    @Test
    void aRestartedServerServesWhatPostgresqlHolds() {
        int template = created(admin.post("/service_template", TEMPLATE));
        int id = instantiate(admin, template);
        await().atMost(Duration.ofSeconds(60)).until(() -> state(id) == 2);
        server.close();
        server = TestServer.start(db, Map.of("FLOTILLA_SIM_DEPLOY_SECONDS", "1", "FLOTILLA_SIM_TERMINATE_SECONDS",
                "1", "FLOTILLA_AUTOSCALER_INTERVAL", "1"));
        admin = server.api();
        alice = admin.as("alice", "alice-pw");
        listsMatch();
        showsMatch(admin, id);
    }

    /** The cached answer becomes the one read from PostgreSQL (changes are announced after their commit). */
    private static void showsMatch(ApiClient as, int id) {
        await().atMost(Duration.ofSeconds(10)).untilAsserted(() -> {
            ApiClient.Response fresh = as.withHeader("Cache-Control", "no-cache").get("/service/" + id);
            ApiClient.Response cached = as.get("/service/" + id);
            assertEquals(fresh.status(), cached.status(), "service " + id);
            assertEquals(fresh.body(), cached.body(), "service " + id);
        });
    }

    private static void listsMatch() {
        for (ApiClient as : List.of(admin, alice)) {
            for (String query : List.of("", "?state=2", "?page=2&page_size=2", "?state=DONE")) {
                await().atMost(Duration.ofSeconds(10)).untilAsserted(() -> assertEquals(
                        as.withHeader("Cache-Control", "no-cache").get("/service" + query).body(),
                        as.get("/service" + query).body(), "GET /service" + query));
            }
        }
    }

    private static int state(int id) {
        JsonNode doc = admin.get("/service/" + id).json();
        return doc.path("DOCUMENT").path("TEMPLATE").path("BODY").path("state").asInt(-1);
    }

    private static int instantiate(ApiClient as, int template) {
        return created(action(as, "/service_template/" + template, "instantiate", "{}"));
    }

    private static int created(ApiClient.Response r) {
        assertEquals(201, r.status(), r.body());
        return r.json().path("DOCUMENT").path("ID").asInt();
    }

    private static ApiClient.Response action(ApiClient as, String path, String perform, String params) {
        return as.postJson(path + "/action", "{\"action\": {\"perform\": \"" + perform + "\", \"params\": " + params
                + "}}");
    }

    private static void ok(ApiClient.Response r) {
        assertTrue(r.status() / 100 == 2, r.status() + " " + r.body());
    }
}
