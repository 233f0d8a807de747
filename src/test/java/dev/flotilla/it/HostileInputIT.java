package dev.flotilla.it;

import com.fasterxml.jackson.databind.JsonNode;
import dev.flotilla.FlotillaServer;
import dev.flotilla.support.ApiClient;
import dev.flotilla.support.RawHttp;
import dev.flotilla.support.TcpProxy;
import dev.flotilla.support.TestDatabase;
import dev.flotilla.support.TestServer;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

import java.io.ByteArrayOutputStream;
import java.io.DataInputStream;
import java.io.EOFException;
import java.io.IOException;
import java.io.InputStream;
import java.net.ServerSocket;
import java.net.Socket;
import java.net.SocketException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.WebSocket;
import java.net.http.WebSocketHandshakeException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletionException;
import java.util.concurrent.TimeUnit;

import static org.awaitility.Awaitility.await;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * One regression test per hole a hostile tester found: each would hang, exhaust or 500 the server
 * before the input gate, the linear expression parser and the connection limits.
 */
class HostileInputIT {
    private static final String TEMPLATE = """
            {"name": "shop", "roles": [{"name": "web", "type": "vm", "template_id": 0, "cardinality": 2}]}
            """;

    private static TestDatabase db;
    private static TcpProxy database;
    private static TestServer server;
    private static ApiClient api;
    private static int template;
    private static int service;

    @BeforeAll
    static void start() {
        db = TestDatabase.fresh();
        URI direct = URI.create(db.url().replace("postgresql://", "http://"));
        database = new TcpProxy(direct.getHost(), direct.getPort());
        String proxied = db.url().replace(direct.getHost() + ":" + direct.getPort(), "127.0.0.1:" + database.port());
        server = TestServer.start(db, Map.of(
                "FLOTILLA_DB_URL", proxied,
                "FLOTILLA_SIM_DEPLOY_SECONDS", "0",
                "FLOTILLA_SIM_TERMINATE_SECONDS", "0",
                "FLOTILLA_REQUEST_TIMEOUT", "2",
                "FLOTILLA_STREAM_SLOW_SECONDS", "1",
                "FLOTILLA_MAX_SUBSCRIBERS_PER_USER", "3"));
        api = server.api();
        template = server.createTemplate(TEMPLATE);
        service = server.instantiate(template, null);
        await().atMost(Duration.ofSeconds(30)).until(() -> server.state(service) == 2);
    }

    @AfterAll
    static void stop() {
        server.close();
        database.close();
        db.close();
    }

    private static String auth() {
        return RawHttp.basic("oneadmin", TestServer.PASSWORD);
    }

    private static String nested(int levels, String inner) {
        return "(".repeat(levels) + inner + ")".repeat(levels);
    }

    private static String withExpression(String expression) {
        return """
                {"name": "elastic", "roles": [{"name": "web", "type": "vm", "template_id": 0, "cardinality": 1,
                  "min_vms": 1, "max_vms": 3,
                  "elasticity_policies": [{"type": "CHANGE", "adjust": 1, "expression": %s}]}]}
                """.formatted(ApiClientJson.quote(expression));
    }

    // ---- parsers that cannot explode --------------------------------------------------------------

    @Test
    @Timeout(20)
    void fortyNestedParenthesesAreRefusedAtOnceAndTheServerKeepsAnswering() {
        for (int i = 0; i < 4; i++) {
            ApiClient.Response r = api.postJson("/service_template", withExpression(nested(40, "CPU > 1")));
            assertEquals(400, r.status(), r.body());
            assertTrue(r.json().path("error").path("message").asText().contains("nesting deeper than 32 levels"),
                    r.body());
        }
        ApiClient.Response flat = api.postJson("/service_template",
                withExpression("CPU > 1 && ".repeat(2000) + "CPU > 1"));
        assertEquals(400, flat.status(), flat.body());
        assertTrue(flat.body().contains("longer than 2048"), flat.body());
        assertEquals(200, api.get("/service").status());
    }

    @Test
    void aDeepDocumentIsRefusedAtWriteAndListingsStayReadable() {
        String deep = "{\"a\":".repeat(80) + "1" + "}".repeat(80);
        ApiClient.Response r = api.postJson("/service_template", """
                {"name": "deep", "custom": %s, "roles": [{"name": "r", "type": "vm", "template_id": 0}]}
                """.formatted(deep));
        assertEquals(400, r.status(), r.body());
        assertEquals("body", r.json().path("error").path("details").path("field").asText());
        ApiClient.Response append = api.put("/service/" + service,
                "{\"append\": true, \"template\": {\"custom\": " + deep + "}}");
        assertEquals(400, append.status(), append.body());
        // 60 levels inside a document are fine, and the document reads back.
        String allowed = "{\"a\":".repeat(55) + "1" + "}".repeat(55);
        ApiClient.Response ok = api.postJson("/service_template", """
                {"name": "deep-ok", "custom": %s, "roles": [{"name": "r", "type": "vm", "template_id": 0}]}
                """.formatted(allowed));
        assertEquals(201, ok.status(), ok.body());
        assertEquals(200, api.get("/service_template").status());
        assertEquals(200, api.get("/service").status());
        api.delete("/service_template/" + ok.json().path("DOCUMENT").path("ID").asText());
    }

    @Test
    void scaleIsBoundedEvenWithForceAndEvenForADryRun() {
        ApiClient.Response dry = api.postJson("/service/" + service + "/scale?dry_run=true",
                "{\"role_name\": \"web\", \"cardinality\": 1000000, \"force\": true}");
        assertEquals(400, dry.status(), dry.body());
        assertTrue(dry.body().contains("max_cardinality"), dry.body());
        ApiClient.Response big = api.postJson("/service_template", """
                {"name": "big", "roles": [{"name": "r", "type": "vm", "template_id": 0, "cardinality": 2147483647}]}
                """);
        assertEquals(400, big.status(), big.body());
        assertEquals("roles.r.cardinality", big.json().path("error").path("details").path("field").asText());
    }

    // ---- one input gate -----------------------------------------------------------------------------

    @Test
    void multipartIsRefusedBeforeAuthenticationAndNothingIsWritten() {
        String part = "x".repeat(100_000);
        String body = "--b\r\nContent-Disposition: form-data; name=\"f\"; filename=\"f.bin\"\r\n\r\n" + part
                + "\r\n--b--\r\n";
        RawHttp.Response r = RawHttp.exchange(server.port(), RawHttp.request("POST", "/service_template", null,
                "multipart/form-data; boundary=b", body));
        assertEquals(415, r.status(), r.body());
        RawHttp.Response authed = RawHttp.exchange(server.port(), RawHttp.request("POST", "/service_template",
                auth(), "multipart/form-data; boundary=b", body));
        assertEquals(415, authed.status(), authed.body());
        assertFalse(Files.exists(Path.of("file-uploads")), "no upload directory is ever made");
    }

    @Test
    void formBodiesGetA415NotA500() {
        for (String body : List.of("%", " ", "a=%zz", "{\"action\":{\"perform\":\"rename\",\"params\":{\"name\":\"100%\"}}}")) {
            RawHttp.Response r = RawHttp.exchange(server.port(), RawHttp.request("POST",
                    "/service/" + service + "/action", auth(), "application/x-www-form-urlencoded", body));
            assertEquals(415, r.status(), body + " -> " + r.body());
            assertTrue(r.body().contains("application/json"), r.body());
        }
        // The same rename as JSON works, percent sign and all.
        ApiClient.Response renamed = api.postJson("/service_template/" + template + "/action",
                "{\"action\":{\"perform\":\"rename\",\"params\":{\"name\":\"100%\"}}}");
        assertEquals(204, renamed.status(), renamed.body());
    }

    @Test
    void nulAndLoneSurrogatesAreRefusedNamingTheField() {
        ApiClient.Response nul = api.postJson("/service_template", """
                {"name": "a\\u0000b", "roles": [{"name": "r", "type": "vm", "template_id": 0}]}
                """);
        assertEquals(400, nul.status(), nul.body());
        assertEquals("body.name", nul.json().path("error").path("details").path("field").asText());
        ApiClient.Response surrogate = api.postJson("/service/" + service + "/action",
                "{\"action\":{\"perform\":\"rename\",\"params\":{\"name\":\"x\\ud800\"}}}");
        assertEquals(400, surrogate.status(), surrogate.body());
        assertEquals("body.action.params.name", surrogate.json().path("error").path("details").path("field").asText());
        ApiClient.Response sim = api.put("/sim/vm/0", "{\"state\": \"DONE\\u0000\"}");
        assertEquals(400, sim.status(), sim.body());
        assertEquals("shop", api.get("/service/" + service).json().path("DOCUMENT").path("NAME").asText());
    }

    @Test
    void credentialsWithNulAreRefusedAndUnknownUsersToo() {
        assertEquals(401, api.as("oneadmin", TestServer.PASSWORD + "\u0000").get("/service").status());
        assertEquals(401, api.as("one\u0000admin", TestServer.PASSWORD).get("/service").status());
        assertEquals(401, api.as("nobody", "x").get("/service").status());
        assertEquals(200, api.get("/service").status());
    }

    @Test
    void namesLongerThan128CharactersAreA400Everywhere() {
        String long129 = "n".repeat(129);
        ApiClient.Response create = api.postJson("/service_template", """
                {"name": "%s", "roles": [{"name": "r", "type": "vm", "template_id": 0}]}
                """.formatted(long129));
        assertEquals(400, create.status(), create.body());
        assertEquals("name", create.json().path("error").path("details").path("field").asText());
        ApiClient.Response clone = api.postJson("/service_template/" + template + "/action",
                "{\"action\":{\"perform\":\"clone\",\"params\":{\"name\":\"" + long129 + "\"}}}");
        assertEquals(400, clone.status(), clone.body());
        ApiClient.Response instantiate = api.postJson("/service_template/" + template + "/action",
                "{\"action\":{\"perform\":\"instantiate\",\"params\":{\"merge_template\":{\"name\":\"" + long129
                        + "\"}}}}");
        assertEquals(400, instantiate.status(), instantiate.body());
        ApiClient.Response fits = api.postJson("/service_template/" + template + "/action",
                "{\"action\":{\"perform\":\"clone\",\"params\":{\"name\":\"" + "n".repeat(128) + "\"}}}");
        assertEquals(201, fits.status(), fits.body());
        api.delete("/service_template/" + fits.json().path("DOCUMENT").path("ID").asText());
    }

    @Test
    void dotSegmentsNeverReachAnotherRoute() {
        RawHttp.Response sched = RawHttp.exchange(server.port(), RawHttp.request("DELETE",
                "/service/" + service + "/sched_action/..", auth(), null, null));
        assertEquals(400, sched.status(), sched.body());
        RawHttp.Response encoded = RawHttp.exchange(server.port(), RawHttp.request("DELETE",
                "/service/" + service + "/sched_action/%2e%2e", auth(), null, null));
        assertEquals(400, encoded.status(), encoded.body());
        RawHttp.Response role = RawHttp.exchange(server.port(), RawHttp.request("POST",
                "/service/" + service + "/role/../action", auth(), "application/json",
                "{\"action\":{\"perform\":\"poweroff\"}}"));
        assertEquals(400, role.status(), role.body());
        assertEquals(2, server.state(service), "the service is still RUNNING");
        assertEquals(0, server.body(service).path("log").findValuesAsText("message").stream()
                .filter(m -> m.contains("poweroff")).count(), "no action was scheduled");
    }

    @Test
    void idsAreAsciiDigitsWithinRange() {
        assertEquals(400, api.get("/service/%EF%BC%91").status(), "a fullwidth one is not 1");
        assertEquals(400, api.get("/service/-1").status());
        assertEquals(400, api.get("/service/2147483648").status());
        assertEquals(400, api.get("/service/%00").status());
        assertEquals(404, api.get("/service/2147483647").status());
        ApiClient.Response paged = api.get("/service?page=2147483647&page_size=2147483647");
        assertEquals(200, paged.status(), paged.body());
    }

    @Test
    void vmIdsMustBeWholeNumbersOfTheRole() {
        ApiClient.Response fraction = api.postJson("/service/" + service + "/role/web/action",
                "{\"action\":{\"perform\":\"reboot\",\"params\":{\"vm_ids\":[1.5]}}}");
        assertEquals(400, fraction.status(), fraction.body());
        ApiClient.Response foreign = api.postJson("/service/" + service + "/role/web/action",
                "{\"action\":{\"perform\":\"reboot\",\"params\":{\"vm_ids\":[987654]}}}");
        assertEquals(400, foreign.status(), foreign.body());
        assertEquals("action.params.vm_ids", foreign.json().path("error").path("details").path("field").asText());
        assertTrue(foreign.body().contains("987654"), foreign.body());
    }

    @Test
    void mergeTemplateRolesMustBeAnArrayOfRoles() {
        ApiClient.Response r = api.postJson("/service_template/" + template + "/action",
                "{\"action\":{\"perform\":\"instantiate\",\"params\":{\"merge_template\":{\"roles\":\"x\"}}}}");
        assertEquals(400, r.status(), r.body());
        assertEquals("merge_template.roles", r.json().path("error").path("details").path("field").asText());
    }

    @Test
    void simulatorInputsAreExact() {
        int vm = firstVm();
        for (String state : List.of("poweroff", "RUNNING ", "Done")) {
            assertEquals(400, api.put("/sim/vm/" + vm, "{\"state\": \"" + state + "\"}").status(), state);
        }
        assertEquals(400, api.put("/sim/outage", "{\"mode\": \"fail\", \"seconds\": 9223372036854775807}").status());
        assertEquals(400, api.postJson("/sim/template",
                "{\"name\": \"slow\", \"attributes\": {\"SIM_DEPLOY_SECONDS\": 1e308}}").status());
    }

    private static int firstVm() {
        return api.get("/sim/vm").json().path("VM").get(0).path("ID").asInt();
    }

    // ---- connections ---------------------------------------------------------------------------------

    @Test
    @Timeout(20)
    void halfSentRequestsAndIdleConnectionsAreClosed() throws IOException {
        try (Socket slowloris = new Socket("127.0.0.1", server.port());
             Socket idle = new Socket("127.0.0.1", server.port())) {
            slowloris.getOutputStream().write("GET /service HTTP/1.1\r\nHost: 127.0.0.1\r\nX-a: b\r\n"
                    .getBytes(StandardCharsets.US_ASCII));
            slowloris.setSoTimeout(10_000);
            idle.setSoTimeout(10_000);
            assertClosedByServer(slowloris);
            assertClosedByServer(idle);
        }
        // A keep-alive connection that was answered is closed when it sends nothing more.
        try (Socket keepAlive = new Socket("127.0.0.1", server.port())) {
            keepAlive.setSoTimeout(10_000);
            keepAlive.getOutputStream().write(("GET /service HTTP/1.1\r\nHost: 127.0.0.1\r\nAuthorization: " + auth()
                    + "\r\n\r\n").getBytes(StandardCharsets.US_ASCII));
            assertEquals(200, RawHttp.read(keepAlive.getInputStream()).status());
            assertClosedByServer(keepAlive);
        }
    }

    private static void assertClosedByServer(Socket socket) throws IOException {
        try {
            InputStream in = socket.getInputStream();
            while (in.read() >= 0) {
                // drain whatever the server says before it closes (an error status, maybe)
            }
        } catch (SocketException reset) {
            // a reset is a close too
        }
    }

    @Test
    @Timeout(60)
    void connectionsBeyondTheLimitAreClosedAndTheServerStaysUp() throws Exception {
        try (TestDatabase other = TestDatabase.fresh();
             TestServer small = TestServer.start(other, Map.of("FLOTILLA_MAX_CONNECTIONS", "10"))) {
            // The test's own HTTP client is not used on this server: the ten places are the sockets'.
            List<Socket> held = new ArrayList<>();
            try {
                for (int i = 0; i < 10; i++) {
                    Socket s = new Socket("127.0.0.1", small.port());
                    s.setSoTimeout(10_000);
                    s.getOutputStream().write(("GET /service HTTP/1.1\r\nHost: x\r\nAuthorization: " + auth()
                            + "\r\n\r\n").getBytes(StandardCharsets.US_ASCII));
                    assertEquals(200, RawHttp.read(s.getInputStream()).status());
                    held.add(s);
                }
                try (Socket eleventh = new Socket("127.0.0.1", small.port())) {
                    eleventh.setSoTimeout(10_000);
                    eleventh.getOutputStream().write(("GET /service HTTP/1.1\r\nHost: x\r\nAuthorization: " + auth()
                            + "\r\n\r\n").getBytes(StandardCharsets.US_ASCII));
                    assertThrows(IOException.class, () -> RawHttp.read(eleventh.getInputStream()),
                            "the eleventh connection is closed unanswered");
                }
            } finally {
                for (Socket s : held) {
                    s.close();
                }
            }
            await().atMost(Duration.ofSeconds(10)).ignoreExceptions().until(() -> RawHttp.exchange(small.port(),
                    RawHttp.request("GET", "/service", auth(), null, null)).status() == 200);
        }
    }

    @Test
    @Timeout(30)
    void aPortInUseIsAClearStartFailure() throws Exception {
        try (ServerSocket taken = new ServerSocket(0); TestDatabase other = TestDatabase.fresh()) {
            FlotillaServer.StartFailure failure = assertThrows(FlotillaServer.StartFailure.class,
                    () -> TestServer.start(other, Map.of("FLOTILLA_PORT", Integer.toString(taken.getLocalPort()))));
            assertTrue(failure.getMessage().contains("cannot listen on 127.0.0.1:" + taken.getLocalPort()),
                    failure.getMessage());
            assertTrue(failure.getMessage().contains("FLOTILLA_PORT"), failure.getMessage());
        }
    }

    // ---- the event stream ------------------------------------------------------------------------------

    @Test
    @Timeout(30)
    void aSubscriberThatDoesNotAnswerPingsIsClosedWith1008() throws Exception {
        try (Socket socket = openStream("?since=0")) {
            DataInputStream in = new DataInputStream(socket.getInputStream());
            Frame frame;
            boolean pinged = false;
            do {
                frame = Frame.read(in);
                pinged |= frame.opcode() == 0x9;
            } while (frame.opcode() != 0x8);
            assertTrue(pinged, "the server asked before giving up");
            assertEquals(1008, frame.closeCode());
            assertTrue(frame.closeReason().contains("too slow"), frame.closeReason());
        }
    }

    @Test
    @Timeout(60)
    void aSubscriberThatReadsNothingIsDroppedAndTheCloseIsTheLastFrame() throws Exception {
        try (Socket socket = openStream("?since=0")) {
            // Reads nothing until the server has let it go.
            await().atMost(Duration.ofSeconds(30)).until(() -> server.flotilla().clients().openStreams() == 0);
            DataInputStream in = new DataInputStream(socket.getInputStream());
            Frame last = null;
            try {
                while (true) {
                    last = Frame.read(in);
                }
            } catch (EOFException | SocketException end) {
                // the server closed the connection after its close frame
            }
            assertNotNull(last);
            assertEquals(0x8, last.opcode(), "the close frame is the last thing sent");
            assertEquals(1008, last.closeCode());
        }
    }

    @Test
    @Timeout(30)
    void streamsPerUserAreLimited() throws Exception {
        HttpClient http = HttpClient.newHttpClient();
        List<WebSocket> open = new ArrayList<>();
        try {
            for (int i = 0; i < 3; i++) {
                open.add(connect(http));
            }
            CompletionException refused = assertThrows(CompletionException.class, () -> connect(http));
            assertTrue(refused.getCause() instanceof WebSocketHandshakeException, refused.toString());
            assertEquals(429, ((WebSocketHandshakeException) refused.getCause()).getResponse().statusCode());
            open.remove(0).sendClose(WebSocket.NORMAL_CLOSURE, "bye").join();
            await().atMost(Duration.ofSeconds(10)).ignoreExceptions().until(() -> open.add(connect(http)));
        } finally {
            open.forEach(ws -> ws.abort());
        }
    }

    private static WebSocket connect(HttpClient http) {
        return http.newWebSocketBuilder().header("Authorization", auth())
                .buildAsync(URI.create("ws://127.0.0.1:" + server.port() + "/events"), new WebSocket.Listener() {
                })
                .orTimeout(10, TimeUnit.SECONDS).join();
    }

    /** A WebSocket opened by hand, so the test decides what (not) to read and (not) to answer. */
    private static Socket openStream(String query) throws IOException {
        Socket socket = new Socket("127.0.0.1", server.port());
        socket.setReceiveBufferSize(4096);
        socket.setSoTimeout(20_000);
        socket.getOutputStream().write(("GET /events" + query + " HTTP/1.1\r\nHost: 127.0.0.1\r\n"
                + "Upgrade: websocket\r\nConnection: Upgrade\r\nSec-WebSocket-Key: dGhlIHNhbXBsZSBub25jZQ==\r\n"
                + "Sec-WebSocket-Version: 13\r\nAuthorization: " + auth() + "\r\n\r\n")
                .getBytes(StandardCharsets.US_ASCII));
        ByteArrayOutputStream head = new ByteArrayOutputStream();
        InputStream in = socket.getInputStream();
        while (!head.toString(StandardCharsets.ISO_8859_1).endsWith("\r\n\r\n")) {
            int b = in.read();
            if (b < 0) {
                throw new EOFException("closed during the handshake: " + head);
            }
            head.write(b);
        }
        assertTrue(head.toString(StandardCharsets.ISO_8859_1).startsWith("HTTP/1.1 101"), head.toString());
        return socket;
    }

    /** An unmasked server frame. */
    private record Frame(int opcode, byte[] payload) {
        static Frame read(DataInputStream in) throws IOException {
            int first = in.readUnsignedByte();
            int second = in.readUnsignedByte();
            long length = second & 0x7f;
            if (length == 126) {
                length = in.readUnsignedShort();
            } else if (length == 127) {
                length = in.readLong();
            }
            byte[] payload = new byte[(int) length];
            in.readFully(payload);
            return new Frame(first & 0x0f, payload);
        }

        int closeCode() {
            return ((payload[0] & 0xff) << 8) | (payload[1] & 0xff);
        }

        String closeReason() {
            return new String(payload, 2, payload.length - 2, StandardCharsets.UTF_8);
        }
    }

    // ---- outages ---------------------------------------------------------------------------------------

    @Test
    @Timeout(60)
    void aDatabaseOutageIsA503WithRetryAfterThenServiceResumes() {
        ApiClient stranger = api.as("stranger", "whatever");
        int services = api.get("/service").json().path("DOCUMENT_POOL").path("DOCUMENT").size();
        database.cut();
        try {
            ApiClient.Response list = api.withHeader("Cache-Control", "no-cache").get("/service");
            assertEquals(503, list.status(), list.body());
            assertFalse(list.body().contains("127.0.0.1") || list.body().contains("5432")
                    || list.body().toLowerCase().contains("refused"), list.body());
            // Documents in memory are what was committed before the outage (nothing commits during it).
            ApiClient.Response cached = api.get("/service");
            assertEquals(200, cached.status(), cached.body());
            assertEquals(services, cached.json().path("DOCUMENT_POOL").path("DOCUMENT").size());
            RawHttp.Response raw = RawHttp.exchange(server.port(),
                    RawHttp.request("GET", "/service_template", auth(), null, null));
            assertTrue(raw.head().toLowerCase().contains("retry-after: "), raw.head());
            assertEquals(503, stranger.get("/service").status(), "unknown credentials cannot be checked either");
            ApiClient.Response instantiate = api.postJson("/service_template/" + template + "/action",
                    "{\"action\":{\"perform\":\"instantiate\"}}");
            assertEquals(503, instantiate.status(), instantiate.body());
        } finally {
            database.restore();
        }
        await().atMost(Duration.ofSeconds(30)).until(() -> api.get("/service").status() == 200);
        assertEquals(401, stranger.get("/service").status());
        JsonNode after = api.get("/service").json().path("DOCUMENT_POOL").path("DOCUMENT");
        assertEquals(services, after.size(), "the refused instantiate left nothing behind");
    }

    /** JSON string quoting for test bodies. */
    private static final class ApiClientJson {
        static String quote(String text) {
            return "\"" + text.replace("\\", "\\\\").replace("\"", "\\\"") + "\"";
        }
    }
}
