package dev.flotilla.cloud.sim;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.flotilla.json.Json;

import java.util.Locale;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * A simulated network's attributes: the user's {@code extra} template text over the network
 * template's attributes, and what the simulator reads from them: {@code SIM_NET_CREATE_SECONDS},
 * {@code SIM_NET_DELETE_SECONDS} (1 s each unless set, 0 to a week) and
 * {@code SIM_NET_FAIL=create|delete|none}.
 */
public final class SimNetAttributes {
    public static final String FAIL = "SIM_NET_FAIL";
    public static final String CREATE_SECONDS = "SIM_NET_CREATE_SECONDS";
    public static final String DELETE_SECONDS = "SIM_NET_DELETE_SECONDS";
    public static final double DEFAULT_SECONDS = 1;
    /** A week at most: a timestamp plus this must stay a timestamp. */
    public static final double MAX_SECONDS = 7 * 24 * 3600;

    private static final Pattern ATTRIBUTE = Pattern.compile("^([A-Za-z_][A-Za-z0-9_]*)\\s*=\\s*(.*)$");

    private SimNetAttributes() {
    }

    /** The template's attributes with those of {@code extra} over them (a new object; the template's is kept). */
    public static ObjectNode merged(ObjectNode templateAttributes, String extra) {
        ObjectNode out = templateAttributes == null ? Json.object() : templateAttributes.deepCopy();
        out.setAll(parseExtra(extra));
        return out;
    }

    /**
     * The single attributes of OpenNebula template text, one {@code KEY = VALUE} a line (names upper-cased,
     * surrounding quotes removed); vectors ({@code AR=[...]}, possibly over several lines), comments and
     * anything else are skipped: the simulator only needs its own switches and a few plain values.
     */
    public static ObjectNode parseExtra(String extra) {
        ObjectNode out = Json.object();
        if (extra == null) {
            return out;
        }
        int vectorDepth = 0;
        for (String raw : extra.split("\\R")) {
            String line = raw.trim();
            if (vectorDepth > 0) {
                vectorDepth = Math.max(0, vectorDepth + brackets(line));
                continue;
            }
            if (line.isEmpty() || line.startsWith("#")) {
                continue;
            }
            Matcher m = ATTRIBUTE.matcher(line);
            if (!m.matches()) {
                continue;
            }
            String value = m.group(2).trim();
            if (value.startsWith("[")) {
                vectorDepth = Math.max(0, brackets(value));
                continue;
            }
            out.put(m.group(1).toUpperCase(Locale.ROOT), unquoted(value));
        }
        return out;
    }

    /** How many more {@code [} than {@code ]} the text has outside double quotes. */
    private static int brackets(String text) {
        int depth = 0;
        boolean quoted = false;
        for (int i = 0; i < text.length(); i++) {
            char c = text.charAt(i);
            if (c == '"') {
                quoted = !quoted;
            } else if (!quoted && c == '[') {
                depth++;
            } else if (!quoted && c == ']') {
                depth--;
            }
        }
        return depth;
    }

    private static String unquoted(String value) {
        if (value.length() >= 2 && value.startsWith("\"") && value.endsWith("\"")) {
            return value.substring(1, value.length() - 1).replace("\\\"", "\"");
        }
        if (value.length() >= 2 && value.startsWith("'") && value.endsWith("'")) {
            return value.substring(1, value.length() - 1);
        }
        return value;
    }

    public static double createSeconds(ObjectNode attributes) {
        return seconds(attributes, CREATE_SECONDS);
    }

    public static double deleteSeconds(ObjectNode attributes) {
        return seconds(attributes, DELETE_SECONDS);
    }

    /** {@code step} when {@code SIM_NET_FAIL} names it (any case), else null. */
    public static SimNetClock.Fail failing(ObjectNode attributes, SimNetClock.Fail step) {
        JsonNode v = attributes.get(FAIL);
        return v != null && v.isValueNode() && v.asText().trim().equalsIgnoreCase(step.name()) ? step : null;
    }

    /** True for a value {@code SIM_NET_FAIL} may take (null or "none" clear it). */
    public static boolean isFailValue(JsonNode v) {
        if (v == null || v.isNull()) {
            return true;
        }
        if (!v.isTextual()) {
            return false;
        }
        String s = v.asText().trim().toLowerCase(Locale.ROOT);
        return s.equals("create") || s.equals("delete") || s.equals("none");
    }

    /** True for a timing value within 0 to a week (a number, or a string holding one). */
    public static boolean isSeconds(JsonNode v) {
        return v != null && (v.isNumber() || v.isTextual()) && !Double.isNaN(parse(v.asText()));
    }

    /** A timing out of range or not a number counts as unset. */
    private static double seconds(ObjectNode attributes, String key) {
        JsonNode v = attributes.get(key);
        if (v == null || v.isNull() || !v.isValueNode()) {
            return DEFAULT_SECONDS;
        }
        double parsed = parse(v.asText());
        return Double.isNaN(parsed) ? DEFAULT_SECONDS : parsed;
    }

    private static double parse(String text) {
        try {
            double parsed = Double.parseDouble(text.trim());
            return parsed >= 0 && parsed <= MAX_SECONDS ? parsed : Double.NaN;
        } catch (NumberFormatException e) {
            return Double.NaN;
        }
    }
}
