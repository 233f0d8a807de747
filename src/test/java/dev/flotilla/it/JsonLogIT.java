package dev.flotilla.it;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.flotilla.support.ApiClient;
import dev.flotilla.support.ServerProcess;
import dev.flotilla.support.TestDatabase;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;

import static org.awaitility.Awaitility.await;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assertions.fail;

/**
 * {@code FLOTILLA_LOG_FORMAT=json} on the packaged server: every log line is a JSON object with its
 * timestamp, level, logger and message, and the engine's lines carry the service id and the trigger
 * as fields. (A request id becomes a field the same way, from the API's 5xx lines, which a test
 * cannot cause on purpose: JsonLogLineTest reads one.)
 */
class JsonLogIT {
    private static final ObjectMapper JSON = new ObjectMapper();
    private static TestDatabase db;
    private static ServerProcess server;
    private static final String NAME = "jsonlog-" + System.currentTimeMillis();
    private static final Path LOG = Path.of("target", NAME + "-server.log");

    @BeforeAll
    static void start() {
        db = TestDatabase.fresh();
        server = new ServerProcess(db, NAME, Map.of("FLOTILLA_LOG_FORMAT", "json",
                "FLOTILLA_SIM_DEPLOY_SECONDS", "0.3", "FLOTILLA_SIM_TERMINATE_SECONDS", "0.3"));
        server.start();
    }

    @AfterAll
    static void stop() {
        server.close();
        db.close();
    }

    private static List<String> lines() {
        try {
            return Files.readAllLines(LOG);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    /** The log's JSON lines; a log line in any other form fails the test. */
    private static List<JsonNode> entries() {
        List<JsonNode> out = new ArrayList<>();
        for (String line : lines()) {
            if (line.startsWith("Flotilla listening on ")) {
                continue; // Main's announcement on stdout (shared with stderr here), not a log line
            }
            boolean textLogLine = line.matches("\\d\\d\\d\\d-\\d\\d-\\d\\d \\d\\d:\\d\\d:\\d\\d.*")
                    || line.matches(".*\\b(INFO|WARN|ERROR) .*");
            if (!line.startsWith("{") && textLogLine) {
                fail("a text log line in json mode: " + line);
            }
            if (line.startsWith("{")) {
                try {
                    out.add(JSON.readTree(line));
                } catch (IOException e) {
                    fail("not JSON: " + line);
                }
            }
        }
        return out;
    }

    private static Optional<JsonNode> find(java.util.function.Predicate<JsonNode> which) {
        return entries().stream().filter(which).findFirst();
    }

    @Test
    void engineLinesCarryTheServiceAndTheTrigger() {
        ApiClient api = server.api();
        ApiClient.Response template = api.post("/service_template", "{\"name\": \"logged\", \"roles\": "
                + "[{\"name\": \"web\", \"type\": \"vm\", \"template_id\": 0, \"cardinality\": 1}]}");
        assertEquals(201, template.status(), template.body());
        int templateId = template.json().path("DOCUMENT").path("ID").asInt();
        ApiClient.Response service = api.post("/service_template/" + templateId + "/action",
                "{\"action\": {\"perform\": \"instantiate\"}}");
        assertEquals(201, service.status(), service.body());
        int serviceId = service.json().path("DOCUMENT").path("ID").asInt();

        await().atMost(Duration.ofSeconds(30)).until(() -> find(e -> e.path("service_id").asInt(-1) == serviceId
                && e.has("trigger")).isPresent());
        JsonNode line = find(e -> e.path("service_id").asInt(-1) == serviceId && e.has("trigger")).orElseThrow();
        assertTrue(line.get("service_id").isInt(), line.toString());
        assertEquals("INFO", line.get("level").asText(), line.toString());
        assertTrue(line.get("logger").asText().startsWith("dev.flotilla."), line.toString());
        assertTrue(line.get("message").asText().startsWith("service=" + serviceId + " "), line.toString());
        Instant at = Instant.parse(line.get("timestamp").asText());
        assertTrue(Duration.between(at, Instant.now()).abs().toMinutes() < 5, "a real timestamp: " + at);
    }
}
