package dev.flotilla.it;

import com.fasterxml.jackson.databind.JsonNode;
import dev.flotilla.support.ApiClient;
import dev.flotilla.support.FrameListener;
import dev.flotilla.support.TestDatabase;
import dev.flotilla.support.TestServer;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.WebSocket;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Base64;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;

import static dev.flotilla.it.LifecycleIT.messages;
import static dev.flotilla.it.LifecycleIT.role;
import static org.awaitility.Awaitility.await;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * Service networks with the simulator (issue 14): each way of getting a network, DEPLOYING_NETS
 * before the roles and UNDEPLOYING_NETS after them, both NETS failure states and their recover,
 * recover --delete, and what GET /service, the stream and the cloud show.
 */
class ServiceNetworksIT {
    private static final Duration WAIT = Duration.ofSeconds(40);
    private static TestDatabase db;
    private static TestServer server;
    private static ApiClient api;

    @BeforeAll
    static void start() {
        db = TestDatabase.fresh();
        server = TestServer.start(db, Map.of("FLOTILLA_RESYNC_INTERVAL", "1", "FLOTILLA_POLL_INTERVAL_MS", "100"));
        api = server.api();
    }

    @AfterAll
    static void stop() {
        server.close();
        db.close();
    }

    /** A service of role "web" (2 VMs, NICs on $Private and $Public) with these networks_values. */
    private static int service(String networksValues) {
        int template = server.createTemplate("""
                {"name": "net", "networks": {"Private": "M|network|Private||", "Public": "O|network|Public||id:0"},
                 "roles": [{"name": "web", "type": "vm", "template_id": 0, "cardinality": 2,
                   "template_contents": {"NIC": [{"NETWORK_ID": "$Private"}, {"NETWORK_ID": "$Public"}]}}]}
                """);
        return server.instantiate(template, "{\"networks_values\": " + networksValues + "}");
    }

    private static JsonNode network(JsonNode body, String name) {
        for (JsonNode n : body.path("service_networks")) {
            if (n.path("name").asText().equals(name)) {
                return n;
            }
        }
        throw new AssertionError("no network " + name + " in " + body.path("service_networks"));
    }

    private static List<JsonNode> simNetworks() {
        List<JsonNode> out = new ArrayList<>();
        api.get("/sim/net").json().path("VNET").forEach(out::add);
        return out;
    }

    private static List<JsonNode> simNetworksNamed(String name) {
        return simNetworks().stream().filter(n -> n.path("NAME").asText().equals(name)).toList();
    }

    private static void awaitState(int id, int state) {
        await().atMost(WAIT).until(() -> server.state(id) == state);
    }

    private static ApiClient.Response recover(int id, boolean delete) {
        return api.post("/service/" + id + "/action",
                "{\"action\": {\"perform\": \"recover\", \"params\": {\"delete\": " + delete + "}}}");
    }

    private static FrameListener stream() throws Exception {
        FrameListener frames = new FrameListener();
        HttpClient.newHttpClient().newWebSocketBuilder()
                .header("Authorization", "Basic " + Base64.getEncoder().encodeToString(
                        ("oneadmin:" + TestServer.PASSWORD).getBytes(StandardCharsets.UTF_8)))
                .buildAsync(URI.create(api.baseUrl().replace("http://", "ws://") + "/events"), frames)
                .get(10, TimeUnit.SECONDS);
        return frames;
    }

    @Test
    void aNetworkFromATemplateIsMadeBeforeTheVmsFillsTheirNicsAndGoesAfterThem() throws Exception {
        FrameListener frames = stream();
        int id = service("[{\"Private\": {\"template_id\": \"0\", \"extra\": \"SIM_NET_CREATE_SECONDS=1\"}},"
                + " {\"Public\": {\"id\": \"0\"}}]");
        assertEquals(11, server.state(id), "answered DEPLOYING_NETS: no VM before the network is READY");
        assertEquals(0, role(server.body(id), "web").path("nodes").size());
        awaitState(id, 2);

        JsonNode body = server.body(id);
        JsonNode made = network(body, "Private");
        int netId = made.path("id").asInt();
        assertEquals("READY", made.path("state").asText());
        assertTrue(made.path("created").asBoolean());
        assertEquals("Private-" + id, made.path("network_name").asText(), "OneFlow's name <net>-<service id>");
        assertEquals(netId, body.path("networks_values").get(0).path("Private").path("id").asInt(),
                "the made network's id is written into its networks_values entry, as OneFlow does");
        JsonNode used = network(body, "Public");
        assertEquals(0, used.path("id").asInt());
        assertFalse(used.path("created").asBoolean());
        assertEquals(List.of(Integer.toString(netId), "0"), nicIds(role(body, "web").path("template_contents")),
                "the role's NICs show the networks' ids");

        JsonNode cloudNet = simNetworksNamed("Private-" + id).get(0);
        assertEquals(netId, cloudNet.path("ID").asInt());
        assertEquals(0, cloudNet.path("TEMPLATE_ID").asInt());
        assertEquals("oneadmin", cloudNet.path("UNAME").asText(), "made as the service's owner");
        for (JsonNode vm : api.get("/sim/vm").json().path("VM")) {
            if (vm.path("USER_TEMPLATE").path("SERVICE_ID").asInt() == id) {
                assertEquals(List.of(Integer.toString(netId), "0"), nicIds(vm.path("USER_TEMPLATE")),
                        "each VM was created on the made network and the existing one: " + vm);
            }
        }
        List<String> log = messages(body);
        assertTrue(log.indexOf("New state: DEPLOYING_NETS") < log.indexOf("Networks ready: Private (" + netId + ")")
                && log.indexOf("Networks ready: Private (" + netId + ")") < log.indexOf("New state: DEPLOYING"), log.toString());

        assertEquals(204, api.delete("/service/" + id).status());
        awaitState(id, 5);
        List<String> after = messages(server.body(id));
        assertTrue(after.indexOf("New state: UNDEPLOYING_NETS") > after.indexOf("New state: UNDEPLOYING"), after.toString());
        assertTrue(simNetworksNamed("Private-" + id).isEmpty(), "the made network is deleted");
        assertTrue(simNetworks().stream().anyMatch(n -> n.path("ID").asInt() == 0), "the used one is left alone");
        assertEquals("DONE", network(server.body(id), "Private").path("state").asText());

        await().atMost(WAIT).until(() -> frames.of(id).stream().anyMatch(f -> f.path("kind").asText().equals("network")
                && f.path("message").asText().endsWith("-> DONE")));
        List<String> streamed = frames.of(id).stream().filter(f -> f.path("kind").asText().equals("network"))
                .map(f -> f.path("message").asText()).toList();
        assertTrue(streamed.contains("Network Private (" + netId + "): LOCK_CREATE -> READY"), streamed.toString());
    }

    @Test
    void aReservationFromAParentNetworkIsMadeAndDeleted() {
        int id = service("[{\"Private\": {\"reserve_from\": \"0\", \"extra\": \"SIZE=4\"}}, {\"Public\": {\"id\": \"0\"}}]");
        awaitState(id, 2);
        JsonNode made = network(server.body(id), "Private");
        assertEquals(0, made.path("reserve_from").asInt());
        JsonNode cloudNet = simNetworksNamed("Private-" + id).get(0);
        assertEquals(made.path("id").asInt(), cloudNet.path("ID").asInt());
        assertEquals(0, cloudNet.path("PARENT_NETWORK_ID").asInt());
        assertEquals(204, api.delete("/service/" + id).status());
        awaitState(id, 5);
        assertTrue(simNetworksNamed("Private-" + id).isEmpty());
    }

    @Test
    void aNetworkThatFailsIsMadeAgainByRecoverOnceTheCauseIsGone() {
        ApiClient.Response flaky = api.post("/sim/net-template", "{\"name\": \"flaky\", \"attributes\": "
                + "{\"SIM_NET_FAIL\": \"create\", \"SIM_NET_CREATE_SECONDS\": \"0.2\"}}");
        assertEquals(201, flaky.status(), flaky.body());
        int template = flaky.json().path("VNTEMPLATE").path("ID").asInt();
        int id = service("[{\"Private\": {\"template_id\": \"" + template + "\"}}, {\"Public\": {\"id\": \"0\"}}]");
        awaitState(id, 13);
        int failedNet = network(server.body(id), "Private").path("id").asInt();
        assertEquals("ERROR", network(server.body(id), "Private").path("state").asText());
        assertTrue(messages(server.body(id)).stream().anyMatch(m -> m.contains("Network Private (" + failedNet
                + ") is in state ERROR")), messages(server.body(id)).toString());
        assertEquals(0, role(server.body(id), "web").path("nodes").size(), "no VM on a failed network");

        ApiClient.Response fixed = api.put("/sim/net-template/" + template, "{\"attributes\": {}}");
        assertEquals(200, fixed.status(), fixed.body());
        assertEquals(204, recover(id, false).status());
        awaitState(id, 2);
        JsonNode again = network(server.body(id), "Private");
        assertEquals(2, again.path("attempt").asInt());
        assertTrue(again.path("id").asInt() != failedNet);
        await().atMost(WAIT).until(() -> simNetworks().stream().noneMatch(n -> n.path("ID").asInt() == failedNet));
        assertEquals(1, simNetworksNamed("Private-" + id).size(), "the failed network was replaced, not kept");
    }

    @Test
    void aRefusedNetworkFailsWithTheCloudsMessage() {
        int id = service("[{\"Private\": {\"template_id\": \"999\"}}, {\"Public\": {\"id\": \"0\"}}]");
        awaitState(id, 13);
        assertEquals("CREATE_FAILED", network(server.body(id), "Private").path("state").asText());
        assertTrue(messages(server.body(id)).stream().anyMatch(m -> m.contains("Network Private could not be created: "
                + "[one.vntemplate.instantiate] Error getting virtual network template [999].")),
                messages(server.body(id)).toString());
        // Nothing was made, so recover --delete has nothing to remove and ends at once.
        assertEquals(204, recover(id, true).status());
        awaitState(id, 5);
    }

    @Test
    void aDeleteThatFailsStopsInFailedUndeployingNetsAndRecoverFinishesIt() {
        int id = service("[{\"Private\": {\"reserve_from\": \"0\", \"extra\": \"SIZE=2\\nSIM_NET_FAIL=delete\\n"
                + "SIM_NET_DELETE_SECONDS=0.2\"}}, {\"Public\": {\"id\": \"0\"}}]");
        awaitState(id, 2);
        int netId = network(server.body(id), "Private").path("id").asInt();
        assertEquals(204, api.delete("/service/" + id).status());
        awaitState(id, 14);
        assertEquals(0, role(server.body(id), "web").path("nodes").size(), "the VMs went first");
        assertEquals(409, api.delete("/service/" + id).status(), "delete is refused in a failed state");

        ApiClient.Response cleared = api.put("/sim/net/" + netId, "{\"attributes\": {\"SIM_NET_FAIL\": \"none\"}}");
        assertEquals(200, cleared.status(), cleared.body());
        assertEquals(204, recover(id, false).status());
        awaitState(id, 5);
        assertTrue(simNetworks().stream().noneMatch(n -> n.path("ID").asInt() == netId));
    }

    @Test
    void recoverDeleteEndsTheServiceAndReportsTheNetworkItCouldNotRemove() {
        int id = service("[{\"Private\": {\"reserve_from\": \"0\", \"extra\": \"SIZE=2\\nSIM_NET_FAIL=delete\\n"
                + "SIM_NET_DELETE_SECONDS=0.2\"}}, {\"Public\": {\"id\": \"0\"}}]");
        awaitState(id, 2);
        int netId = network(server.body(id), "Private").path("id").asInt();
        assertEquals(204, api.delete("/service/" + id).status());
        awaitState(id, 14);
        assertEquals(204, recover(id, true).status());
        awaitState(id, 5);
        assertTrue(messages(server.body(id)).stream().anyMatch(m -> m.startsWith("recover --delete could not remove "
                + "Network Private (" + netId + ")")), messages(server.body(id)).toString());
        assertTrue(network(server.body(id), "Private").path("left_behind").asBoolean());
    }

    @Test
    void vmsMadeLaterByScaleAndAddRoleAreOnTheServicesNetworks() {
        int id = service("[{\"Private\": {\"reserve_from\": \"0\", \"extra\": \"SIZE=8\\nSIM_NET_CREATE_SECONDS=0\"}},"
                + " {\"Public\": {\"id\": \"0\"}}]");
        awaitState(id, 2);
        String netId = Integer.toString(network(server.body(id), "Private").path("id").asInt());
        ApiClient.Response added = api.post("/service/" + id + "/role_action", "{\"action\": {\"perform\": "
                + "\"add_role\", \"params\": {\"role\": {\"name\": \"db\", \"type\": \"vm\", \"template_id\": 0,"
                + " \"cardinality\": 1, \"template_contents\": {\"NIC\": {\"NETWORK_ID\": \"$Private\"}}}}}}");
        assertEquals(204, added.status(), added.body());
        awaitState(id, 2);
        assertEquals(204, api.post("/service/" + id + "/scale", "{\"role_name\": \"web\", \"cardinality\": 3}")
                .status());
        await().atMost(WAIT).until(() -> server.state(id) == 10 && role(server.body(id), "web").path("nodes").size() == 3);
        int vms = 0;
        for (JsonNode vm : api.get("/sim/vm").json().path("VM")) {
            if (vm.path("USER_TEMPLATE").path("SERVICE_ID").asInt() == id) {
                vms++;
                assertEquals(netId, nicIds(vm.path("USER_TEMPLATE")).get(0), "on the reserved network: " + vm);
            }
        }
        assertEquals(4, vms);
    }

    @Test
    void theNetworksAServiceMadeFollowItsChown() {
        ApiClient.Response user = api.post("/sim/user", "{\"name\": \"netowner\", \"password\": \"pw\"}");
        assertEquals(201, user.status(), user.body());
        int uid = user.json().path("USER").path("ID").asInt();
        int id = service("[{\"Private\": {\"template_id\": \"0\", \"extra\": \"SIM_NET_CREATE_SECONDS=0\"}},"
                + " {\"Public\": {\"id\": \"0\"}}]");
        awaitState(id, 2);
        assertEquals(204, api.post("/service/" + id + "/action", "{\"action\": {\"perform\": \"chown\", "
                + "\"params\": {\"owner_id\": " + uid + "}}}").status());
        await().atMost(WAIT).until(() -> simNetworksNamed("Private-" + id).get(0).path("UNAME").asText()
                .equals("netowner"));
        assertEquals("oneadmin", simNetworks().stream().filter(n -> n.path("ID").asInt() == 0).findFirst()
                .orElseThrow().path("UNAME").asText(), "a network the service only uses keeps its owner");
    }

    @Test
    void networksValuesThatAreNotIdsAreRefusedAndNothingIsStored() {
        int before = api.get("/service").json().path("DOCUMENT_POOL").path("DOCUMENT").size();
        int template = server.createTemplate("{\"name\": \"bad-net\", \"roles\": [{\"name\": \"web\", \"type\": \"vm\","
                + " \"template_id\": 0, \"cardinality\": 1}]}");
        ApiClient.Response r = api.postJson("/service_template/" + template + "/action", "{\"action\": {\"perform\": "
                + "\"instantiate\", \"params\": {\"merge_template\": {\"networks_values\": [{\"Private\": "
                + "{\"template_id\": \"0; DROP\"}}]}}}}");
        assertEquals(400, r.status(), r.body());
        assertEquals("networks_values.Private.template_id", r.json().path("error").path("details").path("field")
                .asText(), r.body());
        assertEquals(before, api.get("/service").json().path("DOCUMENT_POOL").path("DOCUMENT").size());
    }

    private static List<String> nicIds(JsonNode contents) {
        List<String> ids = new ArrayList<>();
        JsonNode nics = contents.path("NIC");
        (nics.isArray() ? nics : List.of(nics)).forEach(n -> ids.add(n.path("NETWORK_ID").asText()));
        return ids;
    }
}
