package dev.flotilla.api;

import dev.flotilla.bus.Addresses;
import dev.flotilla.cloud.CloudDriver;
import dev.flotilla.json.Json;
import dev.flotilla.store.Health;
import dev.flotilla.web.Http;
import io.vertx.core.Future;
import io.vertx.ext.web.RoutingContext;

/**
 * {@code GET /health} and {@code /health/ready} (no credentials; they tell nothing secret): whether
 * PostgreSQL and the cloud answer and the lifecycle engine's loop is alive, so an operator (or a
 * load balancer) sees at once which setting is wrong or which part is down: 200 when all are, 503
 * otherwise. {@code /health/live}: the process answers HTTP (a restart is the cure only for that).
 */
final class HealthRoute {
    private static final io.vertx.core.eventbus.DeliveryOptions PING =
            new io.vertx.core.eventbus.DeliveryOptions().setSendTimeout(2000).setLocalOnly(true);
    private static final org.slf4j.Logger LOG = org.slf4j.LoggerFactory.getLogger(HealthRoute.class);
    private final Health health;
    private final CloudDriver cloud;
    private final String driver;
    private final io.vertx.core.eventbus.EventBus bus;

    HealthRoute(Health health, CloudDriver cloud, String driver, io.vertx.core.eventbus.EventBus bus) {
        this.health = health;
        this.cloud = cloud;
        this.driver = driver;
        this.bus = bus;
    }

    void live(RoutingContext ctx) {
        Http.json(ctx, 200, Json.object().put("status", "live"));
    }

    void handle(RoutingContext ctx) {
        Future<String> database = health.database();
        Future<String> cloudState = cloud.health();
        Future<Object> engine = bus.request(Addresses.ENGINE_PING, "ping", PING).map(m -> m.body());
        Future.join(database, cloudState, engine).onComplete(ar -> {
            String db = database.succeeded() ? database.result() : "failing";
            String cl = cloudState.succeeded() ? cloudState.result() : String.valueOf(cloudState.cause());
            boolean engineAlive = engine.succeeded();
            boolean ok = db == null && cl == null && engineAlive;
            var body = Json.object();
            body.put("status", ok ? "ok" : "degraded");
            body.putObject("database").put("state", db == null ? "ok" : db);
            body.putObject("engine").put("state", engineAlive ? "ok" : "not answering within 2 s");
            var c = body.putObject("cloud").put("driver", driver).put("state", cl == null ? "ok" : "unreachable");
            if (cl != null) {
                // The cloud's own words may name hosts: they go to the log, the answer names the setting.
                LOG.warn("health: the cloud ({}) does not answer: {}", driver, cl);
                c.put("check", driver.equals("opennebula")
                        ? ":one_xmlrpc (FLOTILLA_ONE_XMLRPC) and the server identity (ONE_CIPHER_AUTH)"
                        : "the simulator's outage (PUT /sim/outage)");
            }
            Http.json(ctx, ok ? 200 : 503, body);
        });
    }
}
