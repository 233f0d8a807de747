package dev.flotilla.api;

import dev.flotilla.api.Authorizer.Decision;
import dev.flotilla.store.DocumentAdmin.Kind;
import io.vertx.core.Vertx;
import io.vertx.ext.web.Router;
import io.vertx.ext.web.RoutingContext;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

import java.util.List;

import static io.vertx.core.http.HttpMethod.GET;
import static io.vertx.core.http.HttpMethod.POST;
import static org.junit.jupiter.api.Assertions.assertEquals;

/** A route mounted around the authorizer is found, so the API refuses to start with it. */
class AuthorizerTest {
    private static Vertx vertx;

    @BeforeAll
    static void start() {
        vertx = Vertx.vertx();
    }

    @AfterAll
    static void stop() {
        vertx.close().await();
    }

    @Test
    void aRouteWithoutADecisionIsListed() {
        Router router = Router.router(vertx);
        Authorizer authorizer = new Authorizer(null, null);
        router.route().handler(RoutingContext::next); // every-request handlers have no path
        authorizer.mount(router, GET, "/health", Decision.publicRoute(), RoutingContext::next);
        authorizer.mount(router, GET, "/service/:id", Decision.use(Kind.SERVICE), RoutingContext::next);
        authorizer.mount(router, null, "/sim/*", Decision.admin("no"), RoutingContext::next);
        router.get("/sim/vm").handler(RoutingContext::next); // after its prefix's guard
        Router early = Router.router(vertx);
        Authorizer late = new Authorizer(null, null);
        early.get("/sim/vm").handler(RoutingContext::next);
        late.mount(early, null, "/sim/*", Decision.admin("no"), RoutingContext::next);
        assertEquals(List.of("GET /sim/vm"), late.undecided(early), "a route before the guard is not guarded");

        router.post("/service/:id/forgotten").handler(RoutingContext::next);
        router.get("/service/:id").handler(RoutingContext::next);
        assertEquals(List.of("POST /service/:id/forgotten", "GET /service/:id"), authorizer.undecided(router),
                "a second route on a decided path is not decided by it");
    }
}
