package dev.flotilla.api;

import dev.flotilla.web.TextRules;
import dev.flotilla.OperationException;
import dev.flotilla.cloud.CloudDriver;
import dev.flotilla.store.SessionStore;
import dev.flotilla.store.UserStore;
import io.vertx.core.http.HttpMethod;
import io.vertx.core.Future;
import io.vertx.core.Vertx;
import io.vertx.ext.web.RoutingContext;

import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.Base64;
import java.util.HashMap;
import java.util.HexFormat;
import java.util.Map;
import java.util.Optional;

/**
 * HTTP Basic authentication (api.md §2) with OneFlow's 401 texts, or a browser's session cookie
 * ({@link Sessions}); Basic credentials are checked against the users Flotilla keeps
 * (the simulator) or against the cloud's (OpenNebula: {@code one.user.info} as the user, whose
 * identity is then mirrored into the users and groups tables so documents can name their owners).
 * Verified credentials are remembered for {@code :auth_cache_seconds:} (by digest, never in clear)
 * so the slow hash or the round trip to oned happens once per client rather than once per request.
 */
final class Authenticator {
    static final String IDENTITY = "identity";
    private static final int CACHE_MAX = 10_000;

    private final Vertx vertx;
    private final UserStore users;
    private final CloudDriver cloud;
    private final long cacheMillis;
    private final Map<String, Cached> cache = new HashMap<>();
    private final SignInThrottle throttle;
    private final SessionStore sessions;

    private record Cached(Identity identity, long expiresAt) {
    }

    Authenticator(Vertx vertx, UserStore users, SessionStore sessions, CloudDriver cloud, int cacheSeconds,
                  SignInThrottle throttle) {
        this.vertx = vertx;
        this.throttle = throttle;
        this.users = users;
        this.sessions = sessions;
        this.cloud = cloud;
        this.cacheMillis = cacheSeconds * 1000L;
        // A deleted user's credentials must stop working now, not when their cache entry expires.
        vertx.eventBus().consumer(dev.flotilla.bus.Addresses.USERS_CHANGED, message -> cache.clear());
    }

    /**
     * Basic credentials (OneFlow clients), or else the session cookie (browsers), which on a request
     * that changes anything must come with the session's CSRF token in {@value Sessions#CSRF_HEADER}.
     */
    void handle(RoutingContext ctx) {
        boolean safe = ctx.request().method() == HttpMethod.GET || ctx.request().method() == HttpMethod.HEAD;
        if (!safe && Sessions.crossSite(ctx.request().headers())) {
            // Whatever credentials a browser attaches by itself (a cookie, remembered Basic ones).
            ctx.fail(new OperationException(403, "cross_site", "Requests from pages of other sites are refused",
                    Map.of()));
            return;
        }
        String header = ctx.request().getHeader("Authorization");
        String token = header == null ? Sessions.token(ctx.request().getHeader("Cookie")) : null;
        Future<Identity> who;
        if (token != null) {
            who = session(token, safe ? null : ctx.request().getHeader(Sessions.CSRF_HEADER), safe);
        } else {
            who = authenticate(header, ctx.request().remoteAddress().hostAddress());
        }
        who.onSuccess(identity -> {
            ctx.put(IDENTITY, identity);
            ctx.next();
        }).onFailure(e -> {
            // Scripts (the web UI) handle a 401 themselves; a challenge would make the browser ask instead.
            boolean script = "XMLHttpRequest".equals(ctx.request().getHeader("X-Requested-With"));
            if (e instanceof OperationException o && o.status() == 401 && !script) {
                ctx.response().putHeader("WWW-Authenticate", "Basic realm=\"flotilla\"");
            }
            ctx.fail(e);
        });
    }

    /**
     * The identity of a browser session, or a 401 when there is none (expired, signed out); a 403
     * unless {@code csrfChecked} or the given CSRF token is the session's.
     */
    Future<Identity> session(String token, String csrfToken, boolean csrfChecked) {
        return sessions.find(Sessions.hash(token)).compose(found -> {
            if (found.isEmpty()) {
                return Future.failedFuture(new OperationException(401, "unauthenticated",
                        "The session has expired or was signed out; sign in again", Map.of()));
            }
            if (!csrfChecked && (csrfToken == null || !MessageDigest.isEqual(csrfToken.getBytes(StandardCharsets.UTF_8),
                    found.get().csrfToken().getBytes(StandardCharsets.UTF_8)))) {
                return Future.failedFuture(new OperationException(403, "csrf", "A request signed in by cookie must send"
                        + " the session's " + Sessions.CSRF_HEADER + " header", Map.of()));
            }
            return Future.succeededFuture(Sessions.identity(found.get().identity()));
        });
    }

    /**
     * The identity behind a Basic {@code Authorization} header, or a 401 {@link OperationException}
     * with OneFlow's texts, or a 429 while the name or the address is locked out for guessing.
     */
    Future<Identity> authenticate(String header, String address) {
        Optional<String[]> credentials = parse(header);
        if (credentials.isEmpty()) {
            return Future.failedFuture(new OperationException(401, "unauthenticated", header == null
                    ? "A username and password must be provided" : "Invalid credentials", Map.of()));
        }
        String user = credentials.get()[0];
        String password = credentials.get()[1];
        String digest = digest(header);
        Cached cached = cache.get(digest);
        if (cached != null && cached.expiresAt > System.currentTimeMillis()) {
            return Future.succeededFuture(cached.identity);
        }
        long wait = throttle.waitSeconds(user, address, System.currentTimeMillis());
        if (wait > 0) {
            return Future.failedFuture(new OperationException(429, "too_many_failures",
                    "Too many failed sign-ins; retry in " + wait + " s", Map.of("retry_after", (int) wait)));
        }
        return verify(user, password).compose(identity -> {
            if (identity.isEmpty()) {
                throttle.failed(user, address, System.currentTimeMillis());
                return Future.failedFuture(new OperationException(401, "unauthenticated", "Invalid credentials",
                        Map.of()));
            }
            throttle.succeeded(user);
            if (cache.size() >= CACHE_MAX) {
                cache.clear();
            }
            cache.put(digest, new Cached(identity.get(), System.currentTimeMillis() + cacheMillis));
            return Future.succeededFuture(identity.get());
        });
    }

    private Future<Optional<Identity>> verify(String user, String password) {
        if (cloud.authenticates()) {
            return cloud.authenticate(user, password)
                    .recover(e -> Future.failedFuture(OperationException.unavailable("OpenNebula (oned)")))
                    .compose(found -> found.isEmpty()
                    ? Future.succeededFuture(Optional.<Identity>empty())
                    : users.mirror(found.get().uid(), found.get().name(), found.get().gid(), found.get().gname())
                    .map(v -> Optional.of(new Identity(found.get().uid(), found.get().name(), found.get().gid(),
                            found.get().gname(), found.get().groups()))));
        }
        return users.find(user).compose(found -> {
            // An unknown user costs the same hash as a wrong password: no user names by timing.
            boolean known = found.isPresent() && found.get().passwordHash() != null;
            String hash = known ? found.get().passwordHash() : null;
            return vertx.executeBlocking(() -> Passwords.verify(password, known ? hash : Passwords.decoy()), false)
                    .map(ok -> ok && known ? Optional.of(identityOf(found.get())) : Optional.<Identity>empty());
        });
    }

    private static Identity identityOf(UserStore.UserRow row) {
        return new Identity(row.id(), row.name(), row.gid(), row.gname(), row.groups());
    }

    /**
     * {@code user:password} from a Basic header. Control characters are refused in both: a NUL
     * would reach the database in a name, and in a password it would be equal to none at all
     * (HMAC pads keys with zeros).
     */
    private static Optional<String[]> parse(String header) {
        if (header == null || !header.regionMatches(true, 0, "Basic ", 0, 6)) {
            return Optional.empty();
        }
        try {
            String decoded = new String(Base64.getDecoder().decode(header.substring(6).trim()), StandardCharsets.UTF_8);
            int colon = decoded.indexOf(':');
            if (colon <= 0) {
                return Optional.empty();
            }
            String user = decoded.substring(0, colon);
            String password = decoded.substring(colon + 1);
            if (!TextRules.isPlainText(user) || !TextRules.isPlainText(password) || user.length() > 128) {
                return Optional.empty();
            }
            return Optional.of(new String[]{user, password});
        } catch (IllegalArgumentException e) {
            return Optional.empty();
        }
    }

    private static String digest(String header) {
        try {
            return HexFormat.of().formatHex(MessageDigest.getInstance("SHA-256")
                    .digest(header.getBytes(StandardCharsets.UTF_8)));
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException(e);
        }
    }
}
