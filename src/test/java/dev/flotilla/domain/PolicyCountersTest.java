package dev.flotilla.domain;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import org.junit.jupiter.api.Test;

import java.util.Map;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

class PolicyCountersTest {
    private static final ObjectMapper JSON = new ObjectMapper();

    @Test
    void theFingerprintIsTheDefinitionWhateverTheCountsAndTheKeyOrder() throws Exception {
        String a = PolicyCounters.fingerprint(JSON.readTree(
                "{\"type\": \"CHANGE\", \"adjust\": 1, \"expression\": \"CPU > 80\", \"true_evals\": 2, \"last_eval\": 5}"));
        String b = PolicyCounters.fingerprint(JSON.readTree(
                "{\"expression\": \"CPU > 80\", \"adjust\": 1, \"type\": \"CHANGE\"}"));
        assertEquals(a, b);
        assertNotEquals(a, PolicyCounters.fingerprint(JSON.readTree(
                "{\"expression\": \"CPU > 90\", \"adjust\": 1, \"type\": \"CHANGE\"}")));
    }

    @Test
    void storedCountsComeBackOnlyOnTheDefinitionTheyCounted() throws Exception {
        ObjectNode policy = (ObjectNode) JSON.readTree("{\"type\": \"CHANGE\", \"adjust\": 1, \"expression\": \"CPU > 80\"}");
        ObjectNode counts = (ObjectNode) JSON.readTree("{\"true_evals\": 2, \"last_eval\": 1000}");
        Map<Integer, PolicyCounters.Stored> stored = Map.of(0,
                new PolicyCounters.Stored(PolicyCounters.fingerprint(policy), counts, 4));

        ArrayNode same = JSON.createArrayNode().add(policy.deepCopy().put("true_evals", 9));
        ObjectNode shown = (ObjectNode) PolicyCounters.withCounters(same, stored).get(0);
        assertEquals(2, shown.get("true_evals").asInt(), "the stored count, not one left in the body");
        assertEquals("CPU > 80", shown.get("expression").asText());

        ArrayNode edited = JSON.createArrayNode().add(policy.deepCopy().put("expression", "CPU > 95"));
        ObjectNode fresh = (ObjectNode) PolicyCounters.withCounters(edited, stored).get(0);
        assertFalse(fresh.has("true_evals"), "an edited policy starts counting afresh");
        assertTrue(PolicyCounters.counters(shown).has("last_eval"));
        assertEquals(null, PolicyCounters.withCounters(null, stored));
    }
}
