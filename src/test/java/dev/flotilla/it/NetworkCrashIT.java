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
import java.util.List;
import java.util.Map;

import static org.awaitility.Awaitility.await;
import static org.junit.jupiter.api.Assertions.assertEquals;

/**
 * A server killed during DEPLOYING_NETS, after the cloud made a network and before its id was
 * recorded, finds that network by its request key when it comes back: no second network is made.
 */
class NetworkCrashIT {
    private static TestDatabase db;
    private static ServerProcess server;
    private static ApiClient api;

    @BeforeAll
    static void database() {
        db = TestDatabase.fresh();
        server = new ServerProcess(db, "network-crash-it", Map.of("FLOTILLA_SIM_DEPLOY_SECONDS", "0.5"));
        api = server.api();
    }

    @AfterAll
    static void cleanUp() {
        server.close();
        db.close();
    }

    private static int state(int id) {
        return api.get("/service/" + id).json().path("DOCUMENT").path("TEMPLATE").path("BODY").path("state").asInt();
    }

    private static List<JsonNode> cloudNetworks(String name) {
        List<JsonNode> out = new ArrayList<>();
        api.get("/sim/net").json().path("VNET").forEach(n -> {
            if (n.path("NAME").asText().equals(name)) {
                out.add(n);
            }
        });
        return out;
    }

    @Test
    void aKillBetweenMakingANetworkAndRecordingItMakesNoSecondNetwork() {
        server.start(Map.of("FLOTILLA_FAULT_HALT_AFTER_NETWORK_CREATE", "1"));
        ApiClient.Response template = api.post("/service_template", """
                {"name": "crash-net", "roles": [{"name": "web", "type": "vm", "template_id": 0, "cardinality": 1,
                  "template_contents": {"NIC": {"NETWORK_ID": "$Private"}}}]}
                """);
        assertEquals(201, template.status(), template.body());
        int templateId = template.json().path("DOCUMENT").path("ID").asInt();
        String instantiate = "{\"action\": {\"perform\": \"instantiate\", \"params\": {\"merge_template\": "
                + "{\"networks_values\": [{\"Private\": {\"template_id\": \"0\", \"extra\": "
                + "\"SIM_NET_CREATE_SECONDS=0.3\"}}]}}}}";
        ApiClient keyed = api.withHeader("Idempotency-Key", "network-crash");
        ApiClient.Response made;
        try {
            made = keyed.post("/service_template/" + templateId + "/action", instantiate);
        } catch (RuntimeException e) {
            made = null; // the halt came before the answer left; the retry below gets the committed one
        }
        server.awaitExit(); // the fault point halted it the moment the cloud answered the create
        assertEquals(1, server.count("SELECT count(*) FROM sim_networks WHERE name LIKE 'Private-%'"),
                "the cloud made the network");
        assertEquals(1, server.count("SELECT count(*) FROM service_networks WHERE net_id IS NULL"),
                "and Flotilla had not recorded its id");

        server.start();
        if (made == null) {
            made = keyed.post("/service_template/" + templateId + "/action", instantiate);
        }
        assertEquals(201, made.status(), made.body());
        int id = made.json().path("DOCUMENT").path("ID").asInt();
        assertEquals(11, made.json().path("DOCUMENT").path("TEMPLATE").path("BODY").path("state").asInt(),
                "answered DEPLOYING_NETS");
        await().atMost(Duration.ofSeconds(60)).pollInterval(Duration.ofMillis(200)).ignoreExceptions()
                .until(() -> state(id) == 2);
        List<JsonNode> networks = cloudNetworks("Private-" + id);
        assertEquals(1, networks.size(), "found by its request key, not made twice: " + networks);
        assertEquals(1, server.count("SELECT count(*) FROM sim_networks WHERE name = 'Private-" + id + "'"),
                "the cloud never held a second one");
        JsonNode shown = api.get("/service/" + id).json().path("DOCUMENT").path("TEMPLATE").path("BODY")
                .path("service_networks").get(0);
        assertEquals(networks.get(0).path("ID").asInt(), shown.path("id").asInt());
        assertEquals(1, shown.path("attempt").asInt(), "the same attempt, not a new one");
    }
}
