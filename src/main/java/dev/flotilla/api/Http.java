package dev.flotilla.api;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.flotilla.OperationException;
import dev.flotilla.json.Json;
import io.netty.handler.codec.http.HttpResponseStatus;
import io.vertx.ext.web.RoutingContext;

import java.util.Map;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/** Request parsing and response writing shared by every route. */
final class Http {
    private static final Logger LOG = LoggerFactory.getLogger(Http.class);

    private Http() {
    }

    static final String JSON = "application/json; charset=utf-8";

    static void json(RoutingContext ctx, int status, JsonNode body) {
        Idempotency.end(ctx, status, JSON, Json.write(body));
    }

    static void noContent(RoutingContext ctx) {
        Idempotency.end(ctx, 204, null, null);
    }

    /** A document or VM id from the path: ASCII digits only (no sign, no other scripts), within int range. */
    static int id(RoutingContext ctx, String param) {
        String raw = ctx.pathParam(param);
        Integer id = asciiInt(raw);
        if (id == null) {
            throw OperationException.badRequest(param, "ID must be an integer number: '" + shown(raw) + "'");
        }
        return id;
    }

    static Integer optionalInt(RoutingContext ctx, String param, int min) {
        String raw = ctx.queryParams().get(param);
        if (raw == null || raw.isBlank()) {
            return null;
        }
        Integer value = asciiInt(raw.trim());
        if (value == null) {
            throw OperationException.badRequest(param, "'" + param + "' must be an integer from " + min + " to "
                    + Integer.MAX_VALUE);
        }
        if (value < min) {
            throw OperationException.badRequest(param, "'" + param + "' must be greater than or equal to " + min);
        }
        return value;
    }

    /** 0 to {@link Integer#MAX_VALUE} written in ASCII digits, else null. */
    static Integer asciiInt(String raw) {
        if (raw == null || raw.isEmpty() || raw.length() > 10) {
            return null;
        }
        for (int i = 0; i < raw.length(); i++) {
            char c = raw.charAt(i);
            if (c < '0' || c > '9') {
                return null;
            }
        }
        long value = Long.parseLong(raw);
        return value > Integer.MAX_VALUE ? null : (int) value;
    }

    /** Client text echoed in an error: short and printable. */
    static String shown(String raw) {
        String text = raw == null ? "" : raw.length() > 64 ? raw.substring(0, 64) + "…" : raw;
        return text.replaceAll("\\p{Cntrl}", "?");
    }

    /** The request body as a JSON object; 400 naming {@code body} when it is not one. */
    static ObjectNode bodyObject(RoutingContext ctx) {
        if (ctx.body() == null || ctx.body().buffer() == null || ctx.body().length() == 0) {
            throw OperationException.badRequest("body", "The request body must be a JSON object");
        }
        return RequestJson.object(ctx.body().buffer().getBytes(), "body");
    }

    /** Same as {@link #bodyObject} but an empty body is an empty object. */
    static ObjectNode optionalBodyObject(RoutingContext ctx) {
        boolean empty = ctx.body() == null || ctx.body().buffer() == null
                || ctx.body().buffer().toString(java.nio.charset.StandardCharsets.UTF_8).isBlank();
        return empty ? Json.object() : bodyObject(ctx);
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

    /**
     * Plain text by default (OneFlow clients print it verbatim); JSON when the client asks for it
     * (decision 5). A server-side failure is logged with the request id, and its body says no more
     * than that id: no SQL, address, class or stack ever reaches a client.
     */
    static void failure(RoutingContext ctx) {
        Throwable failure = ctx.failure();
        OperationException error;
        if (failure != null) {
            error = OperationException.of(failure);
        } else {
            int status = ctx.statusCode() > 0 ? ctx.statusCode() : 500;
            error = status >= 500 ? OperationException.internal()
                    : new OperationException(status, status == 413 ? "too_large" : "http_" + status,
                    status == 413 ? "The request body is larger than the server accepts"
                            : HttpResponseStatus.valueOf(status).reasonPhrase(), Map.of());
        }
        String requestId = ctx.get(InputGate.REQUEST_ID);
        if (error.isInternal()) {
            LOG.error("request={} {} {} answered {}: {}", requestId, ctx.request().method(), ctx.request().path(),
                    error.status(), failure == null ? "status " + ctx.statusCode() : failure.toString(), failure);
        } else if (error.status() >= 500) {
            LOG.warn("request={} {} {} answered {}: {}", requestId, ctx.request().method(), ctx.request().path(),
                    error.status(), failure == null ? "status " + ctx.statusCode() : failure.toString());
        }
        if (error.isInternal()) {
            error = new OperationException(error.status(), error.code(), "Internal server error (request id "
                    + requestId + ")", Map.of("request_id", String.valueOf(requestId)));
        }
        if (error.status() == 503) {
            ctx.response().putHeader("Retry-After", Integer.toString(OperationException.RETRY_AFTER_SECONDS));
        }
        if (error.status() == 413) {
            // The rest of the body is not read: the connection cannot carry another request.
            ctx.response().putHeader("Connection", "close");
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
