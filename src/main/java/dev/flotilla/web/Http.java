package dev.flotilla.web;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.flotilla.OperationException;
import dev.flotilla.json.Json;
import io.netty.handler.codec.http.HttpResponseStatus;
import io.vertx.ext.web.RoutingContext;

import java.util.Map;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/** Request parsing, response writing and the failure handler shared by every route (the API's and the simulator's). */
public final class Http {
    private static final Logger LOG = LoggerFactory.getLogger(Http.class);

    private Http() {
    }

    public static final String JSON = "application/json; charset=utf-8";
    /** The request's id in its routing context (the input gate sets it; 5xx logs and bodies name it). */
    public static final String REQUEST_ID = "request.id";

    public static void json(RoutingContext ctx, int status, JsonNode body) {
        write(ctx, status, JSON, Json.write(body));
    }

    /**
     * A document read: with an {@code ETag} of its bytes, so a client that has them already gets
     * {@code 304 Not Modified} and no body (a poller of a large service list saves the transfer and
     * its own parsing). {@code no-cache}: always asked again, never assumed fresh.
     */
    public static void document(RoutingContext ctx, JsonNode body) {
        byte[] bytes = Json.write(body).getBytes(java.nio.charset.StandardCharsets.UTF_8);
        document(ctx, io.vertx.core.buffer.Buffer.buffer(bytes), etag(bytes));
    }

    /** {@link #document(RoutingContext, JsonNode)} for bytes already written, with their tag (without quotes). */
    public static void document(RoutingContext ctx, io.vertx.core.buffer.Buffer bytes, String tag) {
        if (!answeredNotModified(ctx, tag)) {
            ctx.response().setStatusCode(200).putHeader("Content-Type", JSON).end(bytes);
        }
    }

    /**
     * Tags the answer with {@code tag}; true when the client has it already and got {@code 304}
     * (nothing more to write), false when the caller writes the document (status and type are set).
     */
    public static boolean answeredNotModified(RoutingContext ctx, String tag) {
        String etag = "\"" + tag + "\"";
        ctx.response().putHeader("ETag", etag).putHeader("Cache-Control", "no-cache");
        String asked = ctx.request().getHeader("If-None-Match");
        if (asked != null && java.util.Arrays.stream(asked.split(",")).map(String::trim)
                .anyMatch(t -> t.equals(etag) || t.equals("W/" + etag) || t.equals("*"))) {
            ctx.response().setStatusCode(304).end();
            return true;
        }
        ctx.response().setStatusCode(200).putHeader("Content-Type", JSON);
        return false;
    }

    /** Whether the client asked for an answer read from the source now ({@code Cache-Control: no-cache}). */
    public static boolean noCacheAsked(RoutingContext ctx) {
        String asked = ctx.request().getHeader("Cache-Control");
        return asked != null && asked.toLowerCase(java.util.Locale.ROOT).contains("no-cache");
    }

    /** A strong tag of {@code bytes} (without quotes): 96 bits of their SHA-256. */
    public static String etag(byte[] bytes) {
        try {
            byte[] digest = java.security.MessageDigest.getInstance("SHA-256").digest(bytes);
            return java.util.Base64.getUrlEncoder().withoutPadding().encodeToString(java.util.Arrays.copyOf(digest, 12));
        } catch (java.security.NoSuchAlgorithmException e) {
            throw new IllegalStateException(e);
        }
    }

    public static void noContent(RoutingContext ctx) {
        write(ctx, 204, null, null);
    }

    private static void write(RoutingContext ctx, int status, String contentType, String body) {
        ctx.response().setStatusCode(status);
        if (contentType != null) {
            ctx.response().putHeader("Content-Type", contentType);
        }
        ctx.response().end(body == null ? "" : body);
    }

    /** A document or VM id from the path: ASCII digits only (no sign, no other scripts), within int range. */
    public static int id(RoutingContext ctx, String param) {
        String raw = ctx.pathParam(param);
        Integer id = asciiInt(raw);
        if (id == null) {
            throw OperationException.badRequest(param, "ID must be an integer number: '" + shown(raw) + "'");
        }
        return id;
    }

    public static Integer optionalInt(RoutingContext ctx, String param, int min) {
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
    public static Integer asciiInt(String raw) {
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
    public static String shown(String raw) {
        String text = raw == null ? "" : raw.length() > 64 ? raw.substring(0, 64) + "…" : raw;
        return text.replaceAll("\\p{Cntrl}", "?");
    }

    /** The request body as a JSON object; 400 naming {@code body} when it is not one. */
    public static ObjectNode bodyObject(RoutingContext ctx) {
        if (ctx.body() == null || ctx.body().buffer() == null || ctx.body().length() == 0) {
            throw OperationException.badRequest("body", "The request body must be a JSON object");
        }
        return RequestJson.object(ctx.body().buffer().getBytes(), "body");
    }

    /** Same as {@link #bodyObject} but an empty body is an empty object. */
    public static ObjectNode optionalBodyObject(RoutingContext ctx) {
        boolean empty = ctx.body() == null || ctx.body().buffer() == null
                || ctx.body().buffer().toString(java.nio.charset.StandardCharsets.UTF_8).isBlank();
        return empty ? Json.object() : bodyObject(ctx);
    }

    /**
     * {@code {"action": {"perform": ..., "params": {...}}}}; missing params count as {@code {}}.
     */
    public static Action action(RoutingContext ctx) {
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

    public record Action(String perform, ObjectNode params) {
        public OperationException unsupported() {
            return OperationException.badRequest("action.perform", "Action " + perform + " not supported");
        }
    }

    /**
     * A request the HTTP decoder could not read (a line or headers too long, a malformed header):
     * a status with a sentence saying why, then the connection is closed (it is out of step).
     */
    public static void invalidRequest(io.vertx.core.http.HttpServerRequest request) {
        Throwable cause = request.decoderResult().cause();
        int status = 400;
        String message = "Malformed HTTP request";
        if (cause instanceof io.netty.handler.codec.http.TooLongHttpLineException) {
            status = 414;
            message = "The request line is longer than the server accepts";
        } else if (cause instanceof io.netty.handler.codec.http.TooLongHttpHeaderException) {
            status = 431;
            message = "The request headers are larger than the server accepts";
        }
        request.response().setStatusCode(status).putHeader("Content-Type", "text/plain; charset=utf-8")
                .putHeader("Connection", "close").end(message);
        request.connection().close();
    }

    /**
     * Plain text by default (OneFlow clients print it verbatim); JSON when the client asks for it
     * (decision 5). A server-side failure is logged with the request id, and its body says no more
     * than that id: no SQL, address, class or stack ever reaches a client.
     */
    public static void failure(RoutingContext ctx) {
        Throwable failure = ctx.failure();
        OperationException error;
        if (failure != null && ctx.statusCode() == 200 && !ctx.request().isEnded()) {
            // The body reader failed on bytes that are not HTTP (a malformed chunk): the client's fault.
            error = new OperationException(400, "malformed_request", "The request body is not well-formed HTTP",
                    Map.of("field", "body"));
        } else if (failure != null && !(failure instanceof OperationException) && ctx.statusCode() >= 400
                && ctx.statusCode() < 500) {
            // A handler that knew the status (the body reader on a malformed chunk) gets it kept.
            error = new OperationException(ctx.statusCode(), "http_" + ctx.statusCode(),
                    HttpResponseStatus.valueOf(ctx.statusCode()).reasonPhrase(), Map.of());
        } else if (failure != null) {
            error = OperationException.of(failure);
        } else {
            int status = ctx.statusCode() > 0 ? ctx.statusCode() : 500;
            error = status >= 500 ? OperationException.internal()
                    : new OperationException(status, status == 413 ? "too_large" : "http_" + status,
                    status == 413 ? "The request body is larger than the server accepts"
                            : HttpResponseStatus.valueOf(status).reasonPhrase(), Map.of());
        }
        String requestId = ctx.get(REQUEST_ID);
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
        if (error.details().get("retry_after") instanceof Integer seconds) {
            ctx.response().putHeader("Retry-After", Integer.toString(seconds));
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
            write(ctx, error.status(), JSON, Json.write(error.toJson()));
        } else {
            write(ctx, error.status(), "text/plain; charset=utf-8", error.getMessage());
        }
    }
}
