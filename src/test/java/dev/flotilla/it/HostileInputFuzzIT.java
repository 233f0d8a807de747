package dev.flotilla.it;

import com.fasterxml.jackson.core.json.JsonWriteFeature;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.ObjectWriter;
import dev.flotilla.domain.ServiceState;
import dev.flotilla.store.Database;
import dev.flotilla.support.RawHttp;
import dev.flotilla.support.TestDatabase;
import dev.flotilla.support.TestServer;
import org.awaitility.core.ConditionTimeoutException;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

import java.io.File;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.SocketTimeoutException;
import java.net.URLDecoder;
import java.net.URLEncoder;
import java.nio.ByteBuffer;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Objects;
import java.util.Random;
import java.util.Set;
import java.util.TreeMap;
import java.util.TreeSet;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Collectors;
import java.util.stream.IntStream;
import java.util.stream.Stream;

import static java.nio.charset.StandardCharsets.ISO_8859_1;
import static java.nio.charset.StandardCharsets.UTF_16;
import static java.nio.charset.StandardCharsets.UTF_8;
import static org.awaitility.Awaitility.await;
import static org.junit.jupiter.api.Assertions.fail;

/**
 * A seeded fuzz test of every REST route. Each case takes a route's valid request ({@link #ROUTES}) and
 * changes one thing: a JSON field (also inside JSON carried as a string), the JSON, the content type, a path
 * parameter, the query, the Idempotency-Key, the credentials, the bytes on the wire or the method; then
 * {@link #judge} checks the answer and the stored state. Destructive requests only reach a target service and
 * a spare template; the main service must be RUNNING at the end. Requests go over a raw socket, so a finding
 * shows what was sent byte for byte. Replay a run with -Dfuzz.seed=N -Dfuzz.cases=M.
 */
class HostileInputFuzzIT {
    private static final String MALFORMED_CHUNK = "Transfer-Encoding: chunked";

    private static final long SEED = Long.getLong("fuzz.seed", 20_261_202L);
    private static final int CASES = Integer.getInteger("fuzz.cases", 3000);
    private static final int ANSWER_MS = 10_000;
    /** Instant simulator, no autoscaler pass: stored state moves only when a request moves it. */
    // Wrong credentials are one of the fuzzed inputs; the lockout they would cause (and the 429s
    // for every client on this address) is ManyUsersIT's subject, not this one's.
    private static final Map<String, String> ENV = Map.of("FLOTILLA_SIM_DEPLOY_SECONDS", "0",
            "FLOTILLA_SIM_TERMINATE_SECONDS", "0", "FLOTILLA_AUTOSCALER_INTERVAL", "3600",
            "FLOTILLA_SIGNIN_FREE_FAILURES", "0");
    private static final File UPLOADS = new File("file-uploads"); // where Vert.x would write uploads
    private static final ObjectMapper MAPPER = new ObjectMapper();
    /** Non-ASCII escaped, so names and strings with unpaired surrogates reach the server as they are. */
    private static final ObjectWriter ESCAPING = MAPPER.writer()
            .with(JsonWriteFeature.ESCAPE_NON_ASCII.mappedFeature());
    private static final String AUTH = RawHttp.basic("oneadmin", TestServer.PASSWORD);

    // ---- routes and their valid requests (bodies written with ' for ") -------------------------------------

    private static final String WEB_DB = """
            {'name': 'fz-web-db', 'deployment': 'straight', 'roles': [
              {'name': 'db', 'type': 'vm', 'template_id': 0, 'cardinality': 1, 'min_vms': 1, 'max_vms': 2,
               'cooldown': 0},
              {'name': 'web', 'type': 'vm', 'template_id': 0, 'cardinality': 1, 'min_vms': 1, 'max_vms': 2,
               'cooldown': 0, 'parents': ['db']}]}""".replace('\'', '"');
    private static final String ELASTIC = """
            {'name': 'fz-elastic', 'roles': [{'name': 'web', 'type': 'vm', 'template_id': 0, 'cardinality': 1,
              'min_vms': 1, 'max_vms': 2, 'cooldown': 0, 'scheduled_policies': [{'type': 'CARDINALITY', 'adjust': 2,
              'recurrence': '0 3 * * *'}], 'elasticity_policies': [{'type': 'CHANGE', 'adjust': 1,
              'expression': 'CPU > 80', 'period': 60, 'period_number': 2}]}]}""".replace('\'', '"');
    private static final String SIX_X = "{'name': 'fz-6x', 'user_inputs': {'SIZE': 'M|number|Size||'}, 'roles':"
            + " [{'name': 'MASTER', 'cardinality': 1, 'vm_template': 0, 'min_vms': 1, 'max_vms': 2}]}";
    private static final String SIM_TEMPLATE = "{'name':'fz-sim','attributes':{'SIM_DEPLOY_SECONDS':0}}";
    private static final String NEW_ROLE = "{'name':'extra{n}','type':'vm','template_id':0,'cardinality':1,"
            + "'min_vms':0,'max_vms':2,'parents':['db']";
    private static final String OWNER = "{'owner_id':0,'group_id':0}";
    private static final List<String> SAFE_VM_ACTIONS = List.of("reboot", "reboot-hard", "snapshot-create",
            "disk-snapshot-create", "hold", "release", "resume");
    private static final List<String> HARMFUL_VM_ACTIONS = List.of("terminate", "terminate-hard", "undeploy",
            "undeploy-hard", "stop", "suspend", "poweroff", "poweroff-hard", "snapshot-revert", "snapshot-delete",
            "disk-snapshot-revert", "disk-snapshot-delete");
    /** PUT /service/:id as `oneflow update` sends it: the BODY shown, edited. */
    private static final String SHOWN_BODY = "{shown-body}";

    /**
     * A route and its valid bodies. {@code {placeholders}} are filled per case by {@link #value}: a {@code service}
     * is the main one or the target; the {@code target} service and the {@code spare} template may be destroyed.
     * {@code moves}: an accepted request sets the engine going, so the next case waits for quiet.
     */
    private record Route(String method, String path, boolean moves, List<String> bodies) {
        Route {
            bodies = bodies.stream().map(b -> b.replace('\'', '"')).toList();
        }
    }

    private static final List<Route> ROUTES = List.of(
            route("GET", "/service_template", false), route("GET", "/service_template/{template}", false),
            route("POST", "/service_template", false, WEB_DB, ELASTIC, SIX_X),
            route("PUT", "/service_template/{spare}", false, WEB_DB, ELASTIC),
            route("DELETE", "/service_template/{spare}", false),
            route("POST", "/service_template/{template}/action", true, action("instantiate", "{'merge_template':"
                    + "{'name':'fz-svc','description':'fz','roles':[{'name':'web','cardinality':{count}}]}}")),
            route("POST", "/service_template/{spare}/action", false, action("clone", "{'name':'fz-clone'}"),
                    action("update", "{'template_json':" + quoted("{\"description\":\"fz\"}") + ",'append':true}"),
                    action("update", "{'template_json':" + quoted(ELASTIC) + ",'append':false}"),
                    action("chown", OWNER), action("chgrp", "{'group_id':0}"), action("chmod", "{'octet':'640'}"),
                    action("rename", "{'name':'fz-renamed'}")),
            route("GET", "/service", false), route("GET", "/service/{service}", false),
            route("GET", "/service/{service}/autoscaler", false),
            route("PUT", "/service/{service}", false, SHOWN_BODY, "{'append':true,'template':{'cooldown':0}}",
                    "{'append':true,'template':" + quoted("{\"description\":\"fz\"}") + "}"),
            route("DELETE", "/service/{deletable}", true),
            new Route("POST", "/service/{service}/action", true, vmActions(SAFE_VM_ACTIONS, action("recover", null),
                    action("release", null), action("chown", OWNER), action("chmod", "{'octet':640}"),
                    action("rename", "{'name':'fz-renamed'}"))),
            new Route("POST", "/service/{target}/action", true,
                    vmActions(HARMFUL_VM_ACTIONS, action("recover", "{'delete':true}"))),
            route("POST", "/service/{target}/scale", true,
                    "{'role_name':'{role}','cardinality':{count},'force':false}"),
            route("POST", "/service/{target}/role_action", true, action("add_role", "{'role':" + NEW_ROLE + "}}"),
                    action("add_role", "{'role':" + NEW_ROLE + ",'elasticity_policies':[{'type':'CHANGE','adjust':1,"
                            + "'expression':'CPU > 80'}]}}"),
                    action("add_role", "{'role':" + quoted(NEW_ROLE.replace('\'', '"') + "}") + "}"), // as a string
                    action("remove_role", "{'role':'{extra-role}'}")),
            new Route("POST", "/service/{service}/role/{role}/action", true, vmActions(SAFE_VM_ACTIONS)),
            new Route("POST", "/service/{target}/role/{role}/action", true, vmActions(HARMFUL_VM_ACTIONS)),
            route("DELETE", "/service/{service}/sched_action/{batch}", false),
            route("DELETE", "/service/{service}/role/{role}/sched_action/{batch}", false),
            route("POST", "/service_pool/purge_done", false),
            route("GET", "/sim/template", false), route("POST", "/sim/template", false, SIM_TEMPLATE),
            route("GET", "/sim/vm", false), route("GET", "/sim/vm/{vm}", false),
            route("PUT", "/sim/vm/{vm}", true, "{'monitoring':{'CPU':42}}", "{'user_template':{'NOTE':'fz'}}",
                    "{'state':'RUNNING'}", "{'state':'POWEROFF'}"),
            route("PUT", "/sim/outage", false, "{'mode':'fail','seconds':0}", "{'mode':'timeout','seconds':0}"),
            route("ANY", "{unknown-path}", false, "{'name':'x'}"), route("GET", "{ui-path}", false));
    private static final List<String> UNKNOWN_PATHS = List.of("/servicex", "/service/{service}/unknown", "/sim",
            "/sim/vm/1/x", "/events", "/ui/nope.js", "/service/", "//service", "/SERVICE", "/service;jsessionid=1",
            "/service%2F1", "/.env", "/.git/config", "/ui/%2e%2e/pom.xml", "/ui/..%2fpom.xml", "/ui/../pom.xml");
    private static final List<String> UI_PATHS = List.of("/", "/ui/index.html", "/ui/app.js", "/ui/app.css", "/ui");

    private static Route route(String method, String path, boolean moves, String... bodies) {
        return new Route(method, path, moves, List.of(bodies));
    }

    private static String action(String perform, String params) {
        return "{'action':{'perform':'" + perform + "'" + (params == null ? "" : ",'params':" + params) + "}}";
    }

    /** The other bodies, then each action with each form of batch: default, all at once, one a minute, empty. */
    private static List<String> vmActions(List<String> performs, String... others) {
        return Stream.concat(Stream.of(others), performs.stream().flatMap(p -> Stream.of("", ",'number':0,'period':0",
                ",'number':1,'period':60", ",'number':'','period':null").map(batch -> action(p, "{'args':"
                + (p.startsWith("disk") ? "'0,fz'" : p.startsWith("snap") ? "'fz'" : "null") + batch + "}")))).toList();
    }

    // ---- hostile values, and what answers must not hold ---------------------------------------------------

    /** Policy expressions: deep, long, truncated, with odd constants. */
    private static final List<String> EXPRESSIONS = List.of("(".repeat(40) + "CPU > 80" + ")".repeat(40),
            "CPU > 1 && ".repeat(455) + "CPU > 1", "!".repeat(200) + "CPU > 1", "(".repeat(40) + "CPU > 80",
            "CPU > 80 &&", "CPU > 1e400", "min(CPU", "CPU\u0000 > 1");
    /** The hostile values: strings (sent as JSON strings, the expressions among them) and JSON sent as it is. */
    private static final List<String> STRINGS = Stream.concat(EXPRESSIONS.stream(), Stream.of("", " ", "\u0000",
            "web\u0000db", "\ud800", "x\udc00y", "n".repeat(129), "m".repeat(5000), "%", "%s%n", "../../../etc/passwd",
            "web/db", "😀", "\u202eevil", "<script>", "' OR '1'='1'; --", "a\r\nX-Injected: 1", "\\\"", "null", "-1",
            "+1", "１", " 1 ", "web", "\u0001\u007f")).toList();
    private static final List<String> JSON_VALUES = List.of("2147483648", "-1", "0", "1.5", "1e400", "1e2",
            "9223372036854775808", "1" + "0".repeat(299), "null", "true", "{}", "[]", "[null]", "{\"\":1}",
            "[\"web\",\"web\"]", "[".repeat(65) + "1" + "]".repeat(65), "{\"a\":".repeat(200) + "1" + "}".repeat(200));
    private static final List<String> FIELD_NAMES = Stream.concat(Stream.of("__proto__", "$where", "state", "ID",
            "uid", "registration_time", "roles", "k".repeat(300)), STRINGS.stream()).toList();
    /** A JSON token: a string (a name when a colon follows), a number or literal, or the start of an object. */
    private static final Pattern JSON_TOKEN = Pattern.compile(
            "\"(?:[^\"\\\\]|\\\\.)*\"(\\s*:)?|-?[0-9][-+.eE0-9]*|true|false|null|\\{");
    /** Path segments and query values: the hostile values percent-encoded, and escapes a path must refuse. */
    private static final List<String> SEGMENTS = Stream.concat(Stream.concat(STRINGS.stream(), JSON_VALUES.stream())
            .map(s -> URLEncoder.encode(s, UTF_8).replace("+", "%20")), Stream.of("..", ".", "%2e%2e", "%2E", "%",
            "%zz", "%ff", "%C0%AE", "%E0%A4%A", "1;2", "%0d%0a", "RUNNING", "1&page=2", "=")).toList();
    private static final List<String> BAD_AUTH = Arrays.asList(null, "", "Basic", "Basic !!!!", "Bearer abc",
            AUTH + " x", RawHttp.basic("oneadmin", "wrong"), RawHttp.basic("one\u0000admin", TestServer.PASSWORD),
            RawHttp.basic("oneadmin", TestServer.PASSWORD + "\u0000"), RawHttp.basic("", TestServer.PASSWORD),
            RawHttp.basic("u".repeat(5000), "x"), RawHttp.basic("\u043eneadmin", TestServer.PASSWORD),
            "Basic b25lYWRtaW4=" /* no colon */, "Basic //46cHc=" /* ÿþ:pw */);
    /** Internals an error body must not show (unless the request held them); the last an SQL state as (23514). */
    private static final Pattern LEAK = Pattern.compile(Stream.of("SQLSTATE", "violates", "constraint",
            "PgException", "Exception", "java.", "io.vertx", "io.netty", "com.fasterxml", "StreamReadConstraints",
            "dev.flotilla", "\tat ", "127.0.0.1", "localhost:5432", ":5432", "postgres").map(Pattern::quote)
            .collect(Collectors.joining("|", "(?i)", "|(?-i:\\((?=[0-9A-Z]*[0-9])[0-9A-Z]{5}\\))")));
    /** Files from outside the web root: the pom, /etc/passwd, sources. */
    private static final Pattern SERVED_FILE = Pattern.compile("<modelVersion>|root:x:0:0|^package dev\\.",
            Pattern.MULTILINE);
    /** One row per table: its name and an md5 of the columns requests change; the event log by its length. */
    private static final String FINGERPRINT_SQL = Stream.of("service_templates: id, uid, gid, permissions, name, body",
                    "services: id, uid, gid, permissions, name, state, body", "role_action_batches: id, next_index",
                    "roles: service_id, name, state, cardinality, body", "sim_templates: id, name, attributes",
                    "sim_vms: id, monitoring, user_template", "operations: id, kind, status, idempotency_key")
            .map(t -> t.split(": ")).map(t -> "SELECT '" + t[0] + " ' || md5(coalesce(string_agg(r::text, '|'"
                    + " ORDER BY r::text), '')) FROM (SELECT " + t[1] + " FROM " + t[0] + ") r")
            .collect(Collectors.joining(" UNION ALL ", "", " UNION ALL SELECT 'service_events ' || count(*)"
                    + " FROM service_events"));

    // ---- the run ------------------------------------------------------------------------------------------

    private static TestDatabase db;
    private static TestServer server;
    private static Connection jdbc;

    private final Random random = new Random(SEED);
    private final List<Finding> findings = new ArrayList<>();
    private final Map<String, Integer> statuses = new TreeMap<>();
    private final List<Case> keyed = new ArrayList<>(); // sent with an Idempotency-Key: to replay, or to reuse
    private final Set<String> uploads = uploadNames();
    private List<String> baseline;
    private int mainService;
    private int targetService;
    private int webDbTemplate;
    private int elasticTemplate;
    private int spareTemplate;
    private int casesRun;
    private int rawCases;
    private boolean stopped;

    @BeforeAll
    static void start() throws SQLException {
        db = TestDatabase.fresh();
        server = TestServer.start(db, ENV);
        Database database = new Database(db.url());
        jdbc = DriverManager.getConnection(database.jdbcUrl(), database.connectOptions().getUser(),
                database.connectOptions().getPassword());
    }

    @AfterAll
    @Timeout(value = 30, threadMode = Timeout.ThreadMode.SEPARATE_THREAD) // a wedged server may never finish closing
    static void stop() throws SQLException {
        jdbc.close();
        server.close();
        db.close();
    }

    @Test
    void everyRouteRefusesHostileInputCleanly() {
        long started = System.nanoTime();
        try {
            createWorld();
            for (int n = 1; n <= CASES && !stopped; n++, casesRun++) {
                Case c = nextCase(n);
                Reply reply = send(c.bytes());
                statuses.merge(reply.failure() == null ? "" + reply.status() : "no answer", 1, Integer::sum);
                judge(c, reply);
            }
            if (!serverAnswers()) {
                stop(null, "server not answering GET /service at the end");
            }
            if (stateOf(mainService) != ServiceState.RUNNING.number()) {
                stop(null, "main service not RUNNING at the end: state " + stateOf(mainService));
            }
        } finally {
            System.out.println(report((System.nanoTime() - started) / 1e9));
        }
        if (!findings.isEmpty()) {
            fail(report((System.nanoTime() - started) / 1e9));
        }
    }

    /** The checks of one case, then the baseline the next case is compared with. */
    private void judge(Case c, Reply reply) {
        String body = reply.body();
        JsonNode message = body.startsWith("{\"error\"") ? parse(body).path("error").path("message") : null;
        boolean saysNothing = body.isBlank() || body.equals("null") || message != null && message.asText("").isBlank();
        // A body whose chunk framing breaks HTTP itself: the connection is dropped by the HTTP layer
        // (no answer can follow it on that stream); the server must stay up, which is checked below.
        boolean unframeable = MALFORMED_CHUNK.equals(c.detail) && reply.failure() != null
                && reply.failure().startsWith("connection closed");
        List<String> problems = new ArrayList<>(Stream.of(unframeable ? null : reply.failure(),
                reply.status() >= 500 ? "5xx answer: " + reply.status() : null,
                reply.millis() > ANSWER_MS ? "slow answer: " + reply.millis() + " ms" : null,
                reply.status() >= 400 && saysNothing ? "empty error body" : null,
                SERVED_FILE.matcher(body).find() ? "file served from outside the web root" : null)
                .filter(Objects::nonNull).toList());
        // an error body may repeat the request, as sent or percent-decoded: only other internals count
        String sent = (c.text() + URLDecoder.decode(c.target.replaceAll("%(?![0-9a-fA-F]{2})", "%25"), UTF_8))
                .replace("Host: 127.0.0.1", "").toLowerCase(Locale.ROOT);
        LEAK.matcher(reply.status() >= 400 ? body : "").results().map(m -> m.group()).distinct()
                .filter(m -> !sent.contains(m.toLowerCase(Locale.ROOT)))
                .forEach(m -> problems.add("internal detail in error body: " + m));
        uploadNames().stream().filter(uploads::add).forEach(name -> problems.add("upload file written: " + name));
        problems.forEach(p -> findings.add(new Finding(c, reply, p)));

        boolean mutating = Set.of("POST", "PUT", "DELETE").contains(c.method);
        boolean accepted = reply.status() >= 200 && reply.status() < 300;
        boolean replayed = reply.head().toLowerCase(Locale.ROOT).contains("\r\nidempotency-replayed: true");
        boolean dryRun = accepted && body.contains("\"dry_run\"") && parse(body).path("dry_run").asBoolean();
        if (reply.failure() != null && !serverAnswers()) {
            stop(c, "server stopped answering: fresh connections get no answer after this case");
        } else if (reply.failure() != null || accepted && mutating && !replayed && !dryRun) {
            if (accepted && c.target.startsWith("/sim/outage")) {
                server.api().put("/sim/outage", "{\"mode\":\"fail\",\"seconds\":0}"); // or later cloud calls fail
            }
            settle(c, c.route.moves() || reply.failure() != null); // unanswered, it may still be running
        } else {
            List<String> now = strings(FINGERPRINT_SQL);
            List<String> changed = now.stream().filter(t -> !baseline.contains(t)).map(t -> t.split(" ")[0]).toList();
            if (!changed.isEmpty()) {
                String what = !accepted ? "refused request" : !mutating ? "read" : replayed ? "replay" : "dry run";
                findings.add(new Finding(c, reply, what + " changed stored state: " + changed));
            }
            baseline = now;
        }
    }

    // ---- the world ----------------------------------------------------------------------------------------

    private void createWorld() {
        // a sane sim template 1, should a mutated template_id (1.0, 1e0) ever be read as 1
        server.api().post("/sim/template", SIM_TEMPLATE.replace('\'', '"'));
        webDbTemplate = server.createTemplate(WEB_DB);
        elasticTemplate = server.createTemplate(ELASTIC);
        mainService = server.instantiate(webDbTemplate, "{\"name\": \"fz-main\"}");
        settle(null, true); // makes the target service and the spare template
    }

    /** After an accepted change: the engine quiet, the target and the spare template there, a new baseline. */
    private void settle(Case c, boolean engineMoved) {
        if (engineMoved) {
            awaitQuiet(c);
        }
        List<Integer> templates = ints("SELECT id FROM service_templates");
        if (!templates.containsAll(List.of(webDbTemplate, elasticTemplate))) {
            stop(c, "a world template was deleted");
        } else if (!templates.contains(spareTemplate)) {
            spareTemplate = server.createTemplate(WEB_DB.replace("fz-web-db", "fz-spare"));
        }
        int state = stateOf(targetService);
        List<String> roles = strings("SELECT name FROM roles WHERE service_id = " + targetService);
        if (!stopped && (state != ServiceState.RUNNING.number() && state != ServiceState.WARNING.number()
                || !roles.containsAll(List.of("web", "db")))) {
            targetService = server.instantiate(webDbTemplate, "{\"name\": \"fz-target\"}");
            awaitQuiet(c);
        }
        baseline = strings(FINGERPRINT_SQL);
    }

    /** Quiet: no service in motion and the same fingerprint on two reads 200 ms apart. */
    private void awaitQuiet(Case c) {
        List<List<String>> reads = new ArrayList<>();
        try {
            await().pollDelay(Duration.ofMillis(300)).pollInterval(Duration.ofMillis(200))
                    .atMost(Duration.ofSeconds(30)).until(() -> {
                        nudge();
                        reads.add(0, strings(FINGERPRINT_SQL));
                        return reads.size() > 1 && reads.get(0).equals(reads.get(1)) && servicesInMotion().isEmpty();
                    });
        } catch (ConditionTimeoutException e) {
            stop(c, "world did not settle within 30 s: services in motion " + servicesInMotion());
        }
    }

    /** As a user would: cancel the batches still scheduled (they would run mid-case), end a COOLDOWN. */
    private void nudge() {
        strings("SELECT '/service/' || service_id || '/role/' || role_name || '/sched_action/' || id"
                + " FROM role_action_batches WHERE next_index < cardinality(vm_ids)").forEach(server.api()::delete);
        strings("SELECT '/service/' || id || '/action' FROM services WHERE state = " + ServiceState.COOLDOWN.number())
                .forEach(path -> server.api().post(path, "{\"action\":{\"perform\":\"recover\"}}"));
    }

    private static List<Integer> servicesInMotion() {
        return ints("SELECT id FROM services WHERE state IN (" + Arrays.stream(ServiceState.values())
                .filter(ServiceState::isInMotion).map(s -> "" + s.number()).collect(Collectors.joining(",")) + ")");
    }

    private static int stateOf(int service) {
        return ints("SELECT state FROM services WHERE id = " + service).stream().findFirst().orElse(-1);
    }

    /**
     * A placeholder's value: destructive routes only reach what is expendable, and mostly what is cheap to lose
     * (services already DONE, roles added by earlier cases), as a new target service costs a deployment.
     */
    private Object value(String placeholder) {
        String others = "SELECT id FROM services WHERE id NOT IN (" + mainService + ", " + targetService + ")";
        return switch (placeholder) {
            case "target" -> targetService;
            case "service" -> random.nextBoolean() ? mainService : targetService;
            case "deletable" -> chance(0.1) ? targetService : pick(ints(others + (chance(0.6) ? " AND state = "
                    + ServiceState.DONE.number() : "") + " UNION SELECT max(id) + 1000 FROM services ORDER BY 1"));
            case "template" -> random.nextBoolean() ? webDbTemplate : elasticTemplate;
            case "spare" -> spareTemplate;
            case "role" -> random.nextBoolean() ? "web" : "db";
            case "extra-role" -> chance(0.2) ? "web" : pick(strings("SELECT name FROM roles WHERE service_id = "
                    + targetService + " AND name NOT IN ('web', 'db') UNION SELECT 'web' ORDER BY 1"));
            case "batch" -> 1 + random.nextInt(ints("SELECT coalesce(max(id)::int, 0) + 3 FROM role_action_batches")
                    .get(0));
            case "vm" -> pick(ints("SELECT id FROM sim_vms WHERE service_id = " + targetService + " UNION SELECT 0"
                    + " ORDER BY 1")); // 0: none
            case "count" -> 1 + random.nextInt(2);
            case "n" -> random.nextInt(1000);
            case "unknown-path" -> pick(UNKNOWN_PATHS);
            case "ui-path" -> pick(UI_PATHS);
            default -> throw new IllegalArgumentException(placeholder);
        };
    }

    private String fill(String text) {
        Matcher m = Pattern.compile("\\{([a-z-]+)}").matcher(text);
        StringBuilder out = new StringBuilder();
        while (m.find()) {
            m.appendReplacement(out, Matcher.quoteReplacement(fill(String.valueOf(value(m.group(1))))));
        }
        return m.appendTail(out).toString();
    }

    // ---- cases: a route's valid request with one thing changed ---------------------------------------------

    private Case nextCase(int number) {
        Case c = new Case(number, pick(ROUTES));
        c.method = c.route.method().equals("ANY") ? pick(List.of("GET", "POST", "PUT", "DELETE")) : c.route.method();
        double v = random.nextDouble();
        c.kind = v < 0.07 ? "valid" : v < 0.37 ? "field" : v < 0.49 ? "malformed" : v < 0.58 ? "content-type"
                : v < 0.67 ? "path" : v < 0.75 ? "query" : v < 0.81 ? "idempotency" : v < 0.89 ? "auth"
                : v < 0.97 ? "raw" : "method";
        String path = c.route.path().startsWith("{") ? fill(c.route.path()) : c.route.path(); // unknown and UI paths
        c.target = fill(c.kind.equals("path") ? hostilePath(c, path) : path);
        String body = c.route.bodies().isEmpty() || c.method.equals("GET") ? null : pick(c.route.bodies());
        body = SHOWN_BODY.equals(body) ? shownBody(c.target) : body == null ? null : fill(body);
        c.setBody(body == null ? null : utf8(body), "application/json");
        c.header("Authorization", AUTH);
        c.header("Accept", chance(0.3) ? "application/json" : null);
        String json = body != null ? body : "{\"name\":\"x\"}"; // body variants give body-less routes one
        switch (c.kind) {
            case "field" -> c.setBody(utf8(mutate(c, json, true)), "application/json");
            case "malformed" -> c.setBody(malformed(c, json), "application/json");
            case "content-type" -> contentType(c, utf8(json));
            case "query" -> IntStream.range(0, 1 + random.nextInt(3)).forEach(i -> c.target += (i == 0 ? "?" : "&")
                    + pick(List.of("page", "page_size", "state", "limit", "dry_run")) + "=" + pick(SEGMENTS));
            case "idempotency" -> idempotency(c);
            case "auth" -> c.header("Authorization", pick(BAD_AUTH));
            case "raw" -> raw(c);
            case "method" -> c.method = pick(List.of("PATCH", "OPTIONS", "TRACE", "PROPFIND", "FOO", "GET", "POST"));
            default -> {
            }
        }
        if (c.idempotencyKey == null && !c.method.equals("GET") && chance(0.12)) {
            c.header("Idempotency-Key", c.idempotencyKey = "fz-" + SEED + "-" + number); // to replay, reuse later
        }
        // Dot segments, were they resolved, could make DELETE /service/2/sched_action/1/../.. a DELETE /service/2.
        String t = c.target.toLowerCase(Locale.ROOT);
        if ((c.method.equals("DELETE") || c.method.equals("PUT")) && (t.contains("/.") || t.contains("%2e"))
                && Stream.of("/service/" + mainService, "/service_template/" + webDbTemplate,
                "/service_template/" + elasticTemplate).anyMatch(t::contains)) {
            return nextCase(number);
        }
        if (c.idempotencyKey != null && !c.kind.equals("raw")) {
            keyed.add(c);
        }
        return c;
    }

    private String shownBody(String target) {
        var body = target.matches("/service/\\d{1,9}") ? server.body(Integer.parseInt(target.substring(9))) : null;
        return (body == null ? parse("{\"append\":true}") : body.put("description", "edited")).toString();
    }

    /** A hostile value in place of one path parameter, or as one more segment where there is none. */
    private String hostilePath(Case c, String path) {
        String segment = pick(SEGMENTS);
        List<String> params = Pattern.compile("\\{[a-z-]+}").matcher(path).results().map(m -> m.group()).toList();
        String param = params.isEmpty() ? null : pick(params);
        c.detail = (param == null ? "extra segment" : param) + " = " + excerpt(segment, 40);
        return param == null ? path.replaceAll("/$", "") + "/" + segment : path.replace(param, segment);
    }

    /**
     * A field added, a name replaced (so that field is missing) or a value replaced, by hostile ones; a string
     * holding JSON is sometimes changed inside instead. Policy expressions get more than their share.
     */
    private String mutate(Case c, String json, boolean outer) {
        var tokens = JSON_TOKEN.matcher(json).results().toList();
        double mode = random.nextDouble();
        var candidates = tokens.stream().filter(t -> mode < 0.15 ? t.group().equals("{")
                : mode < 0.3 ? t.group(1) != null : t.group(1) == null && !t.group().equals("{")).toList();
        var expressions = IntStream.range(1, tokens.size()).filter(i -> mode >= 0.3
                && tokens.get(i - 1).group().startsWith("\"expression\"")).mapToObj(tokens::get).toList();
        var t = !expressions.isEmpty() && chance(0.4) ? pick(expressions)
                : pick(candidates.isEmpty() ? tokens : candidates);
        String value = expressions.contains(t) && chance(0.6) ? json(pick(EXPRESSIONS))
                : chance(0.5) ? json(pick(STRINGS)) : pick(JSON_VALUES);
        boolean inside = outer && mode >= 0.3 && t.group().startsWith("\"{") && random.nextBoolean();
        String replacement = inside ? quoted(mutate(c, parse(t.group()).asText(), false))
                : mode < 0.15 ? "{" + json(pick(FIELD_NAMES)) + ":" + value
                + (json.substring(t.end()).stripLeading().startsWith("}") ? "" : ",")
                : mode < 0.3 ? json(pick(FIELD_NAMES)) + ":" : value;
        c.detail = inside ? "inside a JSON string: " + c.detail : "..." + excerpt(json.substring(Math.max(0,
                t.start() - 30), t.start()), 30) + " >>> " + excerpt(replacement, 60);
        return json.substring(0, t.start()) + replacement + json.substring(t.end());
    }

    /** A JSON string, non-ASCII raw or escaped (unpaired surrogates, which have no UTF-8, always escaped). */
    private String json(String s) {
        boolean unpaired = s.codePoints().anyMatch(cp -> cp >= 0xd800 && cp <= 0xdfff);
        return write(unpaired || chance(0.5) ? ESCAPING : MAPPER.writer(), s);
    }

    /** Truncated, with trailing garbage, invalid UTF-8 in a string, a BOM, not an object, not quite JSON. */
    private byte[] malformed(Case c, String json) {
        byte[] bytes = utf8(json);
        int quote = json.indexOf('"', random.nextInt(json.length())) + 1;
        List<byte[]> bodies = List.of(Arrays.copyOf(bytes, random.nextInt(bytes.length)),
                utf8(json + pick(List.of("}", "xyz", "\u0000", ",", "\n{\"a\":1}"))),
                concat(concat(Arrays.copyOf(bytes, quote), pick(List.of(new byte[]{(byte) 0xff},
                        new byte[]{(byte) 0xc3, 0x28}, new byte[]{(byte) 0xed, (byte) 0xa0, (byte) 0x80}))),
                        Arrays.copyOfRange(bytes, quote, bytes.length)),
                concat(new byte[]{(byte) 0xef, (byte) 0xbb, (byte) 0xbf}, bytes),
                utf8(pick(List.of("", " \n\t ", "null", "[]", "\"x\"", "1", "[" + json + "]"))),
                utf8(pick(List.of("{\"name\":NaN}", "/* c */" + json, json.replace('"', '\''), "{\"name\":\"abc",
                        "{\"name\":\"dup\"," + json.substring(1), "{\"name\":" + "9".repeat(2000) + "}",
                        "{\"name\":\"a\u0001b\"}", "[".repeat(1001) + "]".repeat(1001)))));
        int kind = random.nextInt(bodies.size());
        c.detail = List.of("truncated", "trailing garbage", "invalid UTF-8", "BOM", "not an object", "odd").get(kind);
        return bodies.get(kind);
    }

    /** The body as JSON with a charset, a form, multipart (a 100 KB part), text, UTF-16, untyped, oddly typed. */
    private void contentType(Case c, byte[] json) {
        byte[] part = new byte[100 * 1024];
        Arrays.fill(part, (byte) 'a');
        List<Map.Entry<String, byte[]>> variants = List.of(Map.entry("application/json; charset=latin1", json),
                Map.entry("application/x-www-form-urlencoded", utf8(pick(List.of("a=%zz", "=&&", "%00=%00", "a=%",
                        new String(json, UTF_8))))),
                Map.entry("multipart/form-data; boundary=x", concat(concat(utf8("--x\r\nContent-Disposition: form-data;"
                        + pick(List.of(" name=\"f\"", " name=\"file\"; filename=\"fz.json\"")) + "\r\n\r\n"), part),
                        utf8("\r\n--x--\r\n"))),
                Map.entry(pick(List.of("multipart/form-data", "multipart/form-data; boundary=" + "b".repeat(80))),
                        utf8("--x\r\nContent-Disposition: form-data; name=\"a\"\r\n\r\nabc")),
                Map.entry("text/plain", json), Map.entry("", json), // "": no Content-Type at all
                Map.entry("application/json; charset=utf-16", new String(json, UTF_8).getBytes(UTF_16)),
                Map.entry(pick(List.of(";;;", "*/*", "application/xml", "application/json; charset=\u00ff")), json));
        Map.Entry<String, byte[]> variant = pick(variants);
        c.setBody(variant.getValue(), variant.getKey().isEmpty() ? null : variant.getKey());
    }

    /** An Idempotency-Key that is empty, blank, long, not ASCII, holds a NUL, is another request's, or a replay. */
    private void idempotency(Case c) {
        List<Case> sameRoute = keyed.stream().filter(k -> k.route == c.route).toList();
        if (chance(0.15) && !sameRoute.isEmpty()) {
            Case first = pick(sameRoute); // the same request again: the first answer, nothing done twice
            c.method = first.method;
            c.target = first.target;
            c.body = first.body;
            c.headers.clear();
            c.headers.addAll(first.headers);
            c.idempotencyKey = first.idempotencyKey;
            c.detail = "replay of #" + first.number;
            return;
        }
        String fresh = "fz-" + SEED + "-" + c.number;
        c.header("Idempotency-Key", c.idempotencyKey = pick(List.of("", "   ", "k".repeat(300), "ключ-" + fresh,
                "fz\u0000" + c.number, keyed.isEmpty() ? fresh : pick(keyed).idempotencyKey)));
    }

    /** What only a raw socket sends: dot segments, bad escapes and bytes, broken headers, odd framing. */
    private void raw(Case c) {
        rawCases++;
        byte[] body = c.body != null ? c.body : utf8("{}");
        c.detail = pick(List.of("dot-segments", "dot-segments", "odd-target", "odd-target", "absolute-form", "header",
                "header", "header", "framing", "framing", "framing", "http/1.0", "lowercase-method"));
        switch (c.detail) {
            case "dot-segments" -> c.target = pick(List.of("/service/..", "/service/%2e%2e/service_template",
                    "/ui/../../../../etc/passwd", "/ui/%2e%2e/%2e%2e/pom.xml", "/ui/..%2f..%2fpom.xml", "/./service",
                    "/ui/..\\..\\pom.xml", "/sim/../service", c.target + "/..", c.target + "/../.."));
            case "odd-target" -> c.target += pick(List.of("%zz", "%", "%E0%A4%A", "?state=%", "\u00ff", "/\u00c3\u0028",
                    " ", "\u0001", "?a=" + "u".repeat(10_000)));
            case "absolute-form" -> c.target = "http://127.0.0.1:" + server.port() + c.target;
            case "header" -> c.headers.add(pick(List.of("X-Fuzz: a\u0000b", "X-Fuzz: \u00ff\u00fe\u0080",
                    "Authorization: Basic \u0001\u00ff", "Broken-Header-Without-Colon", "X-Fuzz: a\r\n folded",
                    "X Fuzz: 1", "X-Fuzz: " + "h".repeat(20_000), IntStream.range(0, 300)
                            .mapToObj(i -> "X-Fuzz-" + i + ": " + i).collect(Collectors.joining("\r\n")))));
            case "framing" -> { // its own framing headers instead of the Content-Length the body would get
                Map.Entry<String, byte[]> framing = pick(List.of(Map.entry("Content-Length: -1", new byte[0]),
                        Map.entry("Content-Length: abc", new byte[0]),
                        Map.entry("Content-Length: " + body.length + "\r\nContent-Length: " + (body.length + 1), body),
                        Map.entry(MALFORMED_CHUNK, utf8("zz\r\nabc\r\n0\r\n\r\n")),
                        Map.entry("Transfer-Encoding: chunked\r\nContent-Length: 3", concat(concat(
                                utf8(Integer.toHexString(body.length) + "\r\n"), body), utf8("\r\n0\r\n\r\n")))));
                c.detail = framing.getKey();
                c.headers.add(framing.getKey());
                c.body = framing.getValue();
                c.contentLength = false;
            }
            case "http/1.0" -> c.requestLine = "%s %s HTTP/1.0\r\n"; // and no Host
            default -> c.method = c.method.toLowerCase(Locale.ROOT);
        }
    }

    /** One request as it goes on the wire. */
    private static final class Case {
        final int number;
        final Route route;
        final List<String> headers = new ArrayList<>();
        String kind;
        String detail = "";
        String method;
        String target;
        String requestLine = "%s %s HTTP/1.1\r\nHost: 127.0.0.1\r\n";
        boolean contentLength = true;
        byte[] body;
        String idempotencyKey;

        Case(int number, Route route) {
            this.number = number;
            this.route = route;
        }

        void header(String name, String value) {
            headers.removeIf(h -> h.regionMatches(true, 0, name + ":", 0, name.length() + 1));
            if (value != null) {
                headers.add(name + ": " + value);
            }
        }

        void setBody(byte[] bytes, String contentType) {
            body = bytes;
            header("Content-Type", bytes == null ? null : contentType);
        }

        String head() {
            return String.format(requestLine, method, target) + headers.stream().map(h -> h + "\r\n")
                    .collect(Collectors.joining()) + (body != null && contentLength ? "Content-Length: " + body.length
                    + "\r\n" : "") + "Connection: close\r\n\r\n";
        }

        /** Latin-1 where it fits, so U+00FF is the byte 0xFF; else UTF-8 (a non-ASCII Idempotency-Key). */
        byte[] bytes() {
            String head = head();
            byte[] bytes = head.getBytes(head.chars().allMatch(ch -> ch <= 0xff) ? ISO_8859_1 : UTF_8);
            return body == null ? bytes : concat(bytes, body);
        }

        String text() {
            return head() + (body == null ? "" : new String(body, UTF_8));
        }
    }

    // ---- the wire, findings and the report ----------------------------------------------------------------

    /** An answer, or why there is none. */
    private record Reply(int status, String head, String body, String failure, long millis) {
    }

    private static Reply send(byte[] request) {
        long t0 = System.nanoTime();
        try {
            RawHttp.Response r = RawHttp.exchange(server.port(), request, ANSWER_MS);
            return new Reply(r.status(), r.head(), r.body(), null, (System.nanoTime() - t0) / 1_000_000);
        } catch (UncheckedIOException e) {
            return new Reply(-1, "", "", e.getCause() instanceof SocketTimeoutException ? "no answer within 10 s"
                    : "connection closed without a response: " + e.getCause().toString().replaceAll(":\\s*$", ""), 0);
        } catch (RuntimeException e) {
            return new Reply(-1, "", "", "unreadable response: " + e, 0);
        }
    }

    /** Connections are dealt to the event loops in turn: two per core reach every one. */
    private static boolean serverAnswers() {
        byte[] probe = utf8(RawHttp.request("GET", "/service", AUTH, null, null));
        return IntStream.range(0, 2 * Runtime.getRuntime().availableProcessors())
                .allMatch(i -> send(probe).status() == 200);
    }

    private record Finding(Case c, Reply reply, String problem) {
        String kind() {
            return problem.split(": ", 2)[0];
        }

        String describe() {
            if (c == null) {
                return "  PROBLEM: " + problem;
            }
            String got = reply == null ? "-" : reply.failure() != null ? reply.failure()
                    : reply.status() + " " + excerpt(reply.body(), 200);
            return String.format(Locale.ROOT, "  #%d [%s%s] %s %s%n      sent: %s%n      got:  %s%n      PROBLEM: %s",
                    c.number, c.kind, c.detail.isEmpty() ? "" : ": " + excerpt(c.detail, 120), c.route.method(),
                    c.route.path(), excerpt(c.text(), 400), got, problem);
        }
    }

    /** A finding after which the run cannot go on meaningfully. */
    private void stop(Case c, String problem) {
        findings.add(new Finding(c, null, problem));
        stopped = true;
    }

    private String report(double seconds) {
        StringBuilder out = new StringBuilder(String.format(Locale.ROOT, "HostileInputFuzzIT: seed %d, %d of %d cases"
                + " in %.1f s%n  replay: mvn -B verify -Dit.test=HostileInputFuzzIT -Dtest=NoSuchTest"
                + " -Dsurefire.failIfNoSpecifiedTests=false -Dfuzz.seed=%d -Dfuzz.cases=%d%n  statuses: %s%n"
                + "  raw-socket cases: %d%n", SEED, casesRun, CASES, seconds, SEED, CASES, statuses, rawCases));
        if (findings.isEmpty()) {
            return out.append("  no findings\n").toString();
        }
        out.append("  ").append(findings.size()).append(" findings by kind:\n");
        findings.stream().collect(Collectors.groupingBy(Finding::kind, TreeMap::new, Collectors.toList()))
                .forEach((kind, all) -> out.append(String.format(Locale.ROOT, "    %5d  %s (%d routes)%n", all.size(),
                        kind, all.stream().map(f -> f.c() == null ? null : f.c().route).distinct().count())));
        Map<String, Integer> seen = new TreeMap<>(); // each kind's first, then each kind's second...: none hidden
        List<Finding> shown = findings.stream().map(f -> Map.entry(seen.merge(f.kind(), 1, Integer::sum), f))
                .sorted(Map.Entry.comparingByKey()).limit(20).map(Map.Entry::getValue).toList();
        out.append("  ").append(shown.size()).append(" of them, every kind first:\n");
        shown.forEach(f -> out.append(f.describe()).append('\n'));
        return out.toString();
    }

    // ---- small helpers ------------------------------------------------------------------------------------

    private <T> T pick(List<T> list) {
        return list.get(random.nextInt(list.size()));
    }

    private boolean chance(double p) {
        return random.nextDouble() < p;
    }

    private static List<Integer> ints(String sql) {
        return strings(sql).stream().map(Integer::valueOf).toList();
    }

    private static List<String> strings(String sql) {
        List<String> out = new ArrayList<>();
        try (Statement s = jdbc.createStatement(); ResultSet rs = s.executeQuery(sql)) {
            while (rs.next()) {
                out.add(rs.getString(1));
            }
        } catch (SQLException e) {
            throw new IllegalStateException(sql, e);
        }
        return out;
    }

    private static JsonNode parse(String json) {
        try {
            return MAPPER.readTree(json);
        } catch (IOException e) {
            return MAPPER.missingNode();
        }
    }

    private static String write(ObjectWriter writer, Object value) {
        try {
            return writer.writeValueAsString(value);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    private static String quoted(String text) {
        return write(MAPPER.writer(), text);
    }

    private static byte[] utf8(String s) {
        return s.getBytes(UTF_8);
    }

    private static byte[] concat(byte[] a, byte[] b) {
        return ByteBuffer.allocate(a.length + b.length).put(a).put(b).array();
    }

    /** At most {@code max} characters, control characters and non-ASCII escaped as in JSON. */
    private static String excerpt(String s, int max) {
        String json = write(ESCAPING, s.length() > max ? s.substring(0, max) : s).replace("\\\"", "\"");
        return json.substring(1, json.length() - 1) + (s.length() > max ? "… (" + s.length() + " chars)" : "");
    }

    private static Set<String> uploadNames() {
        return new TreeSet<>(Arrays.asList(Objects.requireNonNullElse(UPLOADS.list(), new String[0])));
    }
}
