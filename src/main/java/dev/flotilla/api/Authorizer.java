package dev.flotilla.api;

import dev.flotilla.OperationException;
import dev.flotilla.domain.Permissions;
import dev.flotilla.domain.Permissions.Right;
import dev.flotilla.store.DocumentAdmin;
import dev.flotilla.store.DocumentAdmin.Kind;
import dev.flotilla.web.Http;
import io.vertx.core.Future;
import io.vertx.core.Handler;
import io.vertx.core.http.HttpMethod;
import io.vertx.ext.web.Route;
import io.vertx.ext.web.Router;
import io.vertx.ext.web.RoutingContext;

import java.util.ArrayList;
import java.util.IdentityHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;

/**
 * Who may call each route, as OpenNebula's core decides for documents: every route is mounted
 * through here with its {@link Decision}, one check applies them, and {@link #undecided} lists any
 * route mounted around it (the API refuses to start with one), even on a path that has a decided route. A document the caller may not USE is
 * a 403 in the core's words; an unknown id goes on to the route, which answers 404.
 */
final class Authorizer {
    /** The checked document's owner and mode, for the action-level checks (chown, chmod, ...). */
    private static final String DOCUMENT = "authorized-document";

    enum Access { PUBLIC, SIGNED_IN, ADMIN, DOCUMENT }

    /** For DOCUMENT: the right needed on the {@code :id} document of {@code kind}, named as the core call that needs it. */
    record Decision(Access access, Kind kind, Right right, String coreMethod, String refusal) {
        static Decision publicRoute() {
            return new Decision(Access.PUBLIC, null, null, null, null);
        }

        static Decision signedIn() {
            return new Decision(Access.SIGNED_IN, null, null, null, null);
        }

        static Decision admin(String refusal) {
            return new Decision(Access.ADMIN, null, null, null, refusal);
        }

        static Decision use(Kind kind) {
            return new Decision(Access.DOCUMENT, kind, Right.USE, "one.document.info", null);
        }

        static Decision manage(Kind kind, String coreMethod) {
            return new Decision(Access.DOCUMENT, kind, Right.MANAGE, coreMethod, null);
        }
    }

    private final DocumentAdmin documents;
    /** Services' owners without a query when their documents are in memory. */
    private final DocumentCache cache;
    /** The routes mounted here, as objects: another route on the same path is not covered by them. */
    private final Set<Route> decided = java.util.Collections.newSetFromMap(new IdentityHashMap<>());
    /** Prefix routes ("/sim/*") that check everything mounted after them under their prefix. */
    private final Set<Route> guards = java.util.Collections.newSetFromMap(new IdentityHashMap<>());

    Authorizer(DocumentAdmin documents, DocumentCache cache) {
        this.documents = documents;
        this.cache = cache;
    }

    /** Mounts {@code handler} behind the check of {@code decision}; a path ending in {@code *} covers its prefix. */
    void mount(Router router, HttpMethod method, String path, Decision decision, Handler<RoutingContext> handler) {
        Route route = method == null ? router.route(path) : router.route(method, path);
        decided.add(route);
        if (path.endsWith("*")) {
            guards.add(route);
        }
        if (decision.access() != Access.PUBLIC) {
            route.handler(ctx -> check(ctx, decision));
        }
        route.handler(handler);
    }

    private void check(RoutingContext ctx, Decision decision) {
        Identity who = ctx.get(Authenticator.IDENTITY);
        switch (decision.access()) {
            case PUBLIC, SIGNED_IN -> ctx.next();
            case ADMIN -> {
                if (who.isAdmin()) {
                    ctx.next();
                } else {
                    ctx.fail(new OperationException(403, "forbidden", decision.refusal(), Map.of()));
                }
            }
            case DOCUMENT -> {
                int id = Http.id(ctx, "id");
                Permissions.Owned known = decision.kind() == Kind.SERVICE ? cache.ownerIfKnown(id) : null;
                Future<Optional<Permissions.Owned>> owner = known != null ? Future.succeededFuture(Optional.of(known))
                        : documents.owner(decision.kind(), id);
                owner.onSuccess(owned -> {
                    if (owned.isPresent()) {
                        ctx.put(DOCUMENT, owned.get());
                        if (!Permissions.allows(who.caller(), owned.get(), decision.right())) {
                            ctx.fail(forbidden(decision.coreMethod(), who, decision.right(), id));
                            return;
                        }
                    }
                    ctx.next();
                }).onFailure(ctx::fail);
            }
        }
    }

    /**
     * A right beyond the route's, on the document the route checked (a template action other than
     * instantiate or clone needs MANAGE); nothing when there was no such document (the route 404s).
     */
    static void require(RoutingContext ctx, Right right, String coreMethod) {
        Permissions.Owned owned = ctx.get(DOCUMENT);
        Identity who = ctx.get(Authenticator.IDENTITY);
        if (owned != null && !Permissions.allows(who.caller(), owned, right)) {
            throw forbidden(coreMethod, who, right, Http.id(ctx, "id"));
        }
    }

    /** chown, chgrp and chmod beyond MANAGE: who may give a document away, to which group, and admin bits. */
    static void requireChange(RoutingContext ctx, String perform, int newUid, int newGid, int newMode) {
        Permissions.Owned owned = ctx.get(DOCUMENT);
        Identity who = ctx.get(Authenticator.IDENTITY);
        if (owned == null) {
            return;
        }
        if (perform.equals("chmod")) {
            require(ctx, Permissions.chmodNeeds(owned, newMode), "one.document.chmod");
            return;
        }
        String refusal = Permissions.chownRefusal(who.caller(), owned, newUid, newGid);
        if (refusal != null) {
            throw new OperationException(403, "forbidden", "[one.document.chown] " + refusal, Map.of());
        }
    }

    private static OperationException forbidden(String coreMethod, Identity who, Right right, int id) {
        return new OperationException(403, "forbidden", Permissions.refusal(coreMethod, who.caller(), right, id),
                Map.of());
    }

    /**
     * Routes of {@code router} with a path that were not mounted here nor after a guard of their
     * prefix (routes run in the router's order), as "METHOD path".
     */
    List<String> undecided(Router router) {
        List<String> out = new ArrayList<>();
        List<Route> routes = router.getRoutes();
        for (int i = 0; i < routes.size(); i++) {
            Route route = routes.get(i);
            String path = route.getPath();
            if (path == null || decided.contains(route) || guardedBefore(routes, i, path)) {
                continue; // path-less routes are the handlers of every request: input gate, body, authentication
            }
            String methods = route.methods() == null || route.methods().isEmpty() ? "ANY"
                    : route.methods().stream().map(HttpMethod::name).sorted().reduce((a, b) -> a + "," + b).orElse("");
            out.add(methods + " " + path);
        }
        return out;
    }

    private boolean guardedBefore(List<Route> routes, int index, String path) {
        for (int g = 0; g < index; g++) {
            Route guard = routes.get(g);
            // Vert.x keeps "/sim/*" as the prefix "/sim/".
            if (guards.contains(guard) && guard.getPath() != null && path.startsWith(guard.getPath())) {
                return true;
            }
        }
        return false;
    }
}
