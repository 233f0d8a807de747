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
import java.util.concurrent.Callable;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;

import static dev.flotilla.it.LifecycleIT.messages;
import static org.awaitility.Awaitility.await;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** Operations on one service are serialized: conflicting requests get 409, keyed replays do nothing twice. */
class ConcurrencyIT {
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

    private static List<ApiClient.Response> concurrently(List<Callable<ApiClient.Response>> calls) throws Exception {
        ExecutorService pool = Executors.newFixedThreadPool(calls.size());
        try {
            List<Future<ApiClient.Response>> futures = pool.invokeAll(calls);
            List<ApiClient.Response> out = new ArrayList<>();
            for (Future<ApiClient.Response> f : futures) {
                out.add(f.get());
            }
            return out;
        } finally {
            pool.shutdownNow();
        }
    }

    private static long simVmsOf(int serviceId) {
        List<JsonNode> vms = new ArrayList<>();
        api.get("/sim/vm").json().path("VM").forEach(vm -> {
            if (vm.path("USER_TEMPLATE").path("SERVICE_ID").asInt() == serviceId) {
                vms.add(vm);
            }
        });
        return vms.size();
    }

    @Test
    void fiftyConcurrentReleasesLetExactlyOneWin() throws Exception {
        int template = server.createTemplate("""
                {"name": "held", "on_hold": true, "roles": [{"name": "r", "type": "vm", "template_id": 0, "cardinality": 3}]}
                """);
        int id = server.instantiate(template, null);
        await().atMost(Duration.ofSeconds(30)).until(() -> server.state(id) == 15);
        List<Callable<ApiClient.Response>> calls = new ArrayList<>();
        for (int i = 0; i < 50; i++) {
            calls.add(() -> api.post("/service/" + id + "/action", "{\"action\": {\"perform\": \"release\"}}"));
        }
        List<ApiClient.Response> responses = concurrently(calls);
        assertEquals(1, responses.stream().filter(r -> r.status() == 204).count(), "exactly one release wins");
        assertEquals(49, responses.stream().filter(r -> r.status() == 409
                && r.body().equals("Service has no roles in HOLD")).count());
        await().atMost(Duration.ofSeconds(30)).until(() -> server.state(id) == 2);
        assertEquals(3, simVmsOf(id), "exactly the cardinality of VMs");
        assertEquals(1, messages(server.body(id)).stream().filter(m -> m.equals("Release requested")).count());
    }

    @Test
    void fiftyConcurrentDeletesAndRecoversKeepTheInvariants() throws Exception {
        int template = server.createTemplate("""
                {"name": "busy", "roles": [{"name": "r", "type": "vm", "template_id": 0, "cardinality": 2}]}
                """);
        int id = server.instantiate(template, null);
        await().atMost(Duration.ofSeconds(30)).until(() -> server.state(id) == 2);
        List<Callable<ApiClient.Response>> calls = new ArrayList<>();
        for (int i = 0; i < 50; i++) {
            calls.add(i % 2 == 0
                    ? () -> api.delete("/service/" + id)
                    : () -> api.post("/service/" + id + "/action", "{\"action\": {\"perform\": \"recover\"}}"));
        }
        List<ApiClient.Response> responses = concurrently(calls);
        responses.forEach(r -> assertTrue(r.status() == 204 || r.status() == 409, r.status() + " " + r.body()));
        responses.stream().filter(r -> r.status() == 409).forEach(r -> assertTrue(
                r.body().matches("Service cannot be (undeployed|recovered) in state: [A-Z_]+"), r.body()));
        assertTrue(responses.stream().anyMatch(r -> r.status() == 204));
        await().atMost(Duration.ofSeconds(30)).until(() -> server.state(id) == 5);
        List<String> log = messages(server.body(id));
        assertEquals(1, log.stream().filter(m -> m.startsWith("New state: UNDEPLOYING")).count(), log.toString());
        assertEquals(1, log.stream().filter(m -> m.startsWith("New state: DONE")).count(), log.toString());
        assertEquals(2, simVmsOf(id), "no VM was created by the stampede");
    }

    @Test
    void aRepeatedIdempotencyKeyReturnsTheFirstAnswerAndCreatesNothingTwice() {
        int template = server.createTemplate("""
                {"name": "once", "roles": [{"name": "r", "type": "vm", "template_id": 0, "cardinality": 1}]}
                """);
        String body = "{\"action\": {\"perform\": \"instantiate\", \"params\": {\"merge_template\": {\"name\": \"one\"}}}}";
        String path = "/service_template/" + template + "/action";
        int before = api.get("/service").json().path("DOCUMENT_POOL").path("DOCUMENT").size();
        ApiClient.Response first = api.withHeader("Idempotency-Key", "k-instantiate-1").post(path, body);
        ApiClient.Response second = api.withHeader("Idempotency-Key", "k-instantiate-1").post(path, body);
        assertEquals(201, first.status());
        assertEquals(201, second.status());
        assertEquals(first.body(), second.body(), "the first answer is replayed");
        assertEquals(before + 1, api.get("/service").json().path("DOCUMENT_POOL").path("DOCUMENT").size());

        ApiClient.Response reused = api.withHeader("Idempotency-Key", "k-instantiate-1").post(path,
                body.replace("one", "two"));
        assertEquals(409, reused.status());
        assertEquals("This Idempotency-Key was used for a different request", reused.body());

        int id = first.json().path("DOCUMENT").path("ID").asInt();
        await().atMost(Duration.ofSeconds(30)).until(() -> server.state(id) == 2);
        ApiClient.Response delete = api.withHeader("Idempotency-Key", "k-delete-1").delete("/service/" + id);
        await().atMost(Duration.ofSeconds(30)).until(() -> server.state(id) == 5);
        ApiClient.Response replayed = api.withHeader("Idempotency-Key", "k-delete-1").delete("/service/" + id);
        assertEquals(204, delete.status());
        assertEquals(204, replayed.status(), "a replayed delete answers as the first did, even in DONE");
        assertEquals(409, api.delete("/service/" + id).status(), "without the key it is a new request");
    }
}
