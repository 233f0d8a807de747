package dev.flotilla.api;

import dev.flotilla.web.TextRules;
import dev.flotilla.OperationException;
import io.vertx.ext.web.RoutingContext;

import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.HexFormat;

/**
 * {@code Idempotency-Key} on a mutating request: the key and a hash of what it came with (method,
 * path, body). The engine's journal does the rest — the same key with the same request gets the
 * committed answer again (marked {@code Idempotency-Replayed: true}), with another request a 409.
 */
record Idempotency(String key, String requestHash) {
    static final String HEADER = "Idempotency-Key";
    static final String REPLAYED = "Idempotency-Replayed";
    private static final int MAX_KEY_LENGTH = 255;

    /** The request's key and hash, or null when it carries no key. */
    static Idempotency of(RoutingContext ctx) {
        String key = ctx.request().getHeader(HEADER);
        if (key == null) {
            return null;
        }
        if (key.isBlank() || key.length() > MAX_KEY_LENGTH || !TextRules.isPlainText(key)) {
            throw OperationException.badRequest(HEADER, HEADER + " must be 1 to " + MAX_KEY_LENGTH
                    + " printable characters");
        }
        String body = ctx.body() == null || ctx.body().buffer() == null ? ""
                : ctx.body().buffer().toString(StandardCharsets.UTF_8);
        return new Idempotency(key, hash(ctx.request().method().name() + " " + ctx.request().path() + "\n" + body));
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
