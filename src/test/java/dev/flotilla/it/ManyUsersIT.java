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
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;
import java.util.concurrent.TimeUnit;

import static org.awaitility.Awaitility.await;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * OpenNebula's permission model on every route (issue "many users"), with users made through the
 * simulator's /sim/user: alice and bob in devs, carol in ops, and oneadmin. Alice owns one service
 * and one template in each mode; every route is called by every user, and a refused call changes
 * nothing.
 */
class ManyUsersIT {
    private static final String[] MODES = {"600", "640", "644", "660", "604"};
    private static final Duration WAIT = Duration.ofSeconds(30);

    private static TestDatabase db;
    private static TestServer server;
    private static ApiClient admin;
    private static int devs;
    private static int ops;
    private static final Map<String, ApiClient> USERS = new LinkedHashMap<>();

    @BeforeAll
    static void start() {
        db = TestDatabase.fresh();
        server = TestServer.start(db);
        admin = server.api();
        devs = admin.post("/sim/group", "{\"name\": \"devs\"}").json().path("GROUP").path("ID").asInt();
        ops = admin.post("/sim/group", "{\"name\": \"ops\"}").json().path("GROUP").path("ID").asInt();
        user("alice", devs);
        user("bob", devs);
        user("carol", ops);
        USERS.put("oneadmin", admin);
    }

    private static void user(String name, int group) {
        ApiClient.Response made = admin.post("/sim/user", "{\"name\": \"" + name + "\", \"password\": \"" + name
                + "-pw\", \"groups\": [" + group + "]}");
        assertEquals(201, made.status(), made.body());
        USERS.put(name, admin.as(name, name + "-pw"));
    }

    @AfterAll
    static void stop() {
        server.close();
        db.close();
    }

    private static ApiClient.Response action(ApiClient as, String path, String perform, String params) {
        return as.post(path + "/action", "{\"action\": {\"perform\": \"" + perform + "\", \"params\": " + params + "}}");
    }

    /** Alice's template and a RUNNING service of hers, both in {@code mode}. */
    private static int[] alicesDocuments(String mode) {
        ApiClient alice = USERS.get("alice");
        ApiClient.Response made = alice.post("/service_template", """
                {"name": "t%s", "roles": [{"name": "r", "type": "vm", "template_id": 0, "cardinality": 0}]}
                """.formatted(mode));
        assertEquals(201, made.status(), made.body());
        int template = made.json().path("DOCUMENT").path("ID").asInt();
        ApiClient.Response service = action(alice, "/service_template/" + template, "instantiate", "{}");
        assertEquals(201, service.status(), service.body());
        int id = service.json().path("DOCUMENT").path("ID").asInt();
        await().atMost(WAIT).until(() -> alice.get("/service/" + id).json().path("DOCUMENT").path("TEMPLATE")
                .path("BODY").path("state").asInt() == 2);
        assertEquals(204, action(alice, "/service_template/" + template, "chmod", "{\"octet\": \"" + mode + "\"}").status());
        assertEquals(204, action(alice, "/service/" + id, "chmod", "{\"octet\": \"" + mode + "\"}").status());
        return new int[]{template, id};
    }

    /** What each user may do in each mode: U (use), M (manage), - (nothing); alice owns, bob shares her group. */
    private static String rights(String user, String mode) {
        if (user.equals("alice") || user.equals("oneadmin")) {
            return "UM";
        }
        int group = mode.charAt(1) - '0';
        int other = mode.charAt(2) - '0';
        int granted = other | (user.equals("bob") ? group : 0);
        return ((granted & 4) != 0 ? "U" : "-") + ((granted & 2) != 0 ? "M" : "-");
    }

    /**
     * One call per route; each is harmless when allowed (a bad parameter is a 400 after the
     * permission check passed), so a 403 can only come from the permission check.
     */
    private record Probe(String name, char needs, String method, String path, String body) {
    }

    private static List<Probe> probes(int template, int service) {
        String s = "/service/" + service;
        String t = "/service_template/" + template;
        String bogus = "{\"action\": {\"perform\": \"bogus\"}}";
        return List.of(
                new Probe("show service", 'U', "GET", s, null),
                new Probe("autoscaler", 'U', "GET", s + "/autoscaler", null),
                new Probe("update service", 'M', "PUT", s, "{\"roles\": 5}"),
                new Probe("service action", 'M', "POST", s + "/action", bogus),
                new Probe("scale", 'M', "POST", s + "/scale", "{\"role_name\": \"r\", \"cardinality\": \"x\"}"),
                new Probe("role_action", 'M', "POST", s + "/role_action", bogus),
                new Probe("role vm action", 'M', "POST", s + "/role/r/action", bogus),
                new Probe("cancel sched", 'M', "DELETE", s + "/sched_action/x", null),
                new Probe("cancel role sched", 'M', "DELETE", s + "/role/r/sched_action/x", null),
                new Probe("show template", 'U', "GET", t, null),
                new Probe("instantiate", 'U', "POST", t + "/action",
                        "{\"action\": {\"perform\": \"instantiate\", \"params\": {\"merge_template\": 5}}}"),
                new Probe("clone", 'U', "POST", t + "/action", "{\"action\": {\"perform\": \"clone\", \"params\": {}}}"),
                new Probe("template update", 'M', "POST", t + "/action",
                        "{\"action\": {\"perform\": \"update\", \"params\": {}}}"),
                new Probe("template rename", 'M', "POST", t + "/action",
                        "{\"action\": {\"perform\": \"rename\", \"params\": {}}}"),
                new Probe("replace template", 'M', "PUT", t, "{}"));
    }

    @Test
    void everyRouteAsEveryUserInEveryMode() {
        List<String> wrong = new ArrayList<>();
        for (String mode : MODES) {
            int[] docs = alicesDocuments(mode);
            String serviceBefore = admin.get("/service/" + docs[1]).body();
            String templateBefore = admin.get("/service_template/" + docs[0]).body();
            for (Map.Entry<String, ApiClient> user : USERS.entrySet()) {
                String rights = rights(user.getKey(), mode);
                for (Probe p : probes(docs[0], docs[1])) {
                    boolean allowed = rights.indexOf(p.needs()) >= 0;
                    ApiClient.Response r = user.getValue().send(p.method(), p.path(), p.body(), null);
                    boolean ok = allowed ? r.status() != 403 && r.status() != 404 : r.status() == 403;
                    if (!ok) {
                        wrong.add(mode + " " + user.getKey() + " " + p.name() + ": " + r.status() + " " + r.body());
                    }
                    if (!allowed && p.needs() == 'U' && r.status() == 403 && p.method().equals("GET")) {
                        int id = p.path().startsWith("/service/") ? docs[1] : docs[0];
                        assertEquals("[one.document.info] User [" + uid(user.getKey()) + "] : Not authorized to perform"
                                + " USE DOCUMENT [" + id + "].", r.body());
                    }
                }
            }
            assertEquals(serviceBefore, admin.get("/service/" + docs[1]).body(), "refused calls change nothing");
            assertEquals(templateBefore, admin.get("/service_template/" + docs[0]).body());

            // Deleting, last: refused for those who may not MANAGE, done by one who may.
            for (String user : List.of("bob", "carol")) {
                if (rights(user, mode).indexOf('M') < 0) {
                    assertEquals(403, USERS.get(user).delete("/service/" + docs[1]).status(), mode + " " + user);
                    assertEquals(403, USERS.get(user).delete("/service_template/" + docs[0]).status(), mode + " " + user);
                }
            }
            String deleter = rights("bob", mode).indexOf('M') >= 0 ? "bob" : "alice";
            assertEquals(204, USERS.get(deleter).delete("/service/" + docs[1]).status(), mode + " " + deleter);
            assertEquals(204, USERS.get(deleter).delete("/service_template/" + docs[0]).status(), mode + " " + deleter);
        }
        assertEquals(List.of(), wrong);
    }

    private static int uid(String user) {
        for (JsonNode u : admin.get("/sim/user").json().path("USER_POOL").path("USER")) {
            if (u.path("NAME").asText().equals(user)) {
                return u.path("ID").asInt();
            }
        }
        throw new AssertionError("no user " + user);
    }

    @Test
    void listsShowWhatTheUserMayUse() {
        Map<String, int[]> byMode = new LinkedHashMap<>();
        for (String mode : MODES) {
            byMode.put(mode, alicesDocuments(mode));
        }
        for (String user : List.of("alice", "bob", "carol", "oneadmin")) {
            Set<Integer> services = ids(USERS.get(user).get("/service").json().path("DOCUMENT_POOL").path("DOCUMENT"));
            Set<Integer> templates = ids(USERS.get(user).get("/service_template").json().path("DOCUMENT_POOL")
                    .path("DOCUMENT"));
            for (Map.Entry<String, int[]> e : byMode.entrySet()) {
                boolean use = rights(user, e.getKey()).contains("U");
                assertEquals(use, templates.contains(e.getValue()[0]), user + " template " + e.getKey());
                assertEquals(use, services.contains(e.getValue()[1]), user + " service " + e.getKey());
            }
        }
        byMode.values().forEach(d -> {
            USERS.get("alice").delete("/service/" + d[1]);
            USERS.get("alice").delete("/service_template/" + d[0]);
        });
    }

    private static Set<Integer> ids(JsonNode documents) {
        Set<Integer> out = new TreeSet<>();
        documents.forEach(d -> out.add(d.path("ID").asInt()));
        return out;
    }

    @Test
    void ownershipChangesFollowTheCoreRules() {
        ApiClient alice = USERS.get("alice");
        ApiClient bob = USERS.get("bob");
        int[] docs = alicesDocuments("660");
        String s = "/service/" + docs[1];
        ApiClient.Response giveAway = action(alice, s, "chown", "{\"owner_id\": " + uid("bob") + "}");
        assertEquals(403, giveAway.status(), "only oneadmin gives documents away");
        assertEquals(403, action(alice, s, "chgrp", "{\"group_id\": " + ops + "}").status(), "alice is not in ops");
        assertEquals(204, action(bob, s, "chmod", "{\"octet\": \"664\"}").status(), "MANAGE is enough for u/m bits");
        assertEquals(403, action(bob, s, "chmod", "{\"octet\": \"764\"}").status(), "an admin bit needs ADMIN");
        assertEquals(204, action(admin, s, "chown", "{\"owner_id\": " + uid("carol") + ", \"group_id\": " + ops + "}")
                .status());
        JsonNode doc = admin.get(s).json().path("DOCUMENT");
        assertEquals("carol", doc.path("UNAME").asText());
        assertEquals("ops", doc.path("GNAME").asText());
        assertEquals(200, USERS.get("carol").get(s).status(), "the new owner sees it");
        assertEquals(200, bob.get(s).status(), "bob still may: the other bits are r");
        assertEquals(204, action(admin, s, "chmod", "{\"octet\": \"600\"}").status());
        assertEquals(403, bob.get(s).status());
        assertEquals(403, alice.get(s).status(), "alice gave it away");
    }

    @Test
    void aServicesVmsBelongToItsOwnerAndFollowAChown() {
        ApiClient alice = USERS.get("alice");
        int template = alice.post("/service_template", """
                {"name": "with-vm", "roles": [{"name": "r", "type": "vm", "template_id": 0, "cardinality": 1}]}
                """).json().path("DOCUMENT").path("ID").asInt();
        int id = action(alice, "/service_template/" + template, "instantiate", "{}").json().path("DOCUMENT")
                .path("ID").asInt();
        await().atMost(WAIT).until(() -> admin.get("/service/" + id).json().path("DOCUMENT").path("TEMPLATE")
                .path("BODY").path("state").asInt() == 2);
        int vm = admin.get("/service/" + id).json().path("DOCUMENT").path("TEMPLATE").path("BODY").path("roles")
                .get(0).path("nodes").get(0).path("deploy_id").asInt();
        JsonNode before = admin.get("/sim/vm/" + vm).json().path("VM");
        assertEquals("alice", before.path("UNAME").asText());
        assertEquals(devs, before.path("GID").asInt());

        assertEquals(204, action(admin, "/service/" + id, "chown", "{\"owner_id\": " + uid("carol") + ", \"group_id\": "
                + ops + "}").status());
        await().atMost(WAIT).until(() -> admin.get("/sim/vm/" + vm).json().path("VM").path("UNAME").asText()
                .equals("carol"));
        assertEquals(ops, admin.get("/sim/vm/" + vm).json().path("VM").path("GID").asInt());
    }

    @Test
    void purgeDoneRemovesOnlyWhatTheCallerMayManage() {
        ApiClient alice = USERS.get("alice");
        int[] mine = alicesDocuments("644");
        assertEquals(204, alice.delete("/service/" + mine[1]).status());
        await().atMost(WAIT).until(() -> admin.get("/service/" + mine[1]).json().path("DOCUMENT").path("TEMPLATE")
                .path("BODY").path("state").asInt() == 5);
        assertEquals(204, USERS.get("carol").post("/service_pool/purge_done", "{}").status());
        assertEquals(200, admin.get("/service/" + mine[1]).status(), "carol may not manage alice's DONE service");
        assertEquals(204, alice.post("/service_pool/purge_done", "{}").status());
        assertEquals(404, admin.get("/service/" + mine[1]).status());
    }

    @Test
    void adminRoutesAreAdminsOnly() {
        ApiClient carol = USERS.get("carol");
        for (String path : List.of("/sim/user", "/sim/group", "/sim/vm", "/sim/template", "/drift")) {
            assertEquals(403, carol.get(path).status(), path);
        }
        assertEquals(403, carol.post("/sim/user", "{\"name\": \"mallory\", \"password\": \"x\"}").status());
        ApiClient.Response badGroup = admin.post("/sim/user", "{\"name\": \"dave\", \"password\": \"x\", \"groups\": [999]}");
        assertEquals(400, badGroup.status());
        assertTrue(badGroup.body().contains("No such group"), badGroup.body());
        assertEquals(400, admin.post("/sim/user", "{\"name\": \"a:b\", \"password\": \"x\"}").status());
        ApiClient.Response dave = admin.post("/sim/user", "{\"name\": \"dave\", \"password\": \"dave-pw\"}");
        assertEquals(201, dave.status(), dave.body());
        assertEquals(1, dave.json().path("USER").path("GID").asInt(), "users without groups join 'users'");
        assertEquals(200, admin.as("dave", "dave-pw").get("/service").status());
        ApiClient.Response again = admin.post("/sim/user", "{\"name\": \"dave\", \"password\": \"other\"}");
        assertEquals(409, again.status());
        assertEquals("NAME is already taken by USER 'dave'", again.body());
        assertEquals(200, admin.as("dave", "dave-pw").get("/service").status(), "the refused create changed nothing");
        assertEquals(409, admin.post("/sim/group", "{\"name\": \"devs\"}").status());
        int daves = admin.as("dave", "dave-pw").post("/service_template", """
                {"name": "daves", "roles": [{"name": "r", "type": "vm", "template_id": 0, "cardinality": 0}]}
                """).json().path("DOCUMENT").path("ID").asInt();
        int daveId = dave.json().path("USER").path("ID").asInt();
        ApiClient.Response owns = admin.delete("/sim/user/" + daveId);
        assertEquals(409, owns.status());
        assertTrue(owns.body().contains("still owns services or templates"), owns.body());
        assertEquals(200, admin.as("dave", "dave-pw").get("/service").status(), "dave is still there");
        assertEquals(204, admin.delete("/service_template/" + daves).status());
        assertEquals(204, admin.delete("/sim/user/" + daveId).status());
        assertEquals(401, admin.as("dave", "dave-pw").get("/service").status());
        assertEquals(403, admin.delete("/sim/user/0").status(), "oneadmin stays");
    }

    @Test
    void repeatedWrongPasswordsAreSlowedDownAndTheRightOneWorksAfterTheWait() {
        admin.post("/sim/user", "{\"name\": \"erin\", \"password\": \"erin-pw\"}");
        ApiClient guesser = admin.as("erin", "guess");
        for (int i = 0; i < 5; i++) {
            assertEquals(401, guesser.get("/service").status(), "guess " + (i + 1));
        }
        ApiClient.Response locked = admin.as("erin", "erin-pw").get("/service");
        assertEquals(429, locked.status(), "even the right password waits: " + locked.body());
        assertNotNull(locked.header("Retry-After"));
        assertTrue(Integer.parseInt(locked.header("Retry-After")) >= 1);
        assertEquals(200, admin.get("/service").status(), "other users are not locked out");
        await().atMost(Duration.ofSeconds(20)).pollInterval(Duration.ofMillis(500))
                .until(() -> admin.as("erin", "erin-pw").get("/service").status() == 200);
    }

    @Test
    void browserSessionsNeedTheirCsrfTokenAndPagesOfOtherSitesAreRefused() {
        ApiClient anonymous = admin.anonymous();
        ApiClient.Response signIn = anonymous.post("/session", "{\"user\": \"bob\", \"password\": \"bob-pw\"}");
        assertEquals(201, signIn.status(), signIn.body());
        String cookie = signIn.header("Set-Cookie");
        assertTrue(cookie.contains("HttpOnly") && cookie.contains("SameSite=Strict"), cookie);
        assertEquals("bob", signIn.json().path("user").path("name").asText());
        String csrf = signIn.json().path("csrf_token").asText();
        ApiClient browser = anonymous.withHeader("Cookie", cookie.substring(0, cookie.indexOf(';')));

        assertEquals(200, browser.get("/service").status(), "reads need only the cookie");
        assertEquals(csrf, browser.get("/session").json().path("csrf_token").asText(), "a reloaded page gets it back");
        String template = "{\"name\": \"b\", \"roles\": [{\"name\": \"r\", \"type\": \"vm\", \"template_id\": 0,"
                + " \"cardinality\": 0}]}";
        ApiClient.Response forged = browser.post("/service_template", template);
        assertEquals(403, forged.status(), "a change without the session's CSRF token: " + forged.body());
        assertEquals(403, browser.withHeader("X-CSRF-Token", "guess").post("/service_template", template).status());
        assertEquals(201, browser.withHeader("X-CSRF-Token", csrf).post("/service_template", template).status());

        // Another site's page, with whatever the browser attaches by itself, changes nothing.
        String host = admin.baseUrl().substring("http://".length());
        assertEquals(403, admin.withHeader("Origin", "http://evil.example").post("/service_template", template).status());
        assertEquals(403, admin.withHeader("Sec-Fetch-Site", "cross-site").post("/service_pool/purge_done", "{}").status());
        assertEquals(201, admin.withHeader("Origin", "http://" + host).post("/service_template", template).status(),
                "the server's own pages may");

        assertEquals(204, browser.withHeader("X-CSRF-Token", csrf).delete("/session").status());
        assertEquals(401, browser.get("/service").status(), "signed out: the cookie is worth nothing now");
        assertEquals(401, anonymous.post("/session", "{\"user\": \"bob\", \"password\": \"nope\"}").status());
    }

    private static WebSocket listen(String user, String password, String query, FrameListener frames) throws Exception {
        String base = admin.baseUrl().replace("http://", "ws://");
        return HttpClient.newHttpClient().newWebSocketBuilder()
                .header("Authorization", "Basic " + Base64.getEncoder().encodeToString(
                        (user + ":" + password).getBytes(StandardCharsets.UTF_8)))
                .buildAsync(URI.create(base + "/events" + query), frames).get(10, TimeUnit.SECONDS);
    }

    /** A RUNNING service of {@code user}'s own, made from a template of theirs. */
    private static int ownService(String user) {
        ApiClient as = USERS.get(user);
        int template = as.post("/service_template", """
                {"name": "own", "roles": [{"name": "r", "type": "vm", "template_id": 0, "cardinality": 0}]}
                """).json().path("DOCUMENT").path("ID").asInt();
        return action(as, "/service_template/" + template, "instantiate", "{}").json().path("DOCUMENT").path("ID")
                .asInt();
    }

    @Test
    void theStreamShowsCarolNothingOfAlicesServiceUntilItIsShared() throws Exception {
        ApiClient alice = USERS.get("alice");
        FrameListener carol = new FrameListener();
        WebSocket carolSocket = listen("carol", "carol-pw", "", carol);
        FrameListener watcher = new FrameListener();
        WebSocket adminSocket = listen("oneadmin", TestServer.PASSWORD, "", watcher);

        int[] docs = alicesDocuments("600");
        int id = docs[1];
        await().atMost(WAIT).until(() -> watcher.any(id));
        // Events reach a socket in order: once carol has an event of her own service made after
        // alice's, anything of alice's she could see would have come before it.
        int clock = ownService("carol");
        await().atMost(WAIT).until(() -> carol.any(clock));
        assertFalse(carol.any(id), "carol saw alice's private service: " + carol.frames);

        assertEquals(204, action(alice, "/service/" + id, "chmod", "{\"octet\": \"604\"}").status());
        assertEquals(204, alice.post("/service/" + id + "/scale", "{\"role_name\": \"r\", \"cardinality\": 1}").status());
        await().atMost(WAIT).until(() -> carol.any(id));

        // A replay filters the same way: bob (group devs; 604 gives everyone USE) gets alice's events,
        // carol no longer once alice takes the other bits away.
        FrameListener bob = new FrameListener();
        WebSocket bobSocket = listen("bob", "bob-pw", "?since=0", bob);
        await().atMost(WAIT).until(() -> bob.any(id));
        assertEquals(204, action(alice, "/service/" + id, "chmod", "{\"octet\": \"600\"}").status());
        FrameListener late = new FrameListener();
        WebSocket lateSocket = listen("carol", "carol-pw", "?since=0", late);
        await().atMost(WAIT).until(() -> late.any(clock));
        assertFalse(late.any(id), "a replay shows carol only what she may use now");
        for (WebSocket ws : List.of(carolSocket, adminSocket, bobSocket, lateSocket)) {
            ws.sendClose(WebSocket.NORMAL_CLOSURE, "bye").join();
        }
    }
}
