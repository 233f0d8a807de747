package dev.flotilla.cli;

import com.fasterxml.jackson.databind.JsonNode;
import dev.flotilla.support.TestDatabase;
import dev.flotilla.support.TestServer;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import picocli.CommandLine;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

import static org.awaitility.Awaitility.await;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** Each command against a real server, asserting what a person sees: output, stderr and exit codes. */
class CliIT {
    private static TestDatabase db;
    private static TestServer server;
    private static Map<String, String> env;

    @TempDir
    static Path dir;

    @BeforeAll
    static void start() {
        db = TestDatabase.fresh();
        server = TestServer.start(db);
        env = new HashMap<>();
        env.put("ONEFLOW_URL", server.api().baseUrl());
        env.put("ONEFLOW_USER", "oneadmin");
        env.put("ONEFLOW_PASSWORD", TestServer.PASSWORD);
        env.put("HOME", dir.toString());
    }

    @AfterAll
    static void stop() {
        server.close();
        db.close();
    }

    record Run(int code, String out, String err) {
    }

    private static Run oneflow(String... args) {
        return run(new Oneflow(), env, args);
    }

    private static Run template(String... args) {
        return run(new OneflowTemplate(), env, args);
    }

    private static Run run(Object command, Map<String, String> environment, String... args) {
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        ByteArrayOutputStream err = new ByteArrayOutputStream();
        int code = Cli.run(command, args, environment, new PrintStream(out, true, StandardCharsets.UTF_8),
                new PrintStream(err, true, StandardCharsets.UTF_8));
        return new Run(code, out.toString(StandardCharsets.UTF_8), err.toString(StandardCharsets.UTF_8));
    }

    private static Path file(String name, String content) throws IOException {
        return Files.writeString(dir.resolve(name), content);
    }

    private static int createTemplate(String json) throws IOException {
        Run r = template("create", file("t" + System.nanoTime() + ".json", json).toString());
        assertEquals(0, r.code(), r.err());
        return Integer.parseInt(r.out().trim().replace("ID: ", ""));
    }

    private static int instantiate(int template, String name) {
        Run r = template("instantiate", Integer.toString(template), "--name", name, "--wait");
        assertEquals(0, r.code(), r.err());
        return Integer.parseInt(r.out().lines().findFirst().orElseThrow().replace("ID: ", ""));
    }

    @Test
    void templatesAndServicesAsAnOperatorSeesThem() throws IOException {
        int t = createTemplate("""
                {"name": "cli", "deployment": "straight", "roles": [
                  {"name": "db", "type": "vm", "template_id": 0, "cardinality": 1,
                   "template_contents": {"SIM_DEPLOY_SECONDS": "1.5"}},
                  {"name": "web", "type": "vm", "template_id": 0, "cardinality": 2, "parents": ["db"]}]}
                """);
        Run list = template("list");
        assertTrue(list.out().lines().findFirst().orElseThrow().matches("\\s*ID USER\\s+GROUP\\s+NAME\\s+REGTIME"),
                list.out());
        assertTrue(list.out().contains(" cli "), list.out());
        Run show = template("show", "cli");
        assertTrue(show.out().startsWith("SERVICE TEMPLATE " + t + " INFORMATION"), show.out());
        assertTrue(show.out().contains("TEMPLATE CONTENTS"));

        Run inst = template("instantiate", Integer.toString(t), "--name", "shop", "--wait");
        assertEquals(0, inst.code(), inst.err());
        List<String> lines = inst.out().lines().toList();
        int id = Integer.parseInt(lines.get(0).replace("ID: ", ""));
        assertTrue(lines.stream().anyMatch(l -> l.contains("DEPLOYING (db: ")), "progress is shown: " + lines);
        assertEquals("service " + id + ": RUNNING (db: RUNNING, web: RUNNING)", lines.get(lines.size() - 1));

        Run services = oneflow("list");
        List<String> rows = services.out().lines().toList();
        assertTrue(rows.get(0).matches("\\s*ID USER\\s+GROUP\\s+NAME\\s+STARTTIME STATE"), rows.get(0));
        String row = rows.stream().filter(l -> l.contains(" shop ")).findFirst().orElseThrow();
        assertTrue(row.matches("\\s*" + id + " oneadmin oneadmin shop\\s+\\d\\d/\\d\\d \\d\\d:\\d\\d:\\d\\d RUNNING"), row);

        Run detail = oneflow("show", Integer.toString(id));
        for (String section : List.of("SERVICE " + id + " INFORMATION", "PERMISSIONS", "ROLE db", "ROLE web",
                "NODES INFORMATION", "LOG MESSAGES")) {
            assertTrue(detail.out().contains(section), section + " in\n" + detail.out());
        }
        assertTrue(detail.out().contains("SERVICE STATE       : RUNNING"));
        assertTrue(detail.out().contains("PARENTS             : db"));
        assertTrue(detail.out().matches("(?s).*\\d\\d/\\d\\d/\\d\\d \\d\\d:\\d\\d \\[I\\] New state: RUNNING.*"));
        JsonNode json = Cli.parse(oneflow("show", "shop", "-j").out());
        assertEquals(Integer.toString(id), json.path("DOCUMENT").path("ID").asText());
        assertTrue(oneflow("list", "--yaml").out().contains("DOCUMENT_POOL"));

        assertEquals(0, template("clone", Integer.toString(t), "cli-copy").code());
        assertEquals(0, template("rename", "cli-copy", "cli-renamed").code());
        assertEquals(0, template("chmod", "cli-renamed", "640").code());
        assertTrue(template("show", "cli-renamed").out().contains("GROUP               : u--"));
        assertEquals(0, template("delete", "cli-renamed").code());
        assertEquals(0, template("update", Integer.toString(t), file("u.json", """
                {"name": "cli", "description": "v2", "roles": [{"name": "db", "type": "vm", "template_id": 0}]}
                """).toString()).code());
    }

    /** A service with a network it makes and one it uses as is, as {@code oneflow list} and {@code show} print them. */
    @Test
    void showPrintsTheServicesNetworksAndListNamesTheNetsStates() throws IOException {
        int t = createTemplate("""
                {"name": "cli-nets", "networks": {"Private": "M|network|Private||", "Public": "O|network|Public||id:0"},
                 "roles": [{"name": "web", "type": "vm", "template_id": 0, "cardinality": 1,
                   "template_contents": {"NIC": [{"NETWORK_ID": "$Private"}, {"NETWORK_ID": "$Public"}]}}]}
                """);
        Path values = file("nets.json", """
                {"networks_values": [{"Private": {"template_id": "0", "extra": "SIM_NET_CREATE_SECONDS=2"}},
                                     {"Public": {"id": "0"}}]}
                """);
        Run inst = template("instantiate", Integer.toString(t), values.toString(), "--name", "netted");
        assertEquals(0, inst.code(), inst.err());
        int id = Integer.parseInt(inst.out().trim().replace("ID: ", ""));
        // The network takes 2 s to be READY: until then the service is DEPLOYING_NETS.
        String deploying = serviceRow(oneflow("list"), "netted");
        assertTrue(deploying.matches("\\s*" + id + " oneadmin oneadmin netted\\s+\\S+ \\S+ DEPLOYING_NETS"), deploying);

        await().atMost(Duration.ofSeconds(30)).until(() -> server.state(id) == 2);
        String running = serviceRow(oneflow("list"), "netted");
        assertTrue(running.matches("\\s*" + id + " oneadmin oneadmin netted\\s+\\S+ \\S+ RUNNING"), running);

        String netId = server.body(id).path("service_networks").get(0).path("id").asText();
        Run show = oneflow("show", Integer.toString(id));
        assertEquals(0, show.code(), show.err());
        assertEquals(List.of(
                "NETWORKS",
                "NAME               ID SOURCE               STATE",
                String.format("Private         %5s template 0           READY", netId),
                "Public              0 existing             -"), section(show.out(), "NETWORKS"), show.out());
        assertTrue(show.out().indexOf("PERMISSIONS") < show.out().indexOf("NETWORKS")
                && show.out().indexOf("NETWORKS") < show.out().indexOf("ROLE web"), show.out());

        // Deleted: the made network is gone (DONE), the one it used is left as it was.
        Run delete = oneflow("delete", Integer.toString(id), "--wait");
        assertEquals(0, delete.code(), delete.err());
        assertTrue(delete.out().trim().endsWith("DONE (web: DONE)"), delete.out());
        List<String> gone = section(oneflow("show", Integer.toString(id)).out(), "NETWORKS");
        assertEquals(String.format("Private         %5s template 0           DONE", netId), gone.get(2));
        assertEquals("Public              0 existing             -", gone.get(3));
    }

    private static String serviceRow(Run list, String name) {
        assertEquals(0, list.code(), list.err());
        return list.out().lines().filter(l -> l.contains(" " + name + " ")).findFirst()
                .orElseThrow(() -> new AssertionError("no " + name + " in\n" + list.out()));
    }

    /** The lines of a section of {@code oneflow show}, from its title to the blank line after it. */
    private static List<String> section(String show, String title) {
        List<String> lines = show.lines().toList();
        int start = lines.indexOf(title);
        assertTrue(start >= 0, "no " + title + " in\n" + show);
        int end = start;
        while (end < lines.size() && !lines.get(end).isEmpty()) {
            end++;
        }
        return lines.subList(start, end);
    }

    @Test
    void errorsGoToStderrWithTheServersMessageAndTheHttpCode() {
        Run missing = oneflow("show", "424242");
        assertEquals(404, missing.code());
        assertEquals("[one.document.info] Error getting document [424242].", missing.err().trim());
        assertTrue(missing.out().isEmpty());

        Run byName = oneflow("show", "no-such-service");
        assertEquals(255, byName.code());
        assertEquals("SERVICE named no-such-service not found.", byName.err().trim());

        Run badCardinality = oneflow("scale", "1", "db", "many");
        assertEquals(255, badCardinality.code());
        assertEquals("Cardinality must be an integer number", badCardinality.err().trim());
        Run badAction = oneflow("action", "1", "db", "dance");
        assertEquals(255, badAction.code());
        assertTrue(badAction.err().startsWith("Action 'dance' is not supported. Supported actions: "));
        assertEquals(255, oneflow("chmod", "1", "9x9").code());
        Run usage = oneflow("scale", "1");
        assertEquals(255, usage.code());
        assertTrue(usage.err().contains("Usage: oneflow scale"), usage.err());

        Map<String, String> noAuth = Map.of("ONEFLOW_URL", env.get("ONEFLOW_URL"), "HOME", dir.resolve("nobody").toString());
        Run noCredentials = run(new Oneflow(), noAuth, "list");
        assertEquals(255, noCredentials.code());
        assertEquals("ONE_AUTH file not present", noCredentials.err().trim());
        Run down = run(new Oneflow(), Map.of("ONEFLOW_URL", "http://127.0.0.1:1", "ONEFLOW_USER", "u",
                "ONEFLOW_PASSWORD", "p"), "list");
        assertEquals(503, down.code());
        assertTrue(down.err().startsWith("Error connecting to server ("), down.err());
        assertTrue(down.err().contains("Server: 127.0.0.1:1"));
    }

    @Test
    void anotherUserSeesOnlyWhatTheyMayAndListsNameTheOwners() throws IOException {
        String[] zoe = {"-u", "zoe", "--password", "zoe-pw"};
        int uid = server.api().post("/sim/user", "{\"name\": \"zoe\", \"password\": \"zoe-pw\"}").json()
                .path("USER").path("ID").asInt();
        int adminsTemplate = createTemplate("""
                {"name": "admins-only", "roles": [{"name": "r", "type": "vm", "template_id": 0, "cardinality": 0}]}
                """);
        int admins = instantiate(adminsTemplate, "admins-svc");

        Path json = file("zoe.json", """
                {"name": "zoes", "roles": [{"name": "r", "type": "vm", "template_id": 0, "cardinality": 0}]}
                """);
        Run made = template(concat(new String[]{"create", json.toString()}, zoe));
        assertEquals(0, made.code(), made.err());
        String zoesTemplate = made.out().trim().replace("ID: ", "");
        Run instantiated = template(concat(new String[]{"instantiate", zoesTemplate, "--name", "zoe-svc"}, zoe));
        assertEquals(0, instantiated.code(), instantiated.err());

        Run list = oneflow(concat(new String[]{"list"}, zoe));
        assertEquals(0, list.code(), list.err());
        assertTrue(list.out().lines().anyMatch(l -> l.contains("zoe-svc") && l.contains(" zoe ")), list.out());
        assertTrue(list.out().lines().noneMatch(l -> l.contains("admins-svc")), "zoe sees only hers: " + list.out());
        assertTrue(template(concat(new String[]{"list"}, zoe)).out().lines().noneMatch(l -> l.contains("admins-only")));

        Run refused = oneflow(concat(new String[]{"show", Integer.toString(admins)}, zoe));
        assertEquals(403, refused.code());
        assertEquals("[one.document.info] User [" + uid + "] : Not authorized to perform USE DOCUMENT [" + admins + "].",
                refused.err().trim());
        Run all = oneflow("list");
        assertTrue(all.out().lines().anyMatch(l -> l.contains("zoe-svc") && l.contains(" zoe ")), all.out());
        assertTrue(all.out().lines().anyMatch(l -> l.contains("admins-svc") && l.contains(" oneadmin ")), all.out());
        // OneFlow's list options: columns, filters, CSV, no header.
        Run csv = oneflow("list", "-f", "USER=zoe", "-l", "NAME,USER", "--csv");
        assertEquals(0, csv.code(), csv.err());
        assertEquals("NAME,USER\nzoe-svc,zoe\n", csv.out());
        Run bare = template("list", "--no-header", "-l", "NAME", "-f", "USER!=oneadmin");
        assertEquals("zoes\n", bare.out());
        Run unknown = oneflow("list", "-l", "HOST");
        assertEquals(255, unknown.code());
        assertTrue(unknown.err().startsWith("Unknown column 'HOST'"), unknown.err());
    }

    private static String[] concat(String[] a, String[] b) {
        String[] out = java.util.Arrays.copyOf(a, a.length + b.length);
        System.arraycopy(b, 0, out, a.length, b.length);
        return out;
    }

    @Test
    void credentialsComeFromOneAuthWhenTheEnvironmentHasNone() throws IOException {
        Path auth = file("one_auth", "oneadmin:" + TestServer.PASSWORD + "\n");
        Run r = run(new Oneflow(), Map.of("ONEFLOW_URL", env.get("ONEFLOW_URL"), "ONE_AUTH", auth.toString()), "list");
        assertEquals(0, r.code(), r.err());
        Run wrong = run(new Oneflow(), Map.of("ONEFLOW_URL", env.get("ONEFLOW_URL"), "ONEFLOW_USER", "oneadmin",
                "ONEFLOW_PASSWORD", "nope"), "list");
        assertEquals(401, wrong.code());
        assertEquals("Invalid credentials", wrong.err().trim());
    }

    @Test
    void wrongStateActionsPrintTheServersMessageOnStdout() throws IOException {
        int t = createTemplate("{\"name\": \"ws\", \"roles\": [{\"name\": \"r\", \"type\": \"vm\", \"template_id\": 0,"
                + " \"cardinality\": 1}]}");
        int id = instantiate(t, "ws");
        Run recover = oneflow("recover", Integer.toString(id));
        assertEquals(409, recover.code());
        assertEquals("Service cannot be recovered in state: RUNNING", recover.out().trim());
        Run release = oneflow("release", Integer.toString(id));
        assertEquals(409, release.code());
        assertEquals("Service has no roles in HOLD", release.err().trim());
    }

    @Test
    void theSeedsRoleFileAndBatchedRebootAndTheRestOfTheCommands() throws IOException, InterruptedException {
        int t = createTemplate("{\"name\": \"my_service\", \"roles\": [{\"name\": \"my_role\", \"type\": \"vm\","
                + " \"template_id\": 0, \"cardinality\": 3, \"max_vms\": 3, \"cooldown\": 1}]}");
        int id = instantiate(t, "my_service");
        Path role = file("role.json", "{\"name\":\"MASTER\",\"cardinality\":1,\"vm_template\":0,\"min_vms\":1,"
                + "\"max_vms\":2,\"elasticity_policies\":[],\"scheduled_policies\":[]}");
        assertEquals(0, oneflow("add-role", Integer.toString(id), role.toString()).code());
        await().atMost(Duration.ofSeconds(30)).until(() -> server.state(id) == 2
                && server.body(id).get("roles").size() == 2);

        Run reboot = oneflow("action", "my_service", "my_role", "reboot", "-n", "2", "-p", "1");
        assertEquals(0, reboot.code(), reboot.out() + reboot.err());
        await().atMost(Duration.ofSeconds(30)).until(() -> messages(id).stream().anyMatch(m -> m.endsWith("(batch 2/2)")));
        assertTrue(messages(id).stream().anyMatch(m -> m.contains("in 2 batch(es) of 2 every 1 s")));

        assertEquals(0, oneflow("remove-role", Integer.toString(id), "MASTER").code());
        await().atMost(Duration.ofSeconds(30)).until(() -> server.state(id) == 2
                && server.body(id).get("roles").size() == 1);

        Run tooBig = oneflow("scale", Integer.toString(id), "my_role", "5");
        assertEquals(400, tooBig.code());
        assertEquals("Can't scale service " + id + ": Maximum cardinality is 3", tooBig.out().trim());
        Run forced = oneflow("scale", Integer.toString(id), "my_role", "4", "--force", "--wait");
        assertEquals(0, forced.code(), forced.err());
        assertTrue(forced.out().trim().endsWith("COOLDOWN (my_role: COOLDOWN)"), forced.out());
        await().atMost(Duration.ofSeconds(30)).until(() -> server.state(id) == 2);

        assertEquals(0, oneflow("service", "action", Integer.toString(id), "reboot", "-n", "0").code());
        assertEquals(0, oneflow("chmod", Integer.toString(id), "600").code());
        assertEquals(0, oneflow("chown", Integer.toString(id), "oneadmin", "oneadmin").code());
        assertEquals(0, oneflow("chgrp", Integer.toString(id), "0").code());
        assertEquals(0, oneflow("rename", Integer.toString(id), "renamed").code());
        assertEquals(0, oneflow("update", Integer.toString(id), file("append.json", "{\"description\": \"x\"}").toString(),
                "--append").code());
        assertEquals("x", server.body(id).get("description").asText());

        Run delete = oneflow("delete", Integer.toString(id), "--wait");
        assertEquals(0, delete.code(), delete.err());
        assertTrue(delete.out().contains("service " + id + ": UNDEPLOYING"), delete.out());
        assertTrue(delete.out().trim().endsWith("DONE (my_role: DONE)"), delete.out());
        assertEquals(0, oneflow("purge-done").code());
        assertFalse(oneflow("list").out().contains("renamed"));
        assertEquals(404, oneflow("show", Integer.toString(id)).code());
    }

    /** The real launcher, as a person runs it: the OS keeps the low 8 bits of the code (404 → 148). */
    @Test
    void theLauncherRunsTheToolsAndTopRefreshesUntilInterrupted() throws Exception {
        ProcessBuilder show = new ProcessBuilder("bin/oneflow", "show", "424242");
        show.environment().putAll(env);
        Process p = show.start();
        String err = new String(p.getErrorStream().readAllBytes(), StandardCharsets.UTF_8);
        assertEquals(148, p.waitFor());
        assertTrue(err.contains("Error getting document [424242]"), err);

        ProcessBuilder top = new ProcessBuilder("bin/oneflow", "top", "-d", "1");
        top.environment().putAll(env);
        Process running = top.start();
        try {
            java.io.InputStream in = running.getInputStream();
            StringBuilder seen = new StringBuilder();
            await().atMost(Duration.ofSeconds(30)).until(() -> {
                if (in.available() > 0) {
                    seen.append(new String(in.readNBytes(in.available()), StandardCharsets.UTF_8));
                }
                return seen.toString().split("STARTTIME STATE", -1).length > 2;
            });
        } finally {
            running.destroy();
        }
    }

    @Test
    void everyCommandHasHelp() {
        for (Object tool : List.of(new Oneflow(), new OneflowTemplate())) {
            CommandLine cmd = new CommandLine(tool);
            List<String[]> invocations = new ArrayList<>();
            invocations.add(new String[]{"--help"});
            cmd.getSubcommands().forEach((name, sub) -> {
                invocations.add(new String[]{name, "--help"});
                sub.getSubcommands().keySet().forEach(inner -> invocations.add(new String[]{name, inner, "--help"}));
            });
            for (String[] args : invocations) {
                Run r = run(tool, env, args);
                assertEquals(0, r.code(), String.join(" ", args));
                assertTrue(r.out().contains("Usage:"), String.join(" ", args) + ": " + r.out());
            }
        }
    }

    private static List<String> messages(int id) {
        List<String> out = new ArrayList<>();
        server.body(id).get("log").forEach(e -> out.add(e.get("message").asText()));
        return out;
    }

    /** The simulator's VM forced off behind the server's back shows in {@code oneflow drift} with its remedy. */
    @Test
    void driftListsAVmInAStateItsRoleDoesNotExpect() {
        int template = server.createTemplate("""
                {"name": "drift", "roles": [{"name": "r", "type": "vm", "template_id": 0, "cardinality": 1}]}
                """);
        int id = server.instantiate(template, null);
        org.awaitility.Awaitility.await().atMost(java.time.Duration.ofSeconds(30)).until(() -> server.state(id) == 2);
        int vm = server.body(id).path("roles").get(0).path("nodes").get(0).path("deploy_id").asInt();
        assertEquals(200, server.api().put("/sim/vm/" + vm, "{\"state\": \"POWEROFF\"}").status());
        org.awaitility.Awaitility.await().atMost(java.time.Duration.ofSeconds(30)).until(() -> server.state(id) == 4);
        Run drift = oneflow("drift");
        assertEquals(0, drift.code(), drift.err());
        assertTrue(drift.out().startsWith("KIND"), drift.out());
        assertTrue(drift.out().lines().anyMatch(l -> l.startsWith("UNEXPECTED_STATE") && l.contains(" " + vm + " ")
                && l.contains("POWEROFF") && l.contains("resume")), drift.out());
        assertEquals(200, server.api().put("/sim/vm/" + vm, "{\"state\": \"RUNNING\"}").status());
    }
}
