package dev.flotilla.it;

import com.fasterxml.jackson.databind.JsonNode;
import dev.flotilla.support.ApiClient;
import dev.flotilla.support.ServerProcess;
import dev.flotilla.support.TestDatabase;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.Set;

import static org.awaitility.Awaitility.await;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * Crash safety: the server runs as its own process and is killed with SIGKILL (several times, at
 * random moments chosen as thresholds of VMs created or removed) while many services deploy and
 * undeploy; each time it is restarted. Clients retry with their Idempotency-Key. In the end every
 * service is in its expected state with exactly its cardinality of VMs, no request key is used
 * twice and the simulator holds no orphan VM.
 */
class CrashIT {
    private static final int SERVICES = 16;
    private static final int VMS_PER_SERVICE = 3;

    private static TestDatabase db;
    private static ServerProcess server;
    private static ApiClient api;

    @BeforeAll
    static void database() {
        db = TestDatabase.fresh();
        server = new ServerProcess(db, "crash-it", Map.of("FLOTILLA_SIM_DEPLOY_SECONDS", "1.2",
                "FLOTILLA_SIM_TERMINATE_SECONDS", "0.8"));
        api = server.api();
    }

    @AfterAll
    static void cleanUp() {
        server.close();
        db.close();
    }

    private static void killAndRestart() {
        server.kill();
        server.start();
    }

    /** A client that retries across crashes with the same Idempotency-Key until it gets an answer. */
    static ApiClient.Response reliably(ApiClient api, String method, String path, String body, String key) {
        ApiClient keyed = api.withHeader("Idempotency-Key", key);
        return await().atMost(Duration.ofSeconds(90)).pollInterval(Duration.ofMillis(100)).ignoreExceptions()
                .until(() -> keyed.send(method, path, body, null), r -> r.status() < 500);
    }

    private static ApiClient.Response reliably(String method, String path, String body, String key) {
        return reliably(api, method, path, body, key);
    }

    /** Kills the server when the count query reaches a random threshold, {@code times} times. */
    private static void crashWhile(String countSql, long total, int times, Random random) {
        long last = server.count(countSql);
        for (int i = 0; i < times && last < total; i++) {
            long target = last + 1 + random.nextInt((int) Math.max(1, (total - last) / (times - i + 1)));
            await().atMost(Duration.ofSeconds(60)).pollInterval(Duration.ofMillis(20))
                    .until(() -> server.count(countSql) >= Math.min(target, total));
            killAndRestart();
            last = server.count(countSql);
        }
    }

    @Test
    void killNineDuringDeployAndUndeployLosesAndDuplicatesNothing() throws Exception {
        long seed = System.nanoTime();
        Random random = new Random(seed);
        System.out.println("CrashIT seed " + seed);
        server.start();
        ApiClient.Response template = reliably("POST", "/service_template", """
                {"name": "crash", "deployment": "straight", "roles": [
                  {"name": "db", "type": "vm", "template_id": 0, "cardinality": 1},
                  {"name": "web", "type": "vm", "template_id": 0, "cardinality": 2, "parents": ["db"]}]}
                """, "crash-template");
        int templateId = template.json().path("DOCUMENT").path("ID").asInt();

        List<Integer> ids = new ArrayList<>();
        for (int i = 0; i < SERVICES; i++) {
            ApiClient.Response r = reliably("POST", "/service_template/" + templateId + "/action",
                    "{\"action\":{\"perform\":\"instantiate\",\"params\":{\"merge_template\":{\"name\":\"c" + i + "\"}}}}",
                    "crash-instantiate-" + i);
            assertEquals(201, r.status(), r.body());
            ids.add(r.json().path("DOCUMENT").path("ID").asInt());
            if (i == SERVICES / 2) {
                killAndRestart(); // in the middle of instantiating
            }
        }
        crashWhile("SELECT count(*) FROM sim_vms", (long) SERVICES * VMS_PER_SERVICE, 3, random);
        await().atMost(Duration.ofSeconds(120)).pollInterval(Duration.ofMillis(200)).ignoreExceptions()
                .until(() -> ids.stream().allMatch(id -> state(id) == 2));

        List<Integer> deleted = ids.subList(0, SERVICES / 2);
        List<Integer> kept = ids.subList(SERVICES / 2, SERVICES);
        for (int id : deleted) {
            assertEquals(204, reliably("DELETE", "/service/" + id, null, "crash-delete-" + id).status());
        }
        crashWhile("SELECT count(*) FROM sim_vms WHERE state = 6", (long) deleted.size() * VMS_PER_SERVICE, 3, random);
        await().atMost(Duration.ofSeconds(120)).pollInterval(Duration.ofMillis(200)).ignoreExceptions()
                .until(() -> deleted.stream().allMatch(id -> state(id) == 5));

        // ---- the books must balance ----
        JsonNode pool = api.get("/service").json().path("DOCUMENT_POOL").path("DOCUMENT");
        assertEquals(SERVICES, pool.size(), "no service was lost or created twice");
        Map<Integer, List<JsonNode>> simVms = new HashMap<>();
        Set<String> keys = new HashSet<>();
        int total = 0;
        for (JsonNode vm : api.get("/sim/vm").json().path("VM")) {
            total++;
            assertTrue(keys.add(vm.get("REQUEST_KEY").asText()), "request key used twice: " + vm);
            simVms.computeIfAbsent(vm.path("USER_TEMPLATE").path("SERVICE_ID").asInt(), k -> new ArrayList<>()).add(vm);
        }
        int orphans = 0;
        for (int id : kept) {
            JsonNode body = api.get("/service/" + id).json().path("DOCUMENT").path("TEMPLATE").path("BODY");
            Set<Integer> members = new HashSet<>();
            body.get("roles").forEach(r -> {
                assertEquals(r.get("cardinality").asInt(), r.get("nodes").size(), "role " + r.get("name") + " of " + id);
                r.get("nodes").forEach(n -> members.add(n.get("deploy_id").asInt()));
            });
            assertEquals(VMS_PER_SERVICE, members.size());
            for (JsonNode vm : simVms.getOrDefault(id, List.of())) {
                boolean member = members.contains(vm.get("ID").asInt());
                boolean gone = vm.get("STATE").asInt() == 6;
                if (!member && !gone) {
                    orphans++;
                }
                if (member) {
                    assertEquals(3, vm.get("LCM_STATE").asInt(), "member VMs run: " + vm);
                }
            }
        }
        for (int id : deleted) {
            for (JsonNode vm : simVms.getOrDefault(id, List.of())) {
                if (vm.get("STATE").asInt() != 6) {
                    orphans++;
                }
            }
        }
        assertEquals(0, orphans, "no orphan VM in the simulator");
        assertEquals(SERVICES * VMS_PER_SERVICE, total, "exactly one VM per member ever created");
        System.out.printf("CrashIT: %d SIGKILLs; %d services (%d RUNNING, %d DONE); %d VMs created for %d members;"
                        + " 0 duplicate request keys; %d orphan VMs%n", server.kills(), SERVICES, kept.size(), deleted.size(),
                total, SERVICES * VMS_PER_SERVICE, orphans);
    }

    private static int state(int id) {
        return api.get("/service/" + id).json().path("DOCUMENT").path("TEMPLATE").path("BODY").path("state").asInt();
    }
}
