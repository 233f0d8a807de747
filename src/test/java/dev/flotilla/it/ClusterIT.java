package dev.flotilla.it;

import com.fasterxml.jackson.databind.JsonNode;
import dev.flotilla.support.ApiClient;
import dev.flotilla.support.FrameListener;
import dev.flotilla.support.ServerProcess;
import dev.flotilla.support.TestDatabase;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.ServerSocket;
import java.net.URI;
import java.net.http.HttpClient;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Base64;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.TimeUnit;

import static org.awaitility.Awaitility.await;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * Three Flotilla nodes as separate processes on one PostgreSQL, with a clustered event bus
 * (issue 15): a workload spread over the nodes, one node SIGKILLed in the middle of deploys, a
 * batch and a scale; every service converges, no VM is made twice, every service has one live
 * owner, and a subscriber on another node got every event once, in order. Then a rolling restart of
 * every node under load loses nothing.
 */
class ClusterIT {
    private static final Duration WAIT = Duration.ofSeconds(90);
    private static TestDatabase db;
    private static final List<ServerProcess> nodes = new ArrayList<>();

    @BeforeAll
    static void start() {
        db = TestDatabase.fresh();
        List<Integer> ports = List.of(freePortPair(), freePortPair(), freePortPair());
        String members = String.join(",", ports.stream().map(p -> "127.0.0.1:" + p).toList());
        for (int i = 0; i < 3; i++) {
            Map<String, String> env = new HashMap<>();
            env.put("FLOTILLA_CLUSTER", "true");
            env.put("FLOTILLA_NODE_ID", "node-" + (char) ('a' + i));
            env.put("FLOTILLA_CLUSTER_PORT", Integer.toString(ports.get(i)));
            env.put("FLOTILLA_CLUSTER_MEMBERS", members);
            env.put("FLOTILLA_LEASE_TTL", "4");
            env.put("FLOTILLA_SIM_DEPLOY_SECONDS", "1");
            env.put("FLOTILLA_SIM_TERMINATE_SECONDS", "0.5");
            nodes.add(new ServerProcess(db, "cluster-it-" + (char) ('a' + i), env));
        }
        nodes.forEach(ServerProcess::start);
    }

    @AfterAll
    static void stop() {
        nodes.forEach(ServerProcess::close);
        db.close();
    }

    /** Two free consecutive ports: Hazelcast's and the event bus's. */
    private static int freePortPair() {
        for (int attempt = 0; attempt < 50; attempt++) {
            try (ServerSocket a = new ServerSocket(0)) {
                int port = a.getLocalPort();
                if (port < 65000) {
                    try (ServerSocket b = new ServerSocket(port + 1)) {
                        return port;
                    } catch (IOException taken) {
                        // try another pair
                    }
                }
            } catch (IOException e) {
                throw new UncheckedIOException(e);
            }
        }
        throw new IllegalStateException("no two free consecutive ports");
    }

    private static ApiClient api(int node) {
        return nodes.get(node).api();
    }

    private static JsonNode body(int node, int id) {
        return api(node).get("/service/" + id).json().path("DOCUMENT").path("TEMPLATE").path("BODY");
    }

    private static int state(int node, int id) {
        return body(node, id).path("state").asInt();
    }

    private static long count(String sql) {
        return nodes.get(0).count(sql);
    }

    private static FrameListener subscribe(int node) throws Exception {
        FrameListener frames = new FrameListener();
        HttpClient.newHttpClient().newWebSocketBuilder()
                .header("Authorization", "Basic " + Base64.getEncoder().encodeToString(
                        ("oneadmin:" + ServerProcess.PASSWORD).getBytes(StandardCharsets.UTF_8)))
                .buildAsync(URI.create(api(node).baseUrl().replace("http://", "ws://") + "/events"), frames)
                .get(10, TimeUnit.SECONDS);
        return frames;
    }

    /** A request that is retried (with its key) while a node is down or the ownership moves. */
    private static ApiClient.Response reliably(int node, String method, String path, String body, String key) {
        return CrashIT.reliably(api(node), method, path, body, key);
    }

    private static int instantiate(int node, int template, String key) {
        ApiClient.Response r = reliably(node, "POST", "/service_template/" + template + "/action",
                "{\"action\": {\"perform\": \"instantiate\"}}", key);
        assertEquals(201, r.status(), r.body());
        return r.json().path("DOCUMENT").path("ID").asInt();
    }

    @Test
    void aNodeKilledInTheMiddleOfTheWorkIsTakenOverAndNothingIsLostOrDoneTwice() throws Exception {
        FrameListener frames = subscribe(2);
        ApiClient.Response made = api(0).post("/service_template", """
                {"name": "cluster", "deployment": "straight", "roles": [
                  {"name": "db", "type": "vm", "template_id": 0, "cardinality": 1},
                  {"name": "web", "type": "vm", "template_id": 0, "cardinality": 2, "parents": ["db"], "cooldown": 0,
                   "min_vms": 1, "max_vms": 5}]}
                """);
        assertEquals(201, made.status(), made.body());
        int template = made.json().path("DOCUMENT").path("ID").asInt();

        // Every node takes a share of the work: a service belongs to the node that made it.
        List<Integer> services = new ArrayList<>();
        for (int i = 0; i < 9; i++) {
            int id = instantiate(i % 3, template, "cluster-" + i);
            services.add(id);
            assertEquals(200, api((i + 1) % 3).get("/service/" + id).status(), "read your writes on another node");
        }
        await().atMost(WAIT).pollInterval(Duration.ofMillis(200))
                .until(() -> services.stream().allMatch(id -> state(id % 3, id) == 2));
        assertEquals(3, count("SELECT count(DISTINCT owner_node) FROM services WHERE id IN (" + join(services) + ")"),
                "the work is spread over the nodes");

        // Node b's services: a batch of reboots, a scale asked through node a, and fresh deploys.
        List<Integer> ofB = owned("node-b").stream().filter(services::contains).toList();
        assertTrue(ofB.size() >= 3, "node b owns " + ofB);
        assertEquals(204, api(0).post("/service/" + ofB.get(0) + "/role/web/action", "{\"action\": {\"perform\": "
                + "\"reboot\", \"params\": {\"number\": 1, \"period\": 2}}}").status(), "routed to node b");
        assertEquals(204, api(0).post("/service/" + ofB.get(1) + "/scale",
                "{\"role_name\": \"web\", \"cardinality\": 4}").status(), "routed to node b");
        assertEquals(4, role(body(2, ofB.get(1)), "web").path("cardinality").asInt(),
                "asked through node a, read at once through node c");
        List<Integer> deploying = new ArrayList<>();
        for (int i = 0; i < 3; i++) {
            deploying.add(instantiate(1, template, "cluster-late-" + i));
        }
        services.addAll(deploying);

        long killedAt = System.nanoTime();
        nodes.get(1).kill();
        List<Integer> orphaned = new ArrayList<>(ofB);
        orphaned.addAll(deploying);
        await().atMost(WAIT).pollInterval(Duration.ofMillis(100)).until(() -> count(
                "SELECT count(*) FROM services WHERE owner_node = 'node-b'") == 0);
        double takeover = (System.nanoTime() - killedAt) / 1e9;
        System.out.printf("ClusterIT: node b's %d services taken over %.1f s after its SIGKILL (lease_ttl 4 s)%n",
                orphaned.size(), takeover);

        await().atMost(WAIT).pollInterval(Duration.ofMillis(200))
                .until(() -> services.stream().allMatch(id -> state(0, id) == 2));
        assertEquals(4, role(body(0, ofB.get(1)), "web").path("cardinality").asInt(), "the scale went on");
        await().atMost(WAIT).until(() -> count("SELECT count(*) FROM role_action_batches WHERE next_index < "
                + "cardinality(vm_ids)") == 0);

        // ---- the books must balance ----
        assertEquals(0, count("SELECT count(*) FROM (SELECT request_key FROM sim_vms GROUP BY 1 HAVING count(*) > 1) d"),
                "no VM made twice");
        for (int id : services) {
            JsonNode b = body(0, id);
            int members = 0;
            for (JsonNode r : b.path("roles")) {
                assertEquals(r.path("cardinality").asInt(), r.path("nodes").size(), "service " + id);
                members += r.path("nodes").size();
            }
            assertEquals(members, count("SELECT count(*) FROM sim_vms WHERE service_id = " + id + " AND state <> 6"),
                    "service " + id + " has exactly its members in the cloud");
        }
        assertEquals(0, count("SELECT count(*) FROM services s LEFT JOIN cluster_nodes n ON n.node_id = s.owner_node"
                + " WHERE n.expires_at IS NULL OR n.expires_at < now()"), "every service has one live owner");
        long batchesRun = count("SELECT count(*) FROM service_events WHERE service_id = " + ofB.get(0)
                + " AND message LIKE '%reboot done (batch%'");
        assertEquals(2, batchesRun, "each of the 2 reboot batches ran once");

        // Node c's subscriber got every event of these services once, in order.
        Set<Integer> ids = new HashSet<>(services);
        await().atMost(WAIT).until(() -> frames.frames.stream().filter(f -> ids.contains(f.path("service_id").asInt()))
                .count() >= count("SELECT count(*) FROM service_events WHERE service_id IN (" + join(services) + ")"));
        List<Long> seen = frames.frames.stream().filter(f -> ids.contains(f.path("service_id").asInt()))
                .map(f -> f.path("seq").asLong()).toList();
        assertEquals(longs("SELECT seq FROM service_events WHERE service_id IN (" + join(services) + ") ORDER BY seq"),
                seen, "every event once, in seq order");
    }

    @Test
    void aPausedNodeThatLostItsLeaseCommitsNothingForTheServicesTakenFromIt() {
        nodes.stream().filter(n -> !n.isAlive()).forEach(ServerProcess::start);
        ApiClient.Response made = api(2).post("/service_template", """
                {"name": "paused", "roles": [{"name": "r", "type": "vm", "template_id": 0, "cardinality": 1,
                  "cooldown": 0}]}
                """);
        int template = made.json().path("DOCUMENT").path("ID").asInt();
        int id = instantiate(2, template, "paused-1");
        await().atMost(WAIT).until(() -> state(2, id) == 2);
        assertEquals(1, count("SELECT count(*) FROM services WHERE id = " + id + " AND owner_node = 'node-c'"));

        nodes.get(2).pause(true);
        try {
            await().atMost(WAIT).pollInterval(Duration.ofMillis(200)).until(() -> count(
                    "SELECT count(*) FROM services WHERE id = " + id + " AND owner_node <> 'node-c'") == 1);
            // The new owner scales it while the old one is frozen with the service in its memory. (Asked of
            // the new owner itself: routing from a third node waits for the hung member, see README.)
            int owner = count("SELECT count(*) FROM services WHERE id = " + id + " AND owner_node = 'node-a'") == 1 ? 0 : 1;
            assertEquals(204, api(owner).post("/service/" + id + "/scale",
                    "{\"role_name\": \"r\", \"cardinality\": 3}").status());
        } finally {
            nodes.get(2).pause(false);
        }
        await().atMost(WAIT).until(() -> state(0, id) == 2
                && role(body(0, id), "r").path("nodes").size() == 3);
        // Woken by the VMs the scale made, the old owner finds the service is not its any more.
        await().atMost(WAIT).until(() -> nodes.get(2).log().contains("service=" + id + " is owned by node"));
        assertEquals(0, count("SELECT count(*) FROM services WHERE id = " + id + " AND owner_node = 'node-c'"),
                "the woken node did not take it back");
        assertEquals(3, count("SELECT count(*) FROM sim_vms WHERE service_id = " + id + " AND state <> 6"),
                "no VM made twice by the two owners");
    }

    @Test
    void aRollingRestartOfEveryNodeUnderLoadLosesNothing() {
        nodes.stream().filter(n -> !n.isAlive()).forEach(ServerProcess::start); // the other test kills one
        ApiClient.Response made = api(0).post("/service_template", """
                {"name": "rolling", "roles": [{"name": "r", "type": "vm", "template_id": 0, "cardinality": 2}]}
                """);
        int template = made.json().path("DOCUMENT").path("ID").asInt();
        List<Integer> services = new ArrayList<>();
        for (int round = 0; round < 3; round++) {
            for (int i = 0; i < 3; i++) {
                services.add(instantiate((round + 1) % 3, template, "rolling-" + round + "-" + i));
            }
            nodes.get(round).kill();
            nodes.get(round).start();
        }
        await().atMost(WAIT).pollInterval(Duration.ofMillis(200))
                .until(() -> services.stream().allMatch(id -> state(0, id) == 2));
        assertEquals(services.size(), count("SELECT count(*) FROM services WHERE id IN (" + join(services) + ")"));
        assertEquals(0, count("SELECT count(*) FROM (SELECT request_key FROM sim_vms GROUP BY 1 HAVING count(*) > 1) d"));
        for (int id : services) {
            assertEquals(2, count("SELECT count(*) FROM sim_vms WHERE service_id = " + id + " AND state <> 6"));
        }
    }

    private static List<Integer> owned(String node) {
        return longs("SELECT id FROM services WHERE owner_node = '" + node + "' ORDER BY id").stream()
                .map(Long::intValue).toList();
    }

    private static List<Long> longs(String sql) {
        dev.flotilla.store.Database database = new dev.flotilla.store.Database(db.url());
        try (java.sql.Connection c = java.sql.DriverManager.getConnection(database.jdbcUrl(),
                database.connectOptions().getUser(), database.connectOptions().getPassword());
             java.sql.Statement st = c.createStatement(); java.sql.ResultSet rs = st.executeQuery(sql)) {
            List<Long> out = new ArrayList<>();
            while (rs.next()) {
                out.add(rs.getLong(1));
            }
            return out;
        } catch (java.sql.SQLException e) {
            throw new IllegalStateException(e);
        }
    }

    private static JsonNode role(JsonNode body, String name) {
        for (JsonNode r : body.path("roles")) {
            if (r.path("name").asText().equals(name)) {
                return r;
            }
        }
        throw new AssertionError("no role " + name);
    }

    private static String join(List<Integer> ids) {
        return String.join(",", ids.stream().map(String::valueOf).toList());
    }
}
