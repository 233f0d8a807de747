package dev.flotilla.domain;

import com.cronutils.model.CronType;
import com.cronutils.model.definition.CronDefinitionBuilder;
import com.cronutils.model.time.ExecutionTime;
import com.cronutils.parser.CronParser;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;

import java.time.Instant;
import java.time.LocalDateTime;
import java.time.OffsetDateTime;
import java.time.ZoneId;
import java.time.format.DateTimeFormatter;
import java.time.format.DateTimeParseException;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;

/**
 * The autoscaler's decision for one role in one pass (elasticity.md §2, §5, §8): scheduled
 * policies first, then elasticity policies, then the minimum rule. Pure: the clock and zone are
 * given, the policies' bookkeeping ({@code last_eval}, {@code true_evals},
 * {@code expression_evaluated}) comes back updated, and every evaluation says what it saw and why.
 */
public final class Autoscaling {
    private static final CronParser CRON = new CronParser(CronDefinitionBuilder.instanceDefinitionFor(CronType.UNIX));
    private static final DateTimeFormatter LOCAL = DateTimeFormatter.ofPattern("yyyy-MM-dd HH:mm:ss");

    private Autoscaling() {
    }

    /** A role as the autoscaler reads it. Policies are the role body's arrays (copied, then updated). */
    public record Role(String name, int cardinality, Integer minVms, Integer maxVms, ArrayNode elasticityPolicies,
                       ArrayNode scheduledPolicies) {
    }

    /** One policy looked at in one pass. */
    public record Evaluation(String policy, String evaluated, Integer trueEvals, Integer periodNumber,
                             int newCardinality, String decision, String reason) {
    }

    /** The outcome: the cardinality to ask for (equal = no change), the updated policies, and the explanations. */
    public record Decision(int newCardinality, ArrayNode elasticityPolicies, ArrayNode scheduledPolicies,
                           List<Evaluation> evaluations) {
        public boolean scales(int current) {
            return newCardinality != current;
        }
    }

    public static Decision decide(Role role, List<Map<String, Double>> runningVms, Instant now, ZoneId zone) {
        ArrayNode elasticity = role.elasticityPolicies() == null ? null : role.elasticityPolicies().deepCopy();
        ArrayNode scheduled = role.scheduledPolicies() == null ? null : role.scheduledPolicies().deepCopy();
        List<Evaluation> evaluations = new ArrayList<>();
        int c = role.cardinality();
        int min = role.minVms() == null ? 0 : role.minVms();
        int max = role.maxVms() == null ? 0 : role.maxVms();

        for (int i = 0; scheduled != null && i < scheduled.size(); i++) {
            ObjectNode policy = (ObjectNode) scheduled.get(i);
            String label = "scheduled #" + i;
            long prev = policy.path("last_eval").asLong(0);
            policy.put("last_eval", now.getEpochSecond());
            if (prev == 0) {
                evaluations.add(new Evaluation(label, null, null, null, c, "no change",
                        "first look at this policy: earlier occurrences are not run"));
                continue;
            }
            Optional<Instant> target = target(policy, Instant.ofEpochSecond(prev), zone);
            if (target.isEmpty() || !target.get().isAfter(Instant.ofEpochSecond(prev)) || target.get().isAfter(now)) {
                evaluations.add(new Evaluation(label, null, null, null, c, "no change",
                        target.map(t -> "next at " + t).orElse("no time to fire at")));
                continue;
            }
            int next = newCardinality(policy, c, min, max);
            boolean late = now.getEpochSecond() - target.get().getEpochSecond() > 60;
            String reason = "scale " + role.name() + " " + c + "→" + next + ": " + describe(policy) + " due at "
                    + target.get() + (late ? " (fired late: missed while the server was down or the service busy)" : "");
            evaluations.add(new Evaluation(label, null, null, null, next, next == c ? "no change" : "scale",
                    next == c ? "no change: " + reason : reason));
            return new Decision(next, elasticity, scheduled, evaluations);
        }

        for (int i = 0; elasticity != null && i < elasticity.size(); i++) {
            ObjectNode policy = (ObjectNode) elasticity.get(i);
            String label = "elasticity #" + i;
            long period = policy.path("period").asLong(0);
            long lastEval = policy.path("last_eval").asLong(0);
            int periodNumber = policy.path("period_number").asInt(0);
            if (lastEval != 0 && now.getEpochSecond() < lastEval + period) {
                evaluations.add(new Evaluation(label, policy.path("expression_evaluated").asText(null),
                        policy.path("true_evals").asInt(0), periodNumber, c, "no change",
                        "not evaluated: period of " + period + " s not over ("
                                + (lastEval + period - now.getEpochSecond()) + " s left)"));
                continue;
            }
            policy.put("last_eval", now.getEpochSecond());
            PolicyExpression.Result result;
            try {
                result = PolicyExpression.parse(policy.path("expression").asText("")).evaluate(
                        PolicyExpression.metrics(runningVms));
            } catch (PolicyExpression.ParseException e) {
                result = new PolicyExpression.Result(false, "Parse error. '" + policy.path("expression").asText()
                        + "': " + e.getMessage());
            }
            policy.put("expression_evaluated", result.text());
            int trueEvals = result.value() ? Math.min(policy.path("true_evals").asInt(0) + 1, periodNumber) : 0;
            policy.put("true_evals", trueEvals);
            boolean fires = result.value() && trueEvals >= periodNumber;
            int next = fires ? newCardinality(policy, c, min, max) : c;
            String counted = trueEvals + "/" + periodNumber + " periods";
            String reason;
            if (!result.value()) {
                reason = "no change: " + result.text() + " is false";
            } else if (!fires) {
                reason = "no change yet: " + result.text() + " for " + counted;
            } else if (next == c) {
                reason = "no change: " + result.text() + " for " + counted + " but " + role.name()
                        + " is at its bound (" + c + ")";
            } else {
                reason = "scale " + role.name() + " " + c + "→" + next + ": " + result.text() + " for " + counted;
            }
            evaluations.add(new Evaluation(label, result.text(), trueEvals, periodNumber, next,
                    next == c ? "no change" : "scale", reason));
            if (next != c) {
                return new Decision(next, elasticity, scheduled, evaluations);
            }
        }

        if (c < min) {
            evaluations.add(new Evaluation("min_vms", null, null, null, min, "scale",
                    "scale " + role.name() + " " + c + "→" + min + ": below min_vms " + min));
            return new Decision(min, elasticity, scheduled, evaluations);
        }
        return new Decision(c, elasticity, scheduled, evaluations);
    }

    static int newCardinality(JsonNode policy, int current, int min, int max) {
        ScalingArithmetic.Type type = ScalingArithmetic.Type.valueOf(policy.path("type").asText("CHANGE"));
        Integer step = policy.hasNonNull("min_adjust_step") ? policy.get("min_adjust_step").asInt() : null;
        return ScalingArithmetic.newCardinality(type, policy.path("adjust").asInt(0), step, current, min, max);
    }

    /** When a scheduled policy is due: its {@code start_time}, or the first cron occurrence after {@code prev}. */
    static Optional<Instant> target(JsonNode policy, Instant prev, ZoneId zone) {
        if (policy.hasNonNull("start_time")) {
            return parseTime(policy.get("start_time").asText(), zone);
        }
        if (policy.hasNonNull("recurrence")) {
            try {
                ExecutionTime schedule = ExecutionTime.forCron(CRON.parse(policy.get("recurrence").asText()));
                return schedule.nextExecution(prev.atZone(zone)).map(t -> t.toInstant());
            } catch (IllegalArgumentException e) {
                return Optional.empty();
            }
        }
        return Optional.empty();
    }

    /** Epoch seconds, ISO-8601 with a zone, or {@code YYYY-MM-DD hh:mm:ss} in the server's zone. */
    public static Optional<Instant> parseTime(String text, ZoneId zone) {
        String value = text.trim();
        if (value.matches("[0-9]+")) {
            return Optional.of(Instant.ofEpochSecond(Long.parseLong(value)));
        }
        try {
            return Optional.of(OffsetDateTime.parse(value).toInstant());
        } catch (DateTimeParseException ignored) {
            // try the local form
        }
        try {
            return Optional.of(LocalDateTime.parse(value, LOCAL).atZone(zone).toInstant());
        } catch (DateTimeParseException e) {
            return Optional.empty();
        }
    }

    /** Whether a cron expression is valid (5 fields, UNIX syntax). */
    public static boolean isCron(String text) {
        try {
            CRON.parse(text.trim());
            return text.trim().split("\\s+").length == 5;
        } catch (IllegalArgumentException e) {
            return false;
        }
    }

    private static String describe(JsonNode policy) {
        return policy.path("type").asText() + " " + policy.path("adjust").asText()
                + (policy.hasNonNull("recurrence") ? " at '" + policy.get("recurrence").asText() + "'"
                : " at " + policy.path("start_time").asText());
    }
}
