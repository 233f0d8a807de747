package dev.flotilla.domain;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import com.fasterxml.jackson.databind.node.ObjectNode;

import java.util.List;
import java.util.Map;
import java.util.TreeMap;

/**
 * A policy's bookkeeping ({@code last_eval}, {@code true_evals}, {@code expression_evaluated}) kept
 * apart from its definition: the autoscaler writes only the bookkeeping, a PUT only the definition,
 * so neither can undo the other. Bookkeeping belongs to the definition it counted (its
 * fingerprint): an edited policy starts counting afresh.
 */
public final class PolicyCounters {
    /** The keys OneFlow shows inside a policy that are bookkeeping, not definition. */
    public static final List<String> KEYS = List.of("last_eval", "true_evals", "expression_evaluated");

    private PolicyCounters() {
    }

    /** Stored bookkeeping of the policy at one position. */
    public record Stored(String fingerprint, ObjectNode counters, int version) {
    }

    /** The policy without its bookkeeping. */
    public static ObjectNode definition(JsonNode policy) {
        ObjectNode copy = ((ObjectNode) policy).deepCopy();
        copy.remove(KEYS);
        return copy;
    }

    /** The definition, written with its keys in order: equal for equal definitions. */
    public static String fingerprint(JsonNode policy) {
        return canonical(definition(policy)).toString();
    }

    /** The bookkeeping only. */
    public static ObjectNode counters(JsonNode policy) {
        ObjectNode out = JsonNodeFactory.instance.objectNode();
        for (String key : KEYS) {
            if (policy.has(key)) {
                out.set(key, policy.get(key));
            }
        }
        return out;
    }

    /**
     * The policies as definitions with the stored bookkeeping of each put back where it was
     * counted for that very definition; {@code null} stays null.
     */
    public static ArrayNode withCounters(ArrayNode policies, Map<Integer, Stored> stored) {
        if (policies == null) {
            return null;
        }
        ArrayNode out = JsonNodeFactory.instance.arrayNode();
        for (int i = 0; i < policies.size(); i++) {
            if (!policies.get(i).isObject()) {
                out.add(policies.get(i));
                continue;
            }
            ObjectNode policy = definition(policies.get(i));
            Stored s = stored.get(i);
            if (s != null && s.fingerprint().equals(fingerprint(policy))) {
                policy.setAll(s.counters());
            }
            out.add(policy);
        }
        return out;
    }

    private static JsonNode canonical(JsonNode node) {
        if (node.isObject()) {
            TreeMap<String, JsonNode> sorted = new TreeMap<>();
            node.properties().forEach(e -> sorted.put(e.getKey(), canonical(e.getValue())));
            ObjectNode out = JsonNodeFactory.instance.objectNode();
            sorted.forEach(out::set);
            return out;
        }
        if (node.isArray()) {
            ArrayNode out = JsonNodeFactory.instance.arrayNode();
            node.forEach(item -> out.add(canonical(item)));
            return out;
        }
        return node;
    }
}
