package dev.flotilla.api;

import dev.flotilla.OperationException;
import dev.flotilla.web.Http;
import io.netty.handler.codec.http.HttpHeaderNames;
import io.vertx.core.http.HttpServerRequest;
import io.vertx.ext.web.RoutingContext;

import java.nio.ByteBuffer;
import java.nio.charset.CharacterCodingException;
import java.nio.charset.CodingErrorAction;
import java.nio.charset.StandardCharsets;
import java.util.Locale;
import java.util.Map;
import java.util.concurrent.ThreadLocalRandom;

/**
 * The first handler of every request, before routing and authentication: it gives the request
 * an id, refuses a path that would reach another route once normalized, escapes that decode to
 * control characters or broken UTF-8, and any body that is not JSON (no form or multipart
 * decoding, so nothing is ever written to disk). The body is read next, bounded, by the router's
 * body handler; JSON is parsed only after authentication ({@link RequestJson}).
 */
final class InputGate {
    void handle(RoutingContext ctx) {
        String requestId = Long.toHexString(ThreadLocalRandom.current().nextLong() >>> 1);
        ctx.put(Http.REQUEST_ID, requestId);
        ctx.response().putHeader("X-Request-Id", requestId);
        HttpServerRequest request = ctx.request();
        String path = request.path();
        if (path == null || !path.startsWith("/")) {
            ctx.fail(OperationException.badRequest("path", "The request path must start with /"));
            return;
        }
        String problem = escapesProblem(path);
        if (problem != null) {
            ctx.fail(OperationException.badRequest("path", "The request path " + problem));
            return;
        }
        // "/service/1/sched_action/.." must never become "DELETE /service/1".
        if (!path.equals(ctx.normalizedPath())) {
            ctx.fail(OperationException.badRequest("path", "The request path must be in canonical form: no '.' "
                    + "or '..' segments and no escaped letters, digits or '-._~'"));
            return;
        }
        String query = request.query();
        problem = query == null ? null : escapesProblem(query);
        if (problem != null) {
            ctx.fail(OperationException.badRequest("query", "The query string " + problem));
            return;
        }
        problem = bodyTypeProblem(request);
        if (problem != null) {
            ctx.fail(new OperationException(415, "unsupported_media_type", problem,
                    Map.of("field", "Content-Type")));
            return;
        }
        ctx.next();
    }

    /** Request bodies are JSON (OneFlow's clients send {@code application/json}); absent type = JSON. */
    private static String bodyTypeProblem(HttpServerRequest request) {
        String type = request.getHeader(HttpHeaderNames.CONTENT_TYPE);
        if (type == null) {
            return null;
        }
        String[] parts = type.split(";", -1);
        String media = parts[0].trim().toLowerCase(Locale.ROOT);
        boolean json = media.equals("application/json") || (media.startsWith("application/") && media.endsWith("+json"));
        for (int i = 1; json && i < parts.length; i++) {
            String[] param = parts[i].trim().split("=", 2);
            if (param[0].trim().equalsIgnoreCase("charset") && param.length == 2
                    && !param[1].trim().replace("\"", "").equalsIgnoreCase("utf-8")) {
                json = false;
            }
        }
        boolean form = media.startsWith("multipart/") || media.equals("application/x-www-form-urlencoded");
        if (json || (!form && !hasBody(request))) {
            return null;
        }
        return "Request bodies must be JSON: send Content-Type: application/json (got " + printable(type) + ")";
    }

    private static boolean hasBody(HttpServerRequest request) {
        String length = request.getHeader(HttpHeaderNames.CONTENT_LENGTH);
        return request.headers().contains(HttpHeaderNames.TRANSFER_ENCODING)
                || (length != null && !length.trim().equals("0"));
    }

    /**
     * Null when every {@code %XX} escape is well formed and the decoded bytes are UTF-8 without
     * control characters; else why not.
     */
    static String escapesProblem(String raw) {
        ByteBuffer bytes = ByteBuffer.allocate(raw.length() * 3);
        for (int i = 0; i < raw.length(); i++) {
            char c = raw.charAt(i);
            if (c == '%') {
                if (i + 2 >= raw.length() || Character.digit(raw.charAt(i + 1), 16) < 0
                        || Character.digit(raw.charAt(i + 2), 16) < 0) {
                    return "has a malformed %-escape at " + (i + 1);
                }
                int b = Character.digit(raw.charAt(i + 1), 16) * 16 + Character.digit(raw.charAt(i + 2), 16);
                if (b < 0x20 || b == 0x7f) {
                    return "escapes a control character at " + (i + 1);
                }
                bytes.put((byte) b);
                i += 2;
            } else if (c < 0x20 || c == 0x7f) {
                return "holds a control character at " + (i + 1);
            } else {
                bytes.put(String.valueOf(c).getBytes(StandardCharsets.UTF_8));
            }
        }
        bytes.flip();
        try {
            StandardCharsets.UTF_8.newDecoder().onMalformedInput(CodingErrorAction.REPORT)
                    .onUnmappableCharacter(CodingErrorAction.REPORT).decode(bytes);
            return null;
        } catch (CharacterCodingException e) {
            return "is not valid UTF-8 once its %-escapes are decoded";
        }
    }

    private static String printable(String text) {
        String shown = text.length() > 80 ? text.substring(0, 80) + "…" : text;
        return shown.replaceAll("[\\p{Cntrl}]", "?");
    }
}
