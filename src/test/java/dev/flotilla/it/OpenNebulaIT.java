package dev.flotilla.it;

import com.fasterxml.jackson.databind.JsonNode;
import dev.flotilla.support.ApiClient;
import dev.flotilla.support.FakeOned;
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

/**
 * The OpenNebula driver against the fake oned (an in-memory OpenNebula core that OneFlow's own
 * server runs against unchanged): the seed's story, failures in OpenNebula's own words, VMs
 * changed behind Flotilla's back, identities from oned, and the core calls a service costs.
 */
class OpenNebulaIT {
    private static final Duration WAIT = Duration.ofSeconds(40);
    private static final int DONE_VM = 6;

    private static FakeOned oned;
    private static TestDatabase db;
    private static TestServer server;
    private static ApiClient admin;

    @BeforeAll
    static void start() {
        oned = new FakeOned(true);
        db = TestDatabase.fresh();
        server = TestServer.start(db, oned.env());
        admin = server.api().as("oneadmin", "opennebula");
    }

    @AfterAll
    static void stop() {
        server.close();
        db.close();
        oned.close();
    }

    static int template(ApiClient api, String json) {
        ApiClient.Response r = api.postJson("/service_template", json);
        assertEquals(201, r.status(), r.body());
        return r.json().path("DOCUMENT").path("ID").asInt();
    }

    static int instantiate(ApiClient api, int template, String merge) {
        ApiClient.Response r = api.postJson("/service_template/" + template + "/action",
                "{\"action\":{\"perform\":\"instantiate\",\"params\":" + (merge == null ? "{}"
                        : "{\"merge_template\":" + merge + "}") + "}}");
        assertEquals(201, r.status(), r.body());
        return r.json().path("DOCUMENT").path("ID").asInt();
    }

    static JsonNode body(ApiClient api, int id) {
        return api.get("/service/" + id).json().path("DOCUMENT").path("TEMPLATE").path("BODY");
    }

    static int state(ApiClient api, int id) {
        return body(api, id).path("state").asInt();
    }

    static JsonNode role(ApiClient api, int id, String name) {
        for (JsonNode r : body(api, id).path("roles")) {
            if (r.path("name").asText().equals(name)) {
                return r;
            }
        }
        return null;
    }

    static List<String> log(ApiClient api, int id) {
        List<String> out = new ArrayList<>();
        body(api, id).path("log").forEach(e -> out.add(e.path("message").asText()));
        return out;
    }

    /** The VMs oned holds for a service, by role, that are not DONE. */
    static Map<String, List<FakeOned.Vm>> liveVms(int service) {
        Map<String, List<FakeOned.Vm>> out = new HashMap<>();
        for (FakeOned.Vm vm : oned.vms()) {
            if (String.valueOf(service).equals(vm.serviceId()) && vm.state() != DONE_VM) {
                out.computeIfAbsent(vm.role(), k -> new ArrayList<>()).add(vm);
            }
        }
        return out;
    }

    private static final String STORY = """
            {"name": "story", "deployment": "straight", "roles": [
              {"name": "db", "type": "vm", "template_id": 0, "cardinality": 1},
              {"name": "web", "type": "vm", "template_id": 0, "cardinality": 2, "parents": ["db"],
               "min_vms": 1, "max_vms": 4, "cooldown": 0,
               "template_contents": {"MEMORY": "256", "CONTEXT": {"ROLE": "web"}}}]}
            """;

    @Test
    void theSeedsStoryRunsOnOpenNebula() {
        int template = template(admin, STORY);
        int id = instantiate(admin, template, "{\"name\": \"shop\"}");
        await().atMost(WAIT).until(() -> state(admin, id) == 2);
        Map<String, List<FakeOned.Vm>> vms = liveVms(id);
        assertEquals(1, vms.get("db").size());
        assertEquals(2, vms.get("web").size());
        Set<Integer> shown = new HashSet<>();
        body(admin, id).path("roles").forEach(r -> r.path("nodes").forEach(n -> shown.add(n.path("deploy_id").asInt())));
        Set<Integer> inOned = new HashSet<>();
        vms.values().forEach(list -> list.forEach(vm -> inOned.add(vm.id())));
        assertEquals(inOned, shown, "the nodes shown are oned's VMs");
        assertTrue(oned.vms().stream().filter(vm -> String.valueOf(id).equals(vm.serviceId()))
                .allMatch(vm -> vm.requestKey() != null && vm.owner().equals("oneadmin")));

        // A batched role action: one VM per batch, the next a second later.
        ApiClient.Response reboot = admin.postJson("/service/" + id + "/role/web/action",
                "{\"action\": {\"perform\": \"reboot\", \"params\": {\"number\": 1, \"period\": 1}}}");
        assertEquals(204, reboot.status(), reboot.body());
        await().atMost(WAIT).until(() -> log(admin, id).stream().filter(m -> m.contains("reboot done")).count() == 2);

        // Scale out and back.
        assertEquals(204, admin.postJson("/service/" + id + "/scale",
                "{\"role_name\": \"web\", \"cardinality\": 3}").status());
        await().atMost(WAIT).until(() -> state(admin, id) == 2 && liveVms(id).get("web").size() == 3);
        assertEquals(204, admin.postJson("/service/" + id + "/scale",
                "{\"role_name\": \"web\", \"cardinality\": 2}").status());
        await().atMost(WAIT).until(() -> state(admin, id) == 2 && liveVms(id).get("web").size() == 2);

        // Add a role, then remove it.
        assertEquals(204, admin.postJson("/service/" + id + "/role_action", """
                {"action": {"perform": "add_role", "params": {"role":
                  {"name": "cache", "type": "vm", "template_id": 1, "cardinality": 1, "parents": ["db"]}}}}
                """).status());
        await().atMost(WAIT).until(() -> state(admin, id) == 2 && liveVms(id).containsKey("cache"));
        assertEquals(204, admin.postJson("/service/" + id + "/role_action",
                "{\"action\": {\"perform\": \"remove_role\", \"params\": {\"role\": \"cache\"}}}").status());
        await().atMost(WAIT).until(() -> state(admin, id) == 2 && !liveVms(id).containsKey("cache"));

        // Delete, then purge.
        assertEquals(204, admin.delete("/service/" + id).status());
        await().atMost(WAIT).until(() -> state(admin, id) == 5);
        assertTrue(liveVms(id).isEmpty(), "every VM terminated in oned");
        assertEquals(204, admin.postJson("/service_pool/purge_done", "{}").status());
        assertEquals(404, admin.get("/service/" + id).status());
    }

    @Test
    void aDeployFailureIsReportedInOpenNebulasWordsAndRecoverDeleteClearsIt() {
        int template = template(admin, """
                {"name": "failing", "roles": [{"name": "r", "type": "vm", "template_id": 0, "cardinality": 1,
                  "template_contents": {"FAKE_DEPLOY_FAILURE": "YES"}}]}
                """);
        int id = instantiate(admin, template, null);
        await().atMost(WAIT).until(() -> state(admin, id) == 7);
        assertEquals(7, role(admin, id, "r").path("state").asInt(), "role FAILED_DEPLOYING");
        assertTrue(log(admin, id).stream().anyMatch(m -> m.contains("ACTIVE/BOOT_FAILURE")), log(admin, id).toString());
        assertEquals(204, admin.postJson("/service/" + id + "/action",
                "{\"action\": {\"perform\": \"recover\", \"params\": {\"delete\": true}}}").status());
        await().atMost(WAIT).until(() -> state(admin, id) == 5);
        assertTrue(liveVms(id).isEmpty(), "the failed VM was removed from oned");
    }

    /** A virtual network template of oned's, made as oneadmin. */
    private static int vnTemplate(String name) {
        return (Integer) oned.ok("one.vntemplate.allocate", "oneadmin:opennebula",
                "NAME = \"" + name + "\"\nBRIDGE = \"br1\"\nVN_MAD = \"dummy\"");
    }

    /** oned's VNET document of a network, or null when oned no longer knows it. */
    private static String vnet(int id) {
        List<Object> answer = oned.call("one.vn.info", "oneadmin:opennebula", id);
        return Boolean.TRUE.equals(answer.get(0)) ? (String) answer.get(1) : null;
    }

    private static String xmlValue(String xml, String tag) {
        java.util.regex.Matcher m = java.util.regex.Pattern.compile("<" + tag + ">(?:<!\\[CDATA\\[)?(.*?)(?:\\]\\]>)?</"
                + tag + ">").matcher(xml);
        return m.find() ? m.group(1) : null;
    }

    private static JsonNode network(int id, String name) {
        for (JsonNode n : body(admin, id).path("service_networks")) {
            if (n.path("name").asText().equals(name)) {
                return n;
            }
        }
        throw new AssertionError("no network " + name);
    }

    @Test
    void everyWayOfGettingANetworkWorksOnOpenNebulaAndOnlyTheMadeOnesAreDeleted() {
        int vnTemplate = vnTemplate("private-net");
        int template = template(admin, """
                {"name": "networked", "networks": {"Private": "M|network|Private||", "Res": "M|network|Res||",
                  "Public": "M|network|Public||"},
                 "roles": [{"name": "web", "type": "vm", "template_id": 0, "cardinality": 1,
                   "template_contents": {"NIC": [{"NETWORK_ID": "$Private"}, {"NETWORK_ID": "$Res"},
                     {"NETWORK_ID": "$Public"}]}}]}
                """);
        int id = instantiate(admin, template, "{\"networks_values\": [{\"Private\": {\"template_id\": \"" + vnTemplate
                + "\", \"extra\": \"DESCRIPTION=\\\"made for a service\\\"\"}}, {\"Res\": {\"reserve_from\": \"0\", "
                + "\"extra\": \"SIZE=2\"}}, {\"Public\": {\"id\": \"0\"}}]}");
        await().atMost(WAIT).until(() -> state(admin, id) == 2);

        int privateId = network(id, "Private").path("id").asInt();
        int reservedId = network(id, "Res").path("id").asInt();
        String privateXml = vnet(privateId);
        assertEquals("Private-" + id, xmlValue(privateXml, "NAME"));
        assertEquals("oneadmin", xmlValue(privateXml, "UNAME"), "made as the service's owner, not the server");
        assertEquals("made for a service", xmlValue(privateXml, "DESCRIPTION"), "the extra template is applied");
        assertEquals("1", xmlValue(privateXml, "STATE"), "READY");
        String reservedXml = vnet(reservedId);
        assertEquals("Res-" + id, xmlValue(reservedXml, "NAME"));
        assertEquals("0", xmlValue(reservedXml, "PARENT_NETWORK_ID"));

        FakeOned.Vm vm = liveVms(id).get("web").get(0);
        String vmXml = (String) oned.ok("one.vm.info", "oneadmin:opennebula", vm.id());
        List<String> nics = new ArrayList<>();
        java.util.regex.Matcher m = java.util.regex.Pattern.compile("<NETWORK_ID>(?:<!\\[CDATA\\[)?([0-9]+)")
                .matcher(vmXml);
        while (m.find()) {
            nics.add(m.group(1));
        }
        assertEquals(List.of(Integer.toString(privateId), Integer.toString(reservedId), "0"), nics,
                "the VM's NICs are on the networks the service got");

        assertEquals(204, admin.delete("/service/" + id).status());
        await().atMost(WAIT).until(() -> state(admin, id) == 5);
        assertTrue(log(admin, id).contains("New state: UNDEPLOYING_NETS"), log(admin, id).toString());
        assertEquals(null, vnet(privateId), "the network made from the template is deleted");
        assertEquals(null, vnet(reservedId), "the reservation is deleted");
        assertTrue(vnet(0) != null, "the existing network is left alone");
    }

    @Test
    void aNetworkOnedRefusesFailsDeployingNetsAndRecoverMakesItOnceTheCauseIsGone() {
        // The next network template oned will make does not exist yet: oned refuses it for now.
        int missing = vnTemplate("placeholder") + 1;
        int template = template(admin, """
                {"name": "refused-net", "roles": [{"name": "web", "type": "vm", "template_id": 0, "cardinality": 1,
                  "template_contents": {"NIC": {"NETWORK_ID": "$Private"}}}]}
                """);
        int id = instantiate(admin, template, "{\"networks_values\": [{\"Private\": {\"template_id\": \"" + missing
                + "\"}}]}");
        await().atMost(WAIT).until(() -> state(admin, id) == 13);
        assertTrue(log(admin, id).stream().anyMatch(m -> m.contains("Network Private could not be created: [one.")
                && m.contains("[" + missing + "]")), log(admin, id).toString());
        assertTrue(liveVms(id).isEmpty(), "no VM without its network");

        assertEquals(missing, vnTemplate("now-there"));
        assertEquals(204, admin.postJson("/service/" + id + "/action",
                "{\"action\": {\"perform\": \"recover\"}}").status());
        await().atMost(WAIT).until(() -> state(admin, id) == 2);
        JsonNode made = network(id, "Private");
        assertEquals(2, made.path("attempt").asInt());
        assertEquals("Private-" + id, xmlValue(vnet(made.path("id").asInt()), "NAME"));
    }

    @Test
    void vmsChangedBehindFlotillasBackFollowTheRules() {
        int template = template(admin, """
                {"name": "watched", "roles": [{"name": "r", "type": "vm", "template_id": 0, "cardinality": 2}]}
                """);
        int id = instantiate(admin, template, null);
        await().atMost(WAIT).until(() -> state(admin, id) == 2);
        List<FakeOned.Vm> vms = liveVms(id).get("r");
        int first = vms.get(0).id();
        int second = vms.get(1).id();

        oned.call("fake.set_vm_state", first, "POWEROFF", "LCM_INIT");
        await().atMost(WAIT).until(() -> state(admin, id) == 4);
        oned.call("fake.set_vm_state", first, "ACTIVE", "RUNNING");
        await().atMost(WAIT).until(() -> state(admin, id) == 2);

        oned.call("fake.set_vm_state", first, "ACTIVE", "UNKNOWN");
        await().atMost(WAIT).until(() -> state(admin, id) == 4);
        oned.call("fake.set_vm_state", first, "ACTIVE", "RUNNING");
        await().atMost(WAIT).until(() -> state(admin, id) == 2);

        // Deleted in oned: the VM leaves its role, as OneFlow does.
        oned.call("fake.set_vm_state", second, "DONE", "LCM_INIT");
        await().atMost(WAIT).until(() -> role(admin, id, "r").path("cardinality").asInt() == 1);
        assertEquals(2, state(admin, id));
    }

    /** Each user reaches oned as themselves: the call log names the effective user of each VM created. */
    @Test
    void twoUsersReachOnedAsThemselves() {
        oned.ok("one.user.allocate", "oneadmin:opennebula", "alice", "alice-pw", "core", "");
        oned.ok("one.template.chmod", "oneadmin:opennebula", 1, -1, -1, -1, -1, -1, -1, 1, -1, -1);
        ApiClient alice = admin.as("alice", "alice-pw");
        assertEquals(401, admin.as("alice", "wrong").get("/service").status());
        ApiClient.Response driftForAlice = alice.get("/drift");
        assertEquals(403, driftForAlice.status(), "the drift report shows every user's VMs: oneadmin only");
        assertTrue(driftForAlice.body().contains("Only oneadmin may see the drift report"), driftForAlice.body());

        int mine = instantiate(admin, template(admin, """
                {"name": "admins", "roles": [{"name": "r", "type": "vm", "template_id": 1, "cardinality": 1}]}
                """), null);
        int hers = instantiate(alice, template(alice, """
                {"name": "alices", "roles": [{"name": "r", "type": "vm", "template_id": 1, "cardinality": 1}]}
                """), null);
        assertEquals("alice", alice.get("/service/" + hers).json().path("DOCUMENT").path("UNAME").asText(),
                "oned's user name");
        await().atMost(WAIT).until(() -> state(admin, mine) == 2 && state(alice, hers) == 2);
        assertEquals("oneadmin", liveVms(mine).get("r").get(0).owner());
        assertEquals("alice", liveVms(hers).get("r").get(0).owner(), "her VM is hers");
        // Permissions are the core's with oned's users too: oneadmin's service is not alice's to see.
        ApiClient.Response refused = alice.get("/service/" + mine);
        assertEquals(403, refused.status());
        assertTrue(refused.body().startsWith("[one.document.info] User ["), refused.body());
        List<Integer> listed = new ArrayList<>();
        alice.get("/service").json().path("DOCUMENT_POOL").path("DOCUMENT").forEach(d -> listed.add(d.path("ID").asInt()));
        assertEquals(List.of(hers), listed, "alice's list holds only what she may use");
        assertTrue(oned.calls().stream().anyMatch(l -> l.contains("one.template.instantiate")
                && l.contains("\"alice\"")), "the call log shows alice as the effective user");
    }

    @Test
    void theDriftReportSaysWhereOnedAndFlotillaDisagree() {
        int id = instantiate(admin, template(admin, """
                {"name": "drifting", "roles": [{"name": "r", "type": "vm", "template_id": 0, "cardinality": 1}]}
                """), null);
        await().atMost(WAIT).until(() -> state(admin, id) == 2);
        int member = liveVms(id).get("r").get(0).id();
        // A VM made in OpenNebula by hand that says it belongs to the service.
        Object stray = oned.ok("one.template.instantiate", "oneadmin:opennebula", 0, "stray", false,
                "SERVICE_ID=\"" + id + "\"\nROLE_NAME=\"r\"", false);
        oned.call("fake.set_vm_state", member, "POWEROFF", "LCM_INIT");
        await().atMost(WAIT).until(() -> state(admin, id) == 4);

        JsonNode health = admin.get("/health").json();
        assertEquals("ok", health.path("status").asText(), health.toString());
        assertEquals("opennebula", health.path("cloud").path("driver").asText(), health.toString());
        JsonNode drift = admin.get("/drift").json().path("DRIFT");
        Map<String, JsonNode> byKind = new HashMap<>();
        drift.forEach(f -> {
            if (f.path("SERVICE_ID").asInt() == id) {
                byKind.put(f.path("KIND").asText(), f);
            }
        });
        assertEquals(((Number) stray).intValue(), byKind.get("STRAY_VM").path("VM_ID").asInt(), drift.toString());
        assertEquals(member, byKind.get("UNEXPECTED_STATE").path("VM_ID").asInt(), drift.toString());
        assertTrue(byKind.get("UNEXPECTED_STATE").path("REMEDY").asText().contains("resume"));
        // The operator deletes the stray by hand (whatever state it has reached by now).
        oned.call("fake.set_vm_state", stray, "DONE", "LCM_INIT");
        oned.call("fake.set_vm_state", member, "ACTIVE", "RUNNING");
        await().atMost(WAIT).until(() -> state(admin, id) == 2);
    }
}
