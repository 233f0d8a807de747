package dev.flotilla.logging;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import org.junit.jupiter.api.Test;

import java.time.Instant;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

class JsonLogLineTest {
    private static final Instant AT = Instant.parse("2026-01-02T03:04:05.678Z");

    private static JsonNode line(String message, Throwable error) throws Exception {
        return new ObjectMapper().readTree(JsonLogLine.of(AT, "INFO", "dev.flotilla.engine.Reconciler", message, error));
    }

    @Test
    void theLeadingKeyValueWordsBecomeFields() throws Exception {
        JsonNode line = line("service=12 role=web trigger=poll state -> RUNNING", null);
        assertEquals("2026-01-02T03:04:05.678Z", line.get("timestamp").asText());
        assertEquals("INFO", line.get("level").asText());
        assertEquals("dev.flotilla.engine.Reconciler", line.get("logger").asText());
        assertEquals("service=12 role=web trigger=poll state -> RUNNING", line.get("message").asText());
        assertTrue(line.get("service_id").isInt());
        assertEquals(12, line.get("service_id").asInt());
        assertEquals("web", line.get("role").asText());
        assertEquals("poll", line.get("trigger").asText());

        JsonNode request = line("request=7f3a GET /drift answered 503: x=1", null);
        assertEquals("7f3a", request.get("request_id").asText());
        assertFalse(request.has("x"), "only the leading words, and only the known ones");
    }

    @Test
    void wordsInsideTheMessageAndUnknownKeysAreLeftAlone() throws Exception {
        JsonNode line = line("command scale failed: service=3 is gone", null);
        assertFalse(line.has("service_id"));
        assertFalse(line("colour=blue service=3", null).has("service_id"), "an unknown key ends the leading words");
    }

    @Test
    void anExceptionComesWithItsStackAndQuotesAreEscaped() throws Exception {
        JsonNode line = line("he said \"no\"\nthen left", new IllegalStateException("broken"));
        assertEquals("he said \"no\"\nthen left", line.get("message").asText());
        assertEquals("java.lang.IllegalStateException: broken", line.get("error").asText());
        assertTrue(line.get("stack").asText().contains("JsonLogLineTest"), line.get("stack").asText());
    }
}
