package dev.flotilla.web;

import com.fasterxml.jackson.core.JsonFactory;
import com.fasterxml.jackson.core.JsonLocation;
import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.core.StreamReadConstraints;
import com.fasterxml.jackson.core.exc.StreamConstraintsException;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.flotilla.OperationException;

import java.io.IOException;
import java.util.ArrayDeque;
import java.util.Deque;
import java.util.Iterator;
import java.util.Map;

/**
 * JSON from clients, the only way it is read: nesting of at most {@value #MAX_DEPTH} levels (so
 * every stored document, wrapped in its DOCUMENT envelope, stays readable by OneFlow's Ruby
 * clients, which stop at 100), no NUL or unpaired surrogate in any key or string and no number
 * beyond a double (PostgreSQL cannot store them). A refusal is a 400 naming the field; the parser's words never leak class names.
 */
public final class RequestJson {
    public static final int MAX_DEPTH = 64;
    private static final int MAX_NUMBER_LENGTH = 100;

    private static final ObjectMapper MAPPER = new ObjectMapper(JsonFactory.builder()
            .streamReadConstraints(StreamReadConstraints.builder()
                    .maxNestingDepth(MAX_DEPTH)
                    .maxNumberLength(MAX_NUMBER_LENGTH)
                    .build())
            .build());

    private RequestJson() {
    }

    /** A JSON object from the bytes of a body; {@code field} names it in errors. */
    public static ObjectNode object(byte[] bytes, String field) {
        try {
            return checked(MAPPER.readTree(bytes), field);
        } catch (IOException e) {
            throw refusal(field, e);
        }
    }

    /** A JSON object given as a string inside another document (add_role's role, template_json). */
    public static ObjectNode object(String text, String field) {
        try {
            return checked(MAPPER.readTree(text), field);
        } catch (IOException e) {
            throw refusal(field, e);
        }
    }

    private static ObjectNode checked(JsonNode node, String field) {
        if (node == null || !node.isObject()) {
            throw OperationException.badRequest(field, "The " + described(field) + " is not a valid JSON object");
        }
        checkText(node, field);
        return (ObjectNode) node;
    }

    /** Every key and string, breadth first (no recursion: the depth is bounded, but cheaply so). */
    private static void checkText(JsonNode root, String rootField) {
        Deque<Map.Entry<String, JsonNode>> todo = new ArrayDeque<>();
        todo.add(Map.entry(rootField, root));
        while (!todo.isEmpty()) {
            Map.Entry<String, JsonNode> next = todo.poll();
            String path = next.getKey();
            JsonNode node = next.getValue();
            if (node.isTextual()) {
                String problem = TextRules.problem(node.asText());
                if (problem != null) {
                    throw OperationException.badRequest(path, "The value of " + path + " " + problem);
                }
            } else if (node.isFloatingPointNumber() && !Double.isFinite(node.asDouble())) {
                throw OperationException.badRequest(path, "The value of " + path + " is out of range");
            } else if (node.isObject()) {
                Iterator<Map.Entry<String, JsonNode>> fields = node.fields();
                while (fields.hasNext()) {
                    Map.Entry<String, JsonNode> f = fields.next();
                    String child = path + "." + f.getKey();
                    String problem = TextRules.problem(f.getKey());
                    if (problem != null) {
                        throw OperationException.badRequest(path, "A key in " + path + " " + problem);
                    }
                    todo.add(Map.entry(child, f.getValue()));
                }
            } else if (node.isArray()) {
                for (int i = 0; i < node.size(); i++) {
                    todo.add(Map.entry(path + "." + i, node.get(i)));
                }
            }
        }
    }

    private static OperationException refusal(String field, IOException e) {
        if (e instanceof StreamConstraintsException) {
            return OperationException.badRequest(field, "The " + described(field) + " is nested deeper than " + MAX_DEPTH
                    + " levels or holds a number longer than " + MAX_NUMBER_LENGTH + " digits");
        }
        String where = "";
        if (e instanceof JsonProcessingException p && p.getLocation() != null) {
            JsonLocation at = p.getLocation();
            where = " at line " + at.getLineNr() + ", column " + at.getColumnNr();
        }
        String reason = e instanceof JsonProcessingException p ? p.getOriginalMessage() : "unreadable";
        return OperationException.badRequest(field, "The " + described(field) + " is not a valid JSON object" + where
                + ": " + plain(reason));
    }

    private static String described(String field) {
        return field.equals("body") ? "request body" : field;
    }

    /** The parser's reason without its hints about its own switches (they name Java classes). */
    private static String plain(String reason) {
        String text = reason == null ? "unreadable" : reason;
        int hint = text.indexOf(": enable");
        if (hint < 0) {
            hint = text.indexOf("; enable");
        }
        if (hint >= 0) {
            text = text.substring(0, hint);
        }
        text = text.replaceAll("`[^`]*`", "").replaceAll("\\s+", " ").trim();
        return text.length() > 200 ? text.substring(0, 200) + "…" : text;
    }
}
