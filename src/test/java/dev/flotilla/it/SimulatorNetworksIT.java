package dev.flotilla.it;

import com.fasterxml.jackson.databind.JsonNode;
import dev.flotilla.cloud.CloudDriver;
import dev.flotilla.cloud.CloudRefusedException;
import dev.flotilla.cloud.NetworkRequest;
import dev.flotilla.cloud.sim.Outage;
import dev.flotilla.cloud.sim.SimulatorDriver;
import dev.flotilla.cloud.sim.SimulatorRepository;
import dev.flotilla.config.FlotillaConfig;
import dev.flotilla.domain.NetworkSource;
import dev.flotilla.domain.NetworkStates;
import dev.flotilla.store.Database;
import dev.flotilla.support.ApiClient;
import dev.flotilla.support.TestDatabase;
import dev.flotilla.support.TestServer;
import io.vertx.core.Future;
import io.vertx.core.Vertx;
import io.vertx.sqlclient.Pool;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

import java.time.Clock;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.UUID;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;

import static org.awaitility.Awaitility.await;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * The simulator's virtual networks: the driver's network calls against a real database (as the
 * engine makes them) and what an admin sees and changes over HTTP at {@code /sim/net} and
 * {@code /sim/net-template}, both on the same database.
 */
class SimulatorNetworksIT {
    private static final Duration DEADLINE = Duration.ofSeconds(15);
    private static TestDatabase db;
    private static TestServer server;
    private static ApiClient api;
    private static Vertx vertx;
    private static Pool pool;
    private static Outage outage;
    private static CloudDriver driver;

    @BeforeAll
    static void start() {
        db = TestDatabase.fresh();
        server = TestServer.start(db);
        api = server.api();
        vertx = Vertx.vertx();
        pool = new Database(db.url()).pool(vertx, 4);
        outage = new Outage(vertx);
        driver = new SimulatorDriver(new SimulatorRepository(pool),
                new FlotillaConfig.SimulatorSettings(0.3, 0.3, 0, "fail", 0), outage, Clock.systemUTC());
    }

    @AfterAll
    static void stop() throws Exception {
        if (pool != null) {
            pool.close().toCompletionStage().toCompletableFuture().get(10, TimeUnit.SECONDS);
        }
        if (vertx != null) {
            vertx.close().toCompletionStage().toCompletableFuture().get(10, TimeUnit.SECONDS);
        }
        server.close();
        db.close();
    }

    private static <T> T join(Future<T> future) {
        try {
            return future.toCompletionStage().toCompletableFuture().get(20, TimeUnit.SECONDS);
        } catch (ExecutionException e) {
            throw e.getCause() instanceof RuntimeException r ? r : new IllegalStateException(e.getCause());
        } catch (Exception e) {
            throw new IllegalStateException(e);
        }
    }

    private static String newKey() {
        return "net-it-" + UUID.randomUUID();
    }

    private static NetworkRequest request(String key, NetworkSource source, int sourceId, String extra) {
        return new NetworkRequest(key, source, sourceId, "private-" + key.substring(7, 13), extra, 42, "anna", 100,
                false);
    }

    private static int created(NetworkRequest request) {
        CloudDriver.Instantiated made = join(driver.createNetwork(request));
        assertNull(made.error(), made.error());
        assertEquals(request.requestKey(), made.requestKey());
        assertNotNull(made.vmId());
        return made.vmId();
    }

    private static int state(String key, Integer id) {
        return join(driver.network(key, id)).state();
    }

    private static void awaitState(String key, int id, int expected) {
        await().atMost(DEADLINE).pollInterval(Duration.ofMillis(50)).until(() -> state(key, id) == expected);
    }

    private static JsonNode listed(int id) {
        for (JsonNode net : api.get("/sim/net").json().path("VNET")) {
            if (net.path("ID").asInt() == id) {
                return net;
            }
        }
        return null;
    }

    private static int netTemplate(String attributes) {
        ApiClient.Response r = api.post("/sim/net-template", "{\"name\": \"t\", \"attributes\": " + attributes + "}");
        assertEquals(201, r.status(), r.body());
        return r.json().path("VNTEMPLATE").path("ID").asInt();
    }

    /** A 400 naming {@code field} in the JSON error body. */
    private static void assertInvalid(String method, String path, String body, String field) {
        ApiClient.Response r = api.send(method, path, body, "application/json");
        assertEquals(400, r.status(), r.body());
        assertEquals(field, r.json().path("error").path("details").path("field").asText(), r.body());
    }

    @Test
    void networkZeroAndNetworkTemplateZeroAreThereFromTheStart() {
        JsonNode zero = api.get("/sim/net/0").json().path("VNET");
        assertEquals(0, zero.path("ID").asInt());
        assertEquals("sim-net", zero.path("NAME").asText());
        assertEquals(NetworkStates.READY, zero.path("STATE").intValue());
        assertEquals("READY", zero.path("STATE_NAME").asText());
        assertTrue(zero.path("PARENT_NETWORK_ID").isNull());
        assertTrue(zero.path("REQUEST_KEY").isNull());
        assertEquals(0, api.get("/sim/net").json().path("VNET").get(0).path("ID").asInt());
        assertEquals(new CloudDriver.NetworkSeen(0, NetworkStates.READY), join(driver.network(null, 0)));

        JsonNode template = api.get("/sim/net-template").json().path("VNTEMPLATE").get(0);
        assertEquals(0, template.path("ID").asInt());
        assertEquals("sim-net-template", template.path("NAME").asText());
        assertEquals(0, template.path("TEMPLATE").size());

        ApiClient.Response missing = api.get("/sim/net/999999");
        assertEquals(404, missing.status());
        assertEquals("[one.vn.info] Error getting virtual network [999999].", missing.body());
        assertEquals(400, api.get("/sim/net/abc").status());
        assertEquals(400, api.get("/sim/net/-1").status());
    }

    @Test
    void aNetworkFromATemplateIsLockedThenReadyAndMadeOncePerRequestKey() {
        String key = newKey();
        NetworkRequest request = request(key, NetworkSource.TEMPLATE, 0,
                "SIM_NET_CREATE_SECONDS = \"3\"\nSIM_NET_DELETE_SECONDS=0.3\nAR=[TYPE=\"IP4\", SIZE=\"8\"]\n");
        int id = created(request);
        assertTrue(id >= 1, "network 0 is the seeded one");
        assertEquals(NetworkStates.LOCK_CREATE, state(key, id));
        JsonNode shown = api.get("/sim/net/" + id).json().path("VNET");
        assertEquals("LOCK_CREATE", shown.path("STATE_NAME").asText());
        assertEquals(request.name(), shown.path("NAME").asText());
        assertEquals(0, shown.path("TEMPLATE_ID").intValue());
        assertTrue(shown.path("PARENT_NETWORK_ID").isNull());
        assertEquals("anna", shown.path("UNAME").asText());
        assertEquals(100, shown.path("GID").intValue());
        assertEquals(key, shown.path("REQUEST_KEY").asText());
        assertEquals("3", shown.path("TEMPLATE").path("SIM_NET_CREATE_SECONDS").asText());
        assertFalse(shown.path("TEMPLATE").has("AR"), "vectors are not kept");

        // Asked again (after a crash, or twice at once): the same network, never a second one.
        assertEquals(id, created(request));
        List<Future<CloudDriver.Instantiated>> racing = new ArrayList<>();
        String raced = newKey();
        for (int i = 0; i < 6; i++) {
            racing.add(driver.createNetwork(request(raced, NetworkSource.TEMPLATE, 0, "")));
        }
        int racedId = join(Future.all(racing)).<CloudDriver.Instantiated>resultAt(0).vmId();
        racing.forEach(f -> assertEquals(racedId, f.result().vmId()));
        assertEquals(new CloudDriver.NetworkSeen(id, NetworkStates.LOCK_CREATE), join(driver.network(key, null)),
                "found by its request key when its id is not known");

        awaitState(key, id, NetworkStates.READY);
        assertEquals(NetworkStates.READY, listed(id).path("STATE").intValue());

        join(driver.chownNetworks(List.of(id), 0, 7));
        JsonNode chowned = api.get("/sim/net/" + id).json().path("VNET");
        assertEquals("oneadmin", chowned.path("UNAME").asText());
        assertEquals(7, chowned.path("GID").intValue());

        assertEquals(CloudDriver.TerminateOutcome.TERMINATING, join(driver.deleteNetwork(key, id)));
        awaitState(key, id, NetworkStates.DONE);
        assertNull(listed(id), "a deleted network is not listed");
        assertEquals(404, api.get("/sim/net/" + id).status());
        assertEquals(new CloudDriver.NetworkSeen(id, NetworkStates.DONE), join(driver.network(key, null)));
        assertEquals(CloudDriver.TerminateOutcome.TERMINATING, join(driver.deleteNetwork(key, null)),
                "deleting again what is gone changes nothing");
    }

    @Test
    void aReservationComesFromAReadyParentWithTheRequestsAttributes() {
        String key = newKey();
        int id = created(request(key, NetworkSource.RESERVE, 0,
                "SIZE=5\nNAME=\"private-77\"\nSIM_NET_CREATE_SECONDS=0\n"));
        awaitState(key, id, NetworkStates.READY);
        JsonNode shown = api.get("/sim/net/" + id).json().path("VNET");
        assertEquals(0, shown.path("PARENT_NETWORK_ID").intValue());
        assertTrue(shown.path("TEMPLATE_ID").isNull());
        assertEquals("5", shown.path("TEMPLATE").path("SIZE").asText());

        // A parent still being made, or unknown, cannot be reserved from, as oned answers.
        String lockedKey = newKey();
        int locked = created(request(lockedKey, NetworkSource.TEMPLATE, 0, "SIM_NET_CREATE_SECONDS=60"));
        for (int parent : new int[]{locked, 999999}) {
            String refusedKey = newKey();
            CloudDriver.Instantiated refused = join(driver.createNetwork(request(refusedKey, NetworkSource.RESERVE,
                    parent, "SIZE=1")));
            assertNull(refused.vmId());
            assertEquals("[one.vn.reserve] Error getting virtual network [" + parent + "].", refused.error());
            assertEquals(new CloudDriver.NetworkSeen(null, NetworkStates.DONE), join(driver.network(refusedKey, null)));
        }
        join(driver.deleteNetwork(lockedKey, locked));
    }

    @Test
    void anUnknownNetworkTemplateIsRefusedAsOnedRefusesIt() {
        String key = newKey();
        CloudDriver.Instantiated refused = join(driver.createNetwork(request(key, NetworkSource.TEMPLATE, 999999, "")));
        assertNull(refused.vmId());
        assertEquals("[one.vntemplate.instantiate] Error getting virtual network template [999999].", refused.error());
        assertEquals(new CloudDriver.NetworkSeen(null, NetworkStates.DONE), join(driver.network(key, null)));
        assertEquals(new CloudDriver.NetworkSeen(999999, NetworkStates.DONE), join(driver.network(key, 999999)));
        assertEquals(CloudDriver.TerminateOutcome.NOT_FOUND, join(driver.deleteNetwork(key, null)));
        assertEquals(CloudDriver.TerminateOutcome.NOT_FOUND, join(driver.deleteNetwork(null, 999999)));
    }

    @Test
    void simNetFailCreateFromTheTemplateEndsInErrorUnlessTheExtraTextSaysOtherwise() {
        int template = netTemplate("{\"SIM_NET_FAIL\": \"create\", \"SIM_NET_CREATE_SECONDS\": 0.2,"
                + " \"SIM_NET_DELETE_SECONDS\": 0.2}");
        String failing = newKey();
        int failed = created(request(failing, NetworkSource.TEMPLATE, template, ""));
        String spared = newKey();
        int ready = created(request(spared, NetworkSource.TEMPLATE, template, "SIM_NET_FAIL=none"));
        awaitState(failing, failed, NetworkStates.ERROR);
        awaitState(spared, ready, NetworkStates.READY);
        assertEquals("ERROR", listed(failed).path("STATE_NAME").asText());

        // A network that failed to be made can be deleted.
        assertEquals(CloudDriver.TerminateOutcome.TERMINATING, join(driver.deleteNetwork(failing, failed)));
        awaitState(failing, failed, NetworkStates.DONE);
        join(driver.deleteNetwork(spared, ready));
        awaitState(spared, ready, NetworkStates.DONE);
    }

    @Test
    void simNetFailDeleteKeepsTheNetworkInErrorUntilAnAdminClearsIt() {
        String key = newKey();
        int id = created(request(key, NetworkSource.TEMPLATE, 0,
                "SIM_NET_FAIL=delete\nSIM_NET_CREATE_SECONDS=0.2\nSIM_NET_DELETE_SECONDS=0.2"));
        awaitState(key, id, NetworkStates.READY);
        join(driver.deleteNetwork(key, id));
        awaitState(key, id, NetworkStates.ERROR);
        // Deleting again starts over, on the timing the network says now, and fails again while the fault is set.
        assertEquals(200, api.put("/sim/net/" + id, "{\"attributes\": {\"SIM_NET_DELETE_SECONDS\": 2}}").status());
        assertEquals(CloudDriver.TerminateOutcome.TERMINATING, join(driver.deleteNetwork(key, id)));
        assertEquals(NetworkStates.LOCK_DELETE, listed(id).path("STATE").intValue());
        awaitState(key, id, NetworkStates.ERROR);

        assertInvalid("PUT", "/sim/net/" + id, "{\"attributes\": {\"SIM_NET_FAIL\": \"later\"}}",
                "attributes.SIM_NET_FAIL");
        assertInvalid("PUT", "/sim/net/" + id, "{\"attributes\": {\"SIM_NET_DELETE_SECONDS\": -1}}",
                "attributes.SIM_NET_DELETE_SECONDS");
        assertInvalid("PUT", "/sim/net/" + id, "{}", "attributes");
        assertEquals(404, api.put("/sim/net/999999", "{\"attributes\": {}}").status());
        ApiClient.Response cleared = api.put("/sim/net/" + id,
                "{\"attributes\": {\"SIM_NET_FAIL\": null, \"NOTE\": \"fixed\"}}");
        assertEquals(200, cleared.status(), cleared.body());
        JsonNode attributes = cleared.json().path("VNET").path("TEMPLATE");
        assertFalse(attributes.has("SIM_NET_FAIL"));
        assertEquals("fixed", attributes.path("NOTE").asText());
        assertEquals(2, attributes.path("SIM_NET_DELETE_SECONDS").intValue());
        assertEquals("ERROR", cleared.json().path("VNET").path("STATE_NAME").asText(),
                "clearing the fault does not undo the failure: the next delete succeeds");

        join(driver.deleteNetwork(null, id));
        awaitState(key, id, NetworkStates.DONE);
        assertNull(listed(id));
        assertEquals(new CloudDriver.NetworkSeen(id, NetworkStates.DONE), join(driver.network(key, null)));
    }

    @Test
    void simNetFailNoneClearsTheFaultToo() {
        String key = newKey();
        int id = created(request(key, NetworkSource.TEMPLATE, 0,
                "SIM_NET_FAIL=delete\nSIM_NET_CREATE_SECONDS=0\nSIM_NET_DELETE_SECONDS=0"));
        join(driver.deleteNetwork(key, id));
        awaitState(key, id, NetworkStates.ERROR);
        assertEquals(200, api.put("/sim/net/" + id, "{\"attributes\": {\"SIM_NET_FAIL\": \"none\"}}").status());
        join(driver.deleteNetwork(key, id));
        awaitState(key, id, NetworkStates.DONE);
    }

    @Test
    void networkTemplatesAreCreatedCheckedAndReplaced() {
        int id = netTemplate("{\"SIM_NET_CREATE_SECONDS\": \"2\", \"VN_MAD\": \"bridge\"}");
        assertTrue(id >= 1);
        assertInvalid("POST", "/sim/net-template", "{\"attributes\": {}}", "name");
        assertInvalid("POST", "/sim/net-template", "{\"name\": \"x\", \"attributes\": [1]}", "attributes");
        assertInvalid("POST", "/sim/net-template", "{\"name\": \"x\", \"attributes\":"
                + " {\"SIM_NET_CREATE_SECONDS\": -1}}",
                "attributes.SIM_NET_CREATE_SECONDS");
        assertInvalid("POST", "/sim/net-template", "{\"name\": \"x\", \"attributes\":"
                + " {\"SIM_NET_DELETE_SECONDS\": 604801}}",
                "attributes.SIM_NET_DELETE_SECONDS");
        assertInvalid("POST", "/sim/net-template", "{\"name\": \"x\", \"attributes\":"
                + " {\"SIM_NET_FAIL\": \"always\"}}",
                "attributes.SIM_NET_FAIL");

        ApiClient.Response replaced = api.put("/sim/net-template/" + id,
                "{\"attributes\": {\"SIM_NET_FAIL\": \"create\", \"SIM_NET_CREATE_SECONDS\": 0}}");
        assertEquals(200, replaced.status(), replaced.body());
        JsonNode attributes = replaced.json().path("VNTEMPLATE").path("TEMPLATE");
        assertEquals("create", attributes.path("SIM_NET_FAIL").asText());
        assertFalse(attributes.has("VN_MAD"), "replaced, not merged");
        JsonNode listedTemplate = null;
        for (JsonNode t : api.get("/sim/net-template").json().path("VNTEMPLATE")) {
            if (t.path("ID").asInt() == id) {
                listedTemplate = t;
            }
        }
        assertNotNull(listedTemplate);
        assertEquals("create", listedTemplate.path("TEMPLATE").path("SIM_NET_FAIL").asText());
        assertEquals(404, api.put("/sim/net-template/999999", "{\"attributes\": {}}").status());
        assertEquals(400, api.put("/sim/net-template/x", "{\"attributes\": {}}").status());
        assertInvalid("PUT", "/sim/net-template/" + id, "{\"attributes\": \"SIM_NET_FAIL=create\"}", "attributes");

        // Networks made after the change follow the new attributes.
        String key = newKey();
        int net = created(request(key, NetworkSource.TEMPLATE, id, ""));
        awaitState(key, net, NetworkStates.ERROR);
    }

    @Test
    void everyNetworkCallFailsDuringASimulatedOutageAndNothingIsMade() {
        String key = newKey();
        outage.start(Outage.Mode.FAIL, 60);
        try {
            RuntimeException failed = assertThrows(RuntimeException.class,
                    () -> join(driver.createNetwork(request(key, NetworkSource.TEMPLATE, 0, ""))));
            assertFalse(failed instanceof CloudRefusedException, "an outage is not a refusal");
            assertTrue(failed.getMessage().contains("simulated outage"), failed.getMessage());
            assertThrows(RuntimeException.class, () -> join(driver.network(key, null)));
            assertThrows(RuntimeException.class, () -> join(driver.deleteNetwork(key, null)));
            assertThrows(RuntimeException.class, () -> join(driver.chownNetworks(List.of(0), 0, 0)));
        } finally {
            outage.end();
        }
        assertEquals(new CloudDriver.NetworkSeen(null, NetworkStates.DONE), join(driver.network(key, null)));
        int id = created(request(key, NetworkSource.TEMPLATE, 0, "SIM_NET_CREATE_SECONDS=0"));
        awaitState(key, id, NetworkStates.READY);
        join(driver.deleteNetwork(key, id));
    }

    @Test
    void theSeededNetworkCannotBeDeleted() {
        RuntimeException refused = assertThrows(RuntimeException.class, () -> join(driver.deleteNetwork(null, 0)));
        assertInstanceOf(CloudRefusedException.class, refused);
        assertEquals(NetworkStates.READY, state(null, 0));
    }
}
