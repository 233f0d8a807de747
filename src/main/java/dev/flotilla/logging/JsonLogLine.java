package dev.flotilla.logging;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;

import java.io.PrintWriter;
import java.io.StringWriter;
import java.time.Instant;
import java.util.Map;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * One log line as a JSON object: {@code timestamp} (ISO-8601, UTC), {@code level}, {@code logger},
 * {@code message}, and the fields the message names in its leading {@code key=value} words, the
 * form the engine and the API log in ({@code service=12 trigger=poll ...}, {@code request=af3...}):
 * {@code service_id} (a number), {@code request_id}, {@code role}, {@code trigger}, {@code user}.
 * With an exception: {@code error} (its class and message) and {@code stack}.
 */
final class JsonLogLine {
    private static final ObjectMapper JSON = new ObjectMapper();
    /** The words a message may start with, and the field each becomes. */
    private static final Map<String, String> FIELDS = Map.of("service", "service_id", "request", "request_id",
            "role", "role", "trigger", "trigger", "user", "user");
    private static final Pattern LEADING_PAIR = Pattern.compile("([a-z_]+)=(\\S+)\\s*");

    private JsonLogLine() {
    }

    static String of(Instant at, String level, String logger, String message, Throwable error) {
        ObjectNode line = JSON.createObjectNode();
        line.put("timestamp", at.toString());
        line.put("level", level);
        line.put("logger", logger);
        line.put("message", message);
        Matcher pair = LEADING_PAIR.matcher(message == null ? "" : message);
        int at0 = 0;
        while (pair.find(at0) && pair.start() == at0 && FIELDS.containsKey(pair.group(1))) {
            String field = FIELDS.get(pair.group(1));
            String value = pair.group(2);
            if (field.equals("service_id") && value.matches("[0-9]{1,9}")) {
                line.put(field, Integer.parseInt(value));
            } else {
                line.put(field, value);
            }
            at0 = pair.end();
        }
        if (error != null) {
            line.put("error", error.toString());
            StringWriter stack = new StringWriter();
            error.printStackTrace(new PrintWriter(stack));
            line.put("stack", stack.toString());
        }
        return line.toString();
    }
}
