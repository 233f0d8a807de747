package dev.flotilla.api;

import dev.flotilla.OperationException;
import dev.flotilla.store.IdempotencyStore;
import io.vertx.core.http.HttpMethod;
import io.vertx.ext.web.RoutingContext;

import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.HexFormat;
import java.util.Map;

/**
 * {@code Idempotency-Key} on mutating routes: the same key with the same request gets the first
 * answer again (marked {@code Idempotency-Replayed: true}) and nothing is done twice.
 */
final class Idempotency {
    static final String HEADER = "Idempotency-Key";
    private static final String KEY = "idempotency.key";
    private static final String STORE = "idempotency.store";
    private static final int MAX_KEY_LENGTH = 255;

    private final IdempotencyStore store;

    Idempotency(IdempotencyStore store) {
        this.store = store;
    }

    void handle(RoutingContext ctx) {
        String key = ctx.request().getHeader(HEADER);
        HttpMethod method = ctx.request().method();
        boolean mutating = method == HttpMethod.POST || method == HttpMethod.PUT || method == HttpMethod.DELETE;
        if (key == null || !mutating) {
            ctx.next();
            return;
        }
        if (key.isBlank() || key.length() > MAX_KEY_LENGTH || !TextRules.isPlainText(key)) {
            ctx.fail(OperationException.badRequest(HEADER, HEADER + " must be 1 to " + MAX_KEY_LENGTH
                    + " printable characters"));
            return;
        }
        Identity who = ctx.get(Authenticator.IDENTITY);
        String body = ctx.body() == null || ctx.body().asString() == null ? "" : ctx.body().asString();
        store.claim(key, who.uid(), hash(method.name() + " " + ctx.request().path() + "\n" + body))
                .onSuccess(claim -> {
                    if (claim instanceof IdempotencyStore.Claim.Run) {
                        ctx.put(KEY, key);
                        ctx.put(STORE, store);
                        ctx.next();
                    } else if (claim instanceof IdempotencyStore.Claim.Replay replay) {
                        ctx.response().putHeader("Idempotency-Replayed", "true");
                        write(ctx, replay.status(), replay.contentType(), replay.body());
                    } else if (claim instanceof IdempotencyStore.Claim.InProgress) {
                        ctx.fail(new OperationException(409, "in_progress",
                                "A request with this Idempotency-Key is still being answered", Map.of("field", HEADER)));
                    } else {
                        ctx.fail(new OperationException(409, "idempotency_key_reused",
                                "This Idempotency-Key was used for a different request", Map.of("field", HEADER)));
                    }
                })
                .onFailure(ctx::fail);
    }

    /** Ends the response, first remembering it when the request carried a key it owns. */
    static void end(RoutingContext ctx, int status, String contentType, String body) {
        String key = ctx.get(KEY);
        IdempotencyStore store = ctx.get(STORE);
        if (key == null || store == null) {
            write(ctx, status, contentType, body);
            return;
        }
        ctx.remove(KEY);
        var recorded = status >= 500 ? store.forget(key) : store.complete(key, status, contentType, body);
        recorded.onComplete(ar -> write(ctx, status, contentType, body));
    }

    private static void write(RoutingContext ctx, int status, String contentType, String body) {
        ctx.response().setStatusCode(status);
        if (contentType != null) {
            ctx.response().putHeader("Content-Type", contentType);
        }
        ctx.response().end(body == null ? "" : body);
    }

    private static String hash(String request) {
        try {
            return HexFormat.of().formatHex(MessageDigest.getInstance("SHA-256")
                    .digest(request.getBytes(StandardCharsets.UTF_8)));
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException(e);
        }
    }
}
