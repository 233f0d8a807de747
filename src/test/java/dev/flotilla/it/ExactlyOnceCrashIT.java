package dev.flotilla.it;

import com.fasterxml.jackson.databind.JsonNode;
import dev.flotilla.support.ApiClient;
import dev.flotilla.support.ServerProcess;
import dev.flotilla.support.TestDatabase;
import org.junit.jupiter.api.Test;

import java.io.UncheckedIOException;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.atomic.AtomicBoolean;

import static dev.flotilla.it.CrashIT.reliably;
import static org.awaitility.Awaitility.await;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * Decision 10 under SIGKILL: a command's effect, journal row and answer commit together, so a
 * client that retries with its Idempotency-Key until it gets an answer gets exactly one effect —
 * whether the server died before the commit, after it, or between the commit and the answer.
 */
class ExactlyOnceCrashIT {
    private static final Map<String, String> FAST = Map.of("FLOTILLA_SIM_DEPLOY_SECONDS", "0.3",
            "FLOTILLA_SIM_TERMINATE_SECONDS", "0.3");
    private static final int RUNNING = 2;
    private static final int DONE = 5;

    @Test
    void aKillBetweenTheCommitAndTheAnswerLeavesOneServiceAndTheRetryGetsIt() {
        try (TestDatabase db = TestDatabase.fresh(); ServerProcess server = new ServerProcess(db, "exactly-once", FAST)) {
            server.start();
            ApiClient api = server.api();
            int template = reliably(api, "POST", "/service_template", """
                    {"name": "once", "roles": [{"name": "r", "type": "vm", "template_id": 0, "cardinality": 3}]}
                    """, "once-template").json().path("DOCUMENT").path("ID").asInt();
            server.kill();
            server.start(Map.of("FLOTILLA_FAULT_HALT_AFTER_COMMIT", "instantiate"));

            ApiClient keyed = api.withHeader("Idempotency-Key", "once-instantiate");
            String path = "/service_template/" + template + "/action";
            String body = "{\"action\":{\"perform\":\"instantiate\",\"params\":{\"merge_template\":{\"name\":\"one\"}}}}";
            assertThrows(UncheckedIOException.class, () -> keyed.post(path, body), "the server dies before answering");
            server.awaitExit();
            assertEquals(1, server.count("SELECT count(*) FROM services"), "the instantiate had committed");

            server.start();
            ApiClient.Response retry = keyed.post(path, body);
            assertEquals(201, retry.status(), retry.body());
            int id = retry.json().path("DOCUMENT").path("ID").asInt();
            assertEquals(1, server.count("SELECT count(*) FROM services"), "the retry made nothing new");
            assertEquals(id, server.count("SELECT min(id) FROM services"), "the answer is the committed service");
            await().atMost(Duration.ofSeconds(30)).ignoreExceptions().until(() -> state(api, id) == RUNNING);
            assertEquals(3, server.count("SELECT count(*) FROM sim_vms"), "three VMs, created once");
        }
    }

    /** What a client was told it made and last got accepted for one service. */
    private record Expected(boolean done, int web, boolean extra) {
    }

    @Test
    void aMixedWorkloadUnderRandomKillsEndsWhereItsAcceptedCommandsLead() throws Exception {
        long seed = System.nanoTime();
        System.out.println("ExactlyOnceCrashIT seed " + seed);
        Random random = new Random(seed);
        try (TestDatabase db = TestDatabase.fresh();
             ServerProcess server = new ServerProcess(db, "exactly-once-mixed", FAST)) {
            server.start();
            ApiClient api = server.api();
            int template = reliably(api, "POST", "/service_template", """
                    {"name": "mixed", "deployment": "straight", "cooldown": 0, "roles": [
                      {"name": "db", "type": "vm", "template_id": 0, "cardinality": 1},
                      {"name": "web", "type": "vm", "template_id": 0, "cardinality": 2, "parents": ["db"],
                       "min_vms": 1, "max_vms": 4}]}
                    """, "mixed-template").json().path("DOCUMENT").path("ID").asInt();

            Map<Integer, Expected> expected = new ConcurrentHashMap<>();
            AtomicBoolean working = new AtomicBoolean(true);
            ExecutorService pool = Executors.newFixedThreadPool(4);
            List<Future<?>> clients = new ArrayList<>();
            for (int c = 0; c < 4; c++) {
                long clientSeed = random.nextLong();
                int client = c;
                clients.add(pool.submit(() -> workload(api, template, client, new Random(clientSeed), expected)));
            }
            // The killer: a SIGKILL after a random number of further committed commands, five times.
            Future<?> killer = Executors.newSingleThreadExecutor().submit(() -> {
                for (int k = 0; k < 5 && working.get(); k++) {
                    long target = server.count("SELECT count(*) FROM operations") + 1 + random.nextInt(4);
                    await().atMost(Duration.ofSeconds(120)).pollInterval(Duration.ofMillis(20))
                            .until(() -> !working.get() || server.count("SELECT count(*) FROM operations") >= target);
                    if (working.get()) {
                        server.kill();
                        server.start();
                    }
                }
                return null;
            });
            for (Future<?> f : clients) {
                f.get();
            }
            working.set(false);
            killer.get();
            pool.shutdown();

            // Every service is one a client was told of, and is where its last accepted command leads.
            assertEquals(expected.size(), server.count("SELECT count(*) FROM services"),
                    "no service a client was not told of");
            Map<Integer, List<JsonNode>> simVms = new HashMap<>();
            Set<String> keys = new HashSet<>();
            for (JsonNode vm : api.get("/sim/vm").json().path("VM")) {
                assertTrue(keys.add(vm.get("REQUEST_KEY").asText()), "request key used twice: " + vm);
                simVms.computeIfAbsent(vm.path("USER_TEMPLATE").path("SERVICE_ID").asInt(), k -> new ArrayList<>())
                        .add(vm);
            }
            for (Map.Entry<Integer, Expected> e : expected.entrySet()) {
                int id = e.getKey();
                Expected want = e.getValue();
                await().atMost(Duration.ofSeconds(60)).ignoreExceptions()
                        .until(() -> state(api, id) == (want.done() ? DONE : RUNNING));
                List<JsonNode> live = simVms.getOrDefault(id, List.of()).stream()
                        .filter(vm -> vm.get("STATE").asInt() != 6).toList();
                if (want.done()) {
                    assertEquals(0, live.size(), "service " + id + " is gone with all its VMs");
                    continue;
                }
                JsonNode body = api.get("/service/" + id).json().path("DOCUMENT").path("TEMPLATE").path("BODY");
                Map<String, Integer> cardinality = new HashMap<>();
                Set<Integer> members = new HashSet<>();
                body.path("roles").forEach(r -> {
                    cardinality.put(r.get("name").asText(), r.get("cardinality").asInt());
                    r.get("nodes").forEach(n -> members.add(n.get("deploy_id").asInt()));
                });
                assertEquals(want.web(), cardinality.get("web"), "service " + id + " web cardinality");
                assertEquals(want.extra(), cardinality.containsKey("extra"), "service " + id + " extra role");
                int total = cardinality.values().stream().mapToInt(Integer::intValue).sum();
                assertEquals(total, members.size(), "service " + id + " has its cardinality of members");
                assertEquals(members, new HashSet<>(live.stream().map(vm -> vm.get("ID").asInt()).toList()),
                        "service " + id + ": exactly one live VM per member");
            }
            System.out.printf("ExactlyOnceCrashIT: %d SIGKILLs, %d services, %d operations journaled%n",
                    server.kills(), expected.size(), server.count("SELECT count(*) FROM operations"));
        }
    }

    /** Five rounds of one client: instantiate, then scale, act on, add or remove a role, delete. */
    private static Void workload(ApiClient api, int template, int client, Random random, Map<Integer, Expected> expected) {
        Integer current = null;
        for (int round = 0; round < 5; round++) {
            String key = "client" + client + "-round" + round;
            if (current == null || expected.get(current).done()) {
                ApiClient.Response made = reliably(api, "POST", "/service_template/" + template + "/action",
                        "{\"action\":{\"perform\":\"instantiate\"}}", key);
                assertEquals(201, made.status(), made.body());
                current = made.json().path("DOCUMENT").path("ID").asInt();
                expected.put(current, new Expected(false, 2, false));
                settle(api, current);
                continue;
            }
            int id = current;
            Expected now = expected.get(id);
            int op = random.nextInt(10);
            if (op < 3) {
                int web = now.web() % 4 + 1; // 1..4 and never the current one
                if (accepted(reliably(api, "POST", "/service/" + id + "/scale",
                        "{\"role_name\": \"web\", \"cardinality\": " + web + "}", key))) {
                    expected.put(id, new Expected(false, web, now.extra()));
                }
            } else if (op < 5) {
                accepted(reliably(api, "POST", "/service/" + id + "/role/web/action",
                        "{\"action\": {\"perform\": \"reboot\", \"params\": {\"number\": 0}}}", key));
            } else if (op < 7 && !now.extra()) {
                if (accepted(reliably(api, "POST", "/service/" + id + "/role_action", """
                        {"action": {"perform": "add_role", "params": {"role":
                          {"name": "extra", "type": "vm", "template_id": 0, "cardinality": 1}}}}
                        """, key))) {
                    expected.put(id, new Expected(false, now.web(), true));
                }
            } else if (op < 7) {
                if (accepted(reliably(api, "POST", "/service/" + id + "/role_action",
                        "{\"action\": {\"perform\": \"remove_role\", \"params\": {\"role\": \"extra\"}}}", key))) {
                    expected.put(id, new Expected(false, now.web(), false));
                }
            } else {
                boolean force = op == 9;
                ApiClient.Response r = force
                        ? reliably(api, "POST", "/service/" + id + "/action",
                        "{\"action\": {\"perform\": \"recover\", \"params\": {\"delete\": true}}}", key)
                        : reliably(api, "DELETE", "/service/" + id, null, key);
                if (accepted(r)) {
                    expected.put(id, new Expected(true, now.web(), now.extra()));
                }
            }
            settle(api, id);
        }
        return null;
    }

    private static boolean accepted(ApiClient.Response r) {
        assertTrue(r.status() < 300 || r.status() == 409, "only a conflict may refuse a well-formed command: "
                + r.status() + " " + r.body());
        return r.status() < 300;
    }

    /** Waits until the service has stopped moving (the server may be down meanwhile). */
    private static void settle(ApiClient api, int id) {
        await().atMost(Duration.ofSeconds(60)).pollInterval(Duration.ofMillis(100)).ignoreExceptions()
                .until(() -> {
                    int s = state(api, id);
                    return s == RUNNING || s == DONE || s == 6 || s == 7 || s == 9;
                });
    }

    private static int state(ApiClient api, int id) {
        ApiClient.Response r = api.get("/service/" + id);
        if (r.status() != 200) {
            throw new IllegalStateException("no answer yet: " + r.status());
        }
        return r.json().path("DOCUMENT").path("TEMPLATE").path("BODY").path("state").asInt();
    }
}
