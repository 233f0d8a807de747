package dev.flotilla.api;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.flotilla.OperationException;
import dev.flotilla.store.Json;
import io.netty.handler.codec.http.HttpResponseStatus;
import io.vertx.ext.web.RoutingContext;

import java.util.Map;

/** Request parsing and response writing shared by every route. */
final class Http {
    private Http() {
    }

    static final String JSON = "application/json; charset=utf-8";

    static void json(RoutingContext ctx, int status, JsonNode body) {
        Idempotency.end(ctx, status, JSON, Json.write(body));
    }

    static void noContent(RoutingContext ctx) {
        Idempotency.end(ctx, 204, null, null);
    }

    static int id(RoutingContext ctx, String param) {
        String raw = ctx.pathParam(param);
        try {
            return Integer.parseInt(raw);
        } catch (NumberFormatException e) {
            throw OperationException.badRequest(param, "ID must be an integer number: '" + raw + "'");
        }
    }

    static Integer optionalInt(RoutingContext ctx, String param, int min) {
        String raw = ctx.queryParams().get(param);
        if (raw == null || raw.isBlank()) {
            return null;
        }
        try {
            int value = Integer.parseInt(raw.trim());
            if (value < min) {
                throw OperationException.badRequest(param, "'" + param + "' must be greater than or equal to " + min);
            }
            return value;
        } catch (NumberFormatException e) {
            throw OperationException.badRequest(param, "'" + param + "' must be an integer");
        }
    }

    /** The request body as a JSON object; 400 naming {@code body} when it is not one. */
    static ObjectNode bodyObject(RoutingContext ctx) {
        String text = ctx.body() == null ? null : ctx.body().asString();
        if (text == null || text.isBlank()) {
            throw OperationException.badRequest("body", "The request body must be a JSON object");
        }
        try {
            return Json.parseObject(text);
        } catch (IllegalArgumentException e) {
            throw OperationException.badRequest("body", "The request body is not a valid JSON object: "
                    + e.getMessage());
        }
    }

    /** Same as {@link #bodyObject} but an empty body is an empty object. */
    static ObjectNode optionalBodyObject(RoutingContext ctx) {
        String text = ctx.body() == null ? null : ctx.body().asString();
        return text == null || text.isBlank() ? Json.object() : bodyObject(ctx);
    }

    /**
     * {@code {"action": {"perform": ..., "params": {...}}}}; missing params count as {@code {}}.
     */
    static Action action(RoutingContext ctx) {
        ObjectNode body = bodyObject(ctx);
        JsonNode action = body.get("action");
        if (action == null || !action.isObject()) {
            throw OperationException.badRequest("action", "KEY: 'action' must be an Object;");
        }
        JsonNode perform = action.get("perform");
        if (perform == null || !perform.isTextual() || perform.asText().isBlank()) {
            throw OperationException.badRequest("action.perform", "KEY: 'perform' must be a String;");
        }
        JsonNode params = action.get("params");
        if (params != null && !params.isNull() && !params.isObject()) {
            throw OperationException.badRequest("action.params", "KEY: 'params' must be an Object;");
        }
        return new Action(perform.asText(), params == null || params.isNull() ? Json.object() : (ObjectNode) params);
    }

    record Action(String perform, ObjectNode params) {
        OperationException unsupported() {
            return OperationException.badRequest("action.perform", "Action " + perform + " not supported");
        }
    }

    /** Plain text by default (OneFlow clients print it verbatim); JSON when the client asks for it (decision 5). */
    static void failure(RoutingContext ctx) {
        Throwable failure = ctx.failure();
        OperationException error;
        if (failure != null) {
            error = OperationException.of(failure);
        } else {
            int status = ctx.statusCode() > 0 ? ctx.statusCode() : 500;
            error = new OperationException(status, status == 413 ? "too_large" : "http_" + status,
                    HttpResponseStatus.valueOf(status).reasonPhrase(), Map.of());
        }
        if (ctx.response().ended()) {
            return;
        }
        String accept = ctx.request().getHeader("Accept");
        if (accept != null && accept.contains("application/json")) {
            Idempotency.end(ctx, error.status(), JSON, Json.write(error.toJson()));
        } else {
            Idempotency.end(ctx, error.status(), "text/plain; charset=utf-8", error.getMessage());
        }
    }
}
