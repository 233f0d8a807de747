package dev.flotilla.api;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.flotilla.OperationException;
import dev.flotilla.api.Authorizer.Decision;
import dev.flotilla.json.Json;
import dev.flotilla.store.SessionStore;
import dev.flotilla.web.Http;
import io.vertx.core.MultiMap;
import io.vertx.ext.web.Router;
import io.vertx.ext.web.RoutingContext;

import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.security.SecureRandom;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Base64;
import java.util.HexFormat;
import java.util.List;

import static io.vertx.core.http.HttpMethod.DELETE;
import static io.vertx.core.http.HttpMethod.GET;
import static io.vertx.core.http.HttpMethod.POST;

/**
 * Browser sign-in without credentials in any URL or script-readable storage: {@code POST /session}
 * checks the user's password (the same check and throttle as Basic) and answers an opaque random
 * token as an HttpOnly, SameSite=Strict cookie, kept only as a hash server-side, with an expiry,
 * and a CSRF token the page sends back on every request that changes something. {@code GET /session}
 * tells a reloaded page who it is; {@code DELETE /session} signs out.
 */
final class Sessions {
    static final String COOKIE = "flotilla_session";
    static final String CSRF_HEADER = "X-CSRF-Token";
    private static final Duration LIFETIME = Duration.ofHours(8);
    private static final SecureRandom RANDOM = new SecureRandom();

    private final SessionStore store;
    private final Authenticator auth;

    Sessions(SessionStore store, Authenticator auth) {
        this.store = store;
        this.auth = auth;
    }

    /** Sign-in comes before authentication (it is how one authenticates). */
    void mountSignIn(Router router, Authorizer authorizer) {
        authorizer.mount(router, POST, "/session", Decision.publicRoute(), this::signIn);
    }

    void mountSignedIn(Router router, Authorizer authorizer) {
        authorizer.mount(router, GET, "/session", Decision.signedIn(), this::whoAmI);
        authorizer.mount(router, DELETE, "/session", Decision.signedIn(), this::signOut);
    }

    /** {@code {"user", "password"}}. */
    private void signIn(RoutingContext ctx) {
        if (crossSite(ctx.request().headers())) {
            throw new OperationException(403, "cross_site", "Requests from pages of other sites are refused",
                    java.util.Map.of());
        }
        ObjectNode body = Http.bodyObject(ctx);
        String user = text(body, "user");
        String password = text(body, "password");
        String basic = "Basic " + Base64.getEncoder().encodeToString((user + ":" + password)
                .getBytes(StandardCharsets.UTF_8));
        auth.authenticate(basic, ctx.request().remoteAddress().hostAddress()).compose(identity -> {
            String token = random(32);
            String csrf = random(24);
            Instant expires = Instant.now().plus(LIFETIME);
            return store.create(hash(token), identity.uid(), csrf, identityJson(identity), expires).map(v -> {
                ctx.response().putHeader("Set-Cookie", COOKIE + "=" + token + "; Path=/; HttpOnly; SameSite=Strict; Max-Age="
                        + LIFETIME.toSeconds() + (ctx.request().isSSL() ? "; Secure" : ""));
                return answer(identity, csrf, expires);
            });
        }).onSuccess(answer -> {
            ctx.response().putHeader("Cache-Control", "no-store");
            Http.json(ctx, 201, answer);
        }).onFailure(ctx::fail);
    }

    private void whoAmI(RoutingContext ctx) {
        String token = token(ctx.request().getHeader("Cookie"));
        Identity who = ctx.get(Authenticator.IDENTITY);
        ctx.response().putHeader("Cache-Control", "no-store");
        if (token == null || ctx.request().getHeader("Authorization") != null) {
            // Basic clients have no session; they are told who they are all the same.
            Http.json(ctx, 200, answer(who, null, null));
            return;
        }
        store.find(hash(token)).onSuccess(found -> Http.json(ctx, 200, answer(who,
                found.map(SessionStore.Session::csrfToken).orElse(null),
                found.map(SessionStore.Session::expiresAt).orElse(null)))).onFailure(ctx::fail);
    }

    private void signOut(RoutingContext ctx) {
        String token = token(ctx.request().getHeader("Cookie"));
        ctx.response().putHeader("Set-Cookie", COOKIE + "=; Path=/; HttpOnly; SameSite=Strict; Max-Age=0");
        if (token == null) {
            Http.noContent(ctx);
            return;
        }
        store.delete(hash(token)).onSuccess(v -> Http.noContent(ctx)).onFailure(ctx::fail);
    }

    private static ObjectNode answer(Identity who, String csrf, Instant expires) {
        ObjectNode answer = Json.object();
        answer.set("user", identityJson(who));
        if (csrf != null) {
            answer.put("csrf_token", csrf).put("expires_at", expires.getEpochSecond());
        }
        return answer;
    }

    private static ObjectNode identityJson(Identity who) {
        ObjectNode json = Json.object().put("id", who.uid()).put("name", who.name()).put("gid", who.gid())
                .put("gname", who.gname());
        who.groups().stream().sorted().forEach(json.putArray("groups")::add);
        return json;
    }

    /** The identity a session was opened with; a stored identity that lacks a field is no identity (never uid 0). */
    static Identity identity(JsonNode json) {
        for (String field : new String[]{"id", "name", "gid", "gname", "groups"}) {
            if (json.get(field) == null) {
                throw new IllegalStateException("a stored session lacks '" + field + "'");
            }
        }
        List<Integer> groups = new ArrayList<>();
        json.get("groups").forEach(g -> groups.add(g.asInt()));
        return new Identity(json.get("id").asInt(), json.get("name").asText(), json.get("gid").asInt(),
                json.get("gname").asText(), groups);
    }

    /**
     * A browser's request from a page of another site: {@code Sec-Fetch-Site: cross-site}, or an
     * {@code Origin} (browsers send one on every WebSocket and every POST) naming another host than the
     * request was sent to. Clients that are not browsers send neither.
     */
    static boolean crossSite(MultiMap headers) {
        if ("cross-site".equalsIgnoreCase(headers.get("Sec-Fetch-Site"))) {
            return true;
        }
        String origin = headers.get("Origin");
        if (origin == null) {
            return false;
        }
        String host = headers.get("Host");
        int scheme = origin.indexOf("://");
        if (host == null || scheme < 0) {
            return true; // "null" (a sandboxed page) or nothing to compare with
        }
        return !authority(origin.substring(0, scheme), origin.substring(scheme + 3))
                .equals(authority(origin.substring(0, scheme), host));
    }

    /** host[:port] in lower case, without the scheme's default port. */
    private static String authority(String scheme, String hostAndPort) {
        String a = hostAndPort.toLowerCase(java.util.Locale.ROOT);
        String defaultPort = scheme.equalsIgnoreCase("https") || scheme.equalsIgnoreCase("wss") ? ":443" : ":80";
        return a.endsWith(defaultPort) ? a.substring(0, a.length() - defaultPort.length()) : a;
    }

    /** The session token in a {@code Cookie} header, if any. */
    static String token(String cookieHeader) {
        if (cookieHeader == null) {
            return null;
        }
        for (String pair : cookieHeader.split(";")) {
            String p = pair.trim();
            if (p.startsWith(COOKIE + "=") && p.length() > COOKIE.length() + 1) {
                String value = p.substring(COOKIE.length() + 1);
                return value.matches("[A-Za-z0-9_-]{16,128}") ? value : null;
            }
        }
        return null;
    }

    static String hash(String token) {
        try {
            return HexFormat.of().formatHex(MessageDigest.getInstance("SHA-256")
                    .digest(token.getBytes(StandardCharsets.UTF_8)));
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException(e);
        }
    }

    private static String random(int bytes) {
        byte[] b = new byte[bytes];
        RANDOM.nextBytes(b);
        return Base64.getUrlEncoder().withoutPadding().encodeToString(b);
    }

    private static String text(ObjectNode body, String field) {
        JsonNode v = body.get(field);
        if (v == null || !v.isTextual() || v.asText().isEmpty()) {
            throw OperationException.badRequest(field, "Mandatory key '" + field + " (string)' is missing");
        }
        return v.asText();
    }
}
