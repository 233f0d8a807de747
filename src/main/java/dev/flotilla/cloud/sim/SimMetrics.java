package dev.flotilla.cloud.sim;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.flotilla.json.Json;

import java.util.Locale;
import java.util.Map;

/**
 * Synthetic monitoring so a demo scales by itself: per VM template or role contents,
 * {@code SIM_MONITOR_<ATTR>} = {@code constant:<v>}, {@code ramp:<start>:<per second>[:<max>]} or
 * {@code sine:<mean>:<amplitude>:<period s>}, computed from the VM's age. Pure.
 */
public final class SimMetrics {
    private static final String PREFIX = "SIM_MONITOR_";

    private SimMetrics() {
    }

    /** The generator specs among a VM's template attributes, by attribute name. */
    static ObjectNode generators(ObjectNode attributes) {
        ObjectNode out = Json.object();
        for (Map.Entry<String, JsonNode> e : attributes.properties()) {
            if (e.getKey().startsWith(PREFIX) && e.getKey().length() > PREFIX.length()) {
                out.put(e.getKey().substring(PREFIX.length()).toUpperCase(Locale.ROOT), e.getValue().asText());
            }
        }
        return out;
    }

    /** A generator's value {@code ageSeconds} after the VM was created; NaN for a spec it does not understand. */
    public static double value(String spec, double ageSeconds) {
        String[] p = spec.trim().split(":");
        try {
            double value = switch (p[0].toLowerCase(Locale.ROOT)) {
                case "constant" -> Double.parseDouble(p[1]);
                case "ramp" -> {
                    double v = Double.parseDouble(p[1]) + Double.parseDouble(p[2]) * ageSeconds;
                    yield p.length > 3 ? Math.min(v, Double.parseDouble(p[3])) : v;
                }
                case "sine" -> Double.parseDouble(p[1])
                        + Double.parseDouble(p[2]) * Math.sin(2 * Math.PI * ageSeconds / Double.parseDouble(p[3]));
                default -> Double.NaN;
            };
            return Double.isFinite(value) ? value : Double.NaN;
        } catch (RuntimeException e) {
            return Double.NaN;
        }
    }
}
