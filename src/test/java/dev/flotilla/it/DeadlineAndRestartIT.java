package dev.flotilla.it;

import com.fasterxml.jackson.databind.JsonNode;
import dev.flotilla.support.TestDatabase;
import dev.flotilla.support.TestServer;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;

import static org.awaitility.Awaitility.await;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** No transient state waits forever (decision 6), and a restart resumes deploys without duplicating VMs. */
class DeadlineAndRestartIT {
    private static TestDatabase db;

    @BeforeAll
    static void database() {
        db = TestDatabase.fresh();
    }

    @AfterAll
    static void drop() {
        db.close();
    }

    @Test
    void aDeployThatOutlivesItsDeadlineFailsWithTheReason() {
        try (TestServer server = TestServer.start(db, Map.of("FLOTILLA_TRANSIENT_TIMEOUT", "1"))) {
            int template = server.createTemplate("""
                    {"name": "stuck", "roles": [{"name": "slow", "type": "vm", "template_id": 0, "cardinality": 1,
                      "template_contents": {"SIM_DEPLOY_SECONDS": "600"}}]}
                    """);
            int id = server.instantiate(template, null);
            await().atMost(Duration.ofSeconds(20)).until(() -> server.state(id) == 7);
            JsonNode body = server.body(id);
            assertEquals(7, LifecycleIT.role(body, "slow").get("state").asInt(), "role FAILED_DEPLOYING");
            List<String> log = LifecycleIT.messages(body);
            assertTrue(log.stream().anyMatch(m -> m.startsWith("New state: FAILED_DEPLOYING (no progress before the "
                    + "deadline of 1 s in DEPLOYING; waiting for roles slow (DEPLOYING))")), log.toString());
        }
    }

    @Test
    void aRestartedServerFinishesWhatTheOldOneStartedWithoutDuplicates() {
        List<Integer> ids = new ArrayList<>();
        Map<String, String> slow = Map.of("FLOTILLA_SIM_DEPLOY_SECONDS", "2");
        try (TestServer first = TestServer.start(db, slow)) {
            int template = first.createTemplate("""
                    {"name": "resume", "deployment": "straight", "roles": [
                      {"name": "db", "type": "vm", "template_id": 0, "cardinality": 1},
                      {"name": "app", "type": "vm", "template_id": 0, "cardinality": 2, "parents": ["db"]}]}
                    """);
            for (int i = 0; i < 3; i++) {
                ids.add(first.instantiate(template, null));
            }
            await().atMost(Duration.ofSeconds(10)).until(() -> ids.stream().allMatch(id -> first.state(id) == 1));
        }
        try (TestServer second = TestServer.start(db, slow)) {
            await().atMost(Duration.ofSeconds(40)).until(() -> ids.stream().allMatch(id -> second.state(id) == 2));
            Map<Integer, Integer> vmsPerService = new HashMap<>();
            Set<String> keys = new HashSet<>();
            for (JsonNode vm : second.api().get("/sim/vm").json().path("VM")) {
                int sid = vm.path("USER_TEMPLATE").path("SERVICE_ID").asInt();
                if (ids.contains(sid)) {
                    vmsPerService.merge(sid, 1, Integer::sum);
                    assertTrue(keys.add(vm.get("REQUEST_KEY").asText()), "request keys are unique");
                }
            }
            ids.forEach(id -> assertEquals(3, vmsPerService.get(id), "exactly its cardinality of VMs: " + id));
        }
    }
}
