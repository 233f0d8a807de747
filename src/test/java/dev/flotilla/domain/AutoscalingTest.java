package dev.flotilla.domain;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ArrayNode;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

import java.time.Instant;
import java.time.ZoneId;
import java.time.ZoneOffset;
import java.util.List;
import java.util.Map;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

class AutoscalingTest {
    private static final ObjectMapper JSON = new ObjectMapper();
    private static final ZoneId UTC = ZoneOffset.UTC;
    private static final Instant T0 = Instant.parse("2026-11-26T21:59:30Z");

    private static ArrayNode array(String json) throws Exception {
        return (ArrayNode) JSON.readTree(json);
    }

    private static List<Map<String, Double>> cpu(double... values) {
        return java.util.Arrays.stream(values).mapToObj(v -> Map.of("CPU", v)).toList();
    }

    @Test
    void anElasticityPolicyFiresAfterPeriodNumberTruePeriods() throws Exception {
        ArrayNode policies = array("[{\"type\":\"CHANGE\",\"adjust\":2,\"expression\":\"CPU > 70\",\"period_number\":3}]");
        int c = 3;
        for (int pass = 1; pass <= 3; pass++) {
            Autoscaling.Decision d = Autoscaling.decide(new Autoscaling.Role("web", c, 1, 10, policies, null),
                    cpu(80, 86), T0.plusSeconds(pass * 90L), UTC);
            policies = d.elasticityPolicies();
            assertEquals(pass, policies.get(0).get("true_evals").asInt());
            assertEquals("CPU[83.0] > 70", policies.get(0).get("expression_evaluated").asText());
            if (pass < 3) {
                assertEquals(c, d.newCardinality());
                assertEquals("no change yet: CPU[83.0] > 70 for " + pass + "/3 periods", d.evaluations().get(0).reason());
            } else {
                assertEquals(5, d.newCardinality());
                assertEquals("scale web 3→5: CPU[83.0] > 70 for 3/3 periods", d.evaluations().get(0).reason());
            }
        }
    }

    @Test
    void aFalseEvaluationResetsTheCountAndThePeriodGatesEvaluations() throws Exception {
        ArrayNode policies = array("[{\"type\":\"CHANGE\",\"adjust\":1,\"expression\":\"CPU > 70\",\"period_number\":2,"
                + "\"period\":60,\"true_evals\":1,\"last_eval\":" + T0.getEpochSecond() + "}]");
        Autoscaling.Decision early = Autoscaling.decide(new Autoscaling.Role("web", 2, 1, 5, policies, null), cpu(90),
                T0.plusSeconds(30), UTC);
        assertTrue(early.evaluations().get(0).reason().startsWith("not evaluated: period of 60 s not over (30 s left)"));
        assertEquals(1, early.elasticityPolicies().get(0).get("true_evals").asInt());
        Autoscaling.Decision low = Autoscaling.decide(new Autoscaling.Role("web", 2, 1, 5, policies, null), cpu(10),
                T0.plusSeconds(60), UTC);
        assertEquals(0, low.elasticityPolicies().get(0).get("true_evals").asInt());
        assertEquals("no change: CPU[10.0] > 70 is false", low.evaluations().get(0).reason());
    }

    @Test
    void noDataMeansFalseAndBoundsStopTheChange() throws Exception {
        ArrayNode policies = array("[{\"type\":\"CHANGE\",\"adjust\":1,\"expression\":\"CPU > 70\"}]");
        Autoscaling.Decision none = Autoscaling.decide(new Autoscaling.Role("web", 2, 1, 5, policies, null), List.of(),
                T0, UTC);
        assertEquals("no change: CPU[--] > 70 is false", none.evaluations().get(0).reason());
        Autoscaling.Decision atMax = Autoscaling.decide(new Autoscaling.Role("web", 5, 1, 5, policies, null), cpu(99),
                T0, UTC);
        assertFalse(atMax.scales(5));
        assertTrue(atMax.evaluations().get(0).reason().contains("at its bound (5)"));
    }

    @Test
    void theMinimumRuleRaisesToMinVms() {
        Autoscaling.Decision d = Autoscaling.decide(new Autoscaling.Role("web", 1, 3, 5, null, null), List.of(), T0, UTC);
        assertEquals(3, d.newCardinality());
        assertEquals("scale web 1→3: below min_vms 3", d.evaluations().get(0).reason());
    }

    @Test
    void aScheduledStartTimeFiresOnceAndNotOnTheFirstLook() throws Exception {
        ArrayNode policies = array("[{\"type\":\"CARDINALITY\",\"adjust\":4,\"start_time\":\""
                + T0.plusSeconds(60).getEpochSecond() + "\"}]");
        Autoscaling.Decision first = Autoscaling.decide(new Autoscaling.Role("web", 1, 1, 5, null, policies), List.of(),
                T0, UTC);
        assertFalse(first.scales(1));
        Autoscaling.Decision before = Autoscaling.decide(new Autoscaling.Role("web", 1, 1, 5, null,
                first.scheduledPolicies()), List.of(), T0.plusSeconds(30), UTC);
        assertFalse(before.scales(1));
        Autoscaling.Decision due = Autoscaling.decide(new Autoscaling.Role("web", 1, 1, 5, null,
                before.scheduledPolicies()), List.of(), T0.plusSeconds(90), UTC);
        assertEquals(4, due.newCardinality());
        Autoscaling.Decision after = Autoscaling.decide(new Autoscaling.Role("web", 4, 1, 5, null,
                due.scheduledPolicies()), List.of(), T0.plusSeconds(180), UTC);
        assertFalse(after.scales(4), "a start_time fires once");
    }

    /** A recurrence fires when its next occurrence after the last look has come; late ones say so. */
    @ParameterizedTest(name = "last look {0}, now {1} -> fires {2}")
    @CsvSource({
        "2026-11-26T21:59:30Z,2026-11-26T22:00:10Z,true,false",
        "2026-11-26T22:00:10Z,2026-11-26T22:01:30Z,false,false",
        "2026-11-26T21:00:00Z,2026-11-27T09:00:00Z,true,true"})
    void cronRecurrence(String last, String now, boolean fires, boolean late) throws Exception {
        ArrayNode policies = array("[{\"type\":\"CARDINALITY\",\"adjust\":2,\"recurrence\":\"0 22 * * *\","
                + "\"last_eval\":" + Instant.parse(last).getEpochSecond() + "}]");
        Autoscaling.Decision d = Autoscaling.decide(new Autoscaling.Role("web", 5, 1, 10, null, policies), List.of(),
                Instant.parse(now), UTC);
        assertEquals(fires, d.scales(5));
        if (fires) {
            assertEquals(late, d.evaluations().get(0).reason().contains("fired late"), d.evaluations().get(0).reason());
        }
        assertEquals(Instant.parse(now).getEpochSecond(), d.scheduledPolicies().get(0).get("last_eval").asLong());
    }

    @ParameterizedTest(name = "cron ''{0}'' valid={1}")
    @CsvSource({"0 22 * * *,true", "30 22 * * mon-fri,true", "*/5 * * * *,true", "0 22 * *,false",
        "61 * * * *,false", "0 22 * * * *,false", "a b c d e,false"})
    void cronValidation(String expression, boolean valid) {
        assertEquals(valid, Autoscaling.isCron(expression));
    }
}
