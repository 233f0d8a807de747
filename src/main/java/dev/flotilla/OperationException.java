package dev.flotilla;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.flotilla.domain.ConflictException;
import dev.flotilla.domain.IllegalTransitionException;
import dev.flotilla.domain.UnknownRoleException;
import dev.flotilla.domain.ValidationException;
import dev.flotilla.json.Json;
import dev.flotilla.store.StaleSnapshotException;
import dev.flotilla.store.StoreFailures;

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

    /** Seconds a client is asked to wait ({@code Retry-After}) when the database is unavailable. */
    public static final int RETRY_AFTER_SECONDS = 5;

    public static OperationException unavailable(String what) {
        return new OperationException(503, "unavailable", what + " is not available at the moment; retry later",
                Map.of("retry_after", RETRY_AFTER_SECONDS));
    }

    /**
     * Domain failures keep their meaning; database failures become 503/409/400 without a word of
     * SQL; anything else is a 500 that says nothing of its cause (the caller logs it).
     */
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
        if (t instanceof StaleSnapshotException) {
            return new OperationException(409, "conflict",
                    "A concurrent change was made first; read the current state and retry", Map.of());
        }
        return switch (StoreFailures.classify(t)) {
            case UNAVAILABLE -> unavailable("The database");
            case CONFLICT -> new OperationException(409, "conflict",
                    "A concurrent change was made first; read the current state and retry", Map.of());
            case INVALID -> new OperationException(400, "invalid",
                    "A value in the request is not acceptable (too long, out of range or not valid text)",
                    Map.of("field", "body"));
            case OTHER -> internal();
        };
    }

    public static OperationException internal() {
        return new OperationException(500, "internal", "Internal server error", Map.of());
    }

    public boolean isInternal() {
        return status >= 500 && status != 503;
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
