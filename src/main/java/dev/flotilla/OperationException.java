package dev.flotilla;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.flotilla.domain.ConflictException;
import dev.flotilla.domain.IllegalTransitionException;
import dev.flotilla.domain.UnknownRoleException;
import dev.flotilla.domain.ValidationException;
import dev.flotilla.store.Json;

import java.util.Map;

/**
 * A failed request with its HTTP status, a machine-readable code, OneFlow's message and details
 * (the field, the current state). Crosses the event bus as JSON in a reply failure.
 */
public final class OperationException extends RuntimeException {
    private final int status;
    private final String code;
    private final Map<String, Object> details;

    public OperationException(int status, String code, String message, Map<String, Object> details) {
        super(message, null, false, false);
        this.status = status;
        this.code = code;
        this.details = Map.copyOf(details);
    }

    public static OperationException badRequest(String field, String message) {
        return new OperationException(400, "invalid", message, Map.of("field", field));
    }

    public static OperationException notFound(String message) {
        return new OperationException(404, "not_found", message, Map.of());
    }

    public static OperationException conflict(String message, String state) {
        return new OperationException(409, "conflict", message, Map.of("state", state));
    }

    /** Domain failures keep their meaning; anything else is a 500 with its message. */
    public static OperationException of(Throwable t) {
        if (t instanceof OperationException o) {
            return o;
        }
        if (t instanceof ValidationException v) {
            return badRequest(v.field(), v.getMessage());
        }
        if (t instanceof ConflictException c) {
            return conflict(c.getMessage(), c.currentState());
        }
        if (t instanceof UnknownRoleException u) {
            return notFound(u.getMessage());
        }
        if (t instanceof IllegalTransitionException i) {
            return conflict(i.getMessage(), i.currentState());
        }
        return new OperationException(500, "internal", String.valueOf(t.getMessage()), Map.of());
    }

    public int status() {
        return status;
    }

    public String code() {
        return code;
    }

    public Map<String, Object> details() {
        return details;
    }

    /** {@code {"error":{"code","message","details"}}}, decision 5's JSON error body. */
    public ObjectNode toJson() {
        ObjectNode root = Json.object();
        ObjectNode error = root.putObject("error");
        error.put("code", code);
        error.put("message", getMessage());
        error.set("details", Json.MAPPER.valueToTree(details));
        return root;
    }

    public static OperationException fromJson(int status, String text) {
        try {
            JsonNode error = Json.parse(text).path("error");
            @SuppressWarnings("unchecked")
            Map<String, Object> details = Json.MAPPER.convertValue(error.path("details"), Map.class);
            return new OperationException(status, error.path("code").asText("internal"),
                    error.path("message").asText(text), details == null ? Map.of() : details);
        } catch (IllegalArgumentException e) {
            return new OperationException(status, "internal", text, Map.of());
        }
    }
}
