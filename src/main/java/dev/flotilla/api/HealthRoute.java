package dev.flotilla.api;

import dev.flotilla.cloud.CloudDriver;
import dev.flotilla.json.Json;
import dev.flotilla.store.Health;
import dev.flotilla.web.Http;
import io.vertx.core.Future;
import io.vertx.ext.web.RoutingContext;

/**
 * {@code GET /health} (no credentials; it tells nothing secret): whether PostgreSQL and the cloud
 * answer, so an operator sees at once which setting is wrong or which service is down. 200 when
 * both do, 503 otherwise.
 */
final class HealthRoute {
    private static final org.slf4j.Logger LOG = org.slf4j.LoggerFactory.getLogger(HealthRoute.class);
    private final Health health;
    private final CloudDriver cloud;
    private final String driver;

    HealthRoute(Health health, CloudDriver cloud, String driver) {
        this.health = health;
        this.cloud = cloud;
        this.driver = driver;
    }

    void handle(RoutingContext ctx) {
        Future<String> database = health.database();
        Future<String> cloudState = cloud.health();
        Future.join(database, cloudState).onComplete(ar -> {
            String db = database.succeeded() ? database.result() : "failing";
            String cl = cloudState.succeeded() ? cloudState.result() : String.valueOf(cloudState.cause());
            var body = Json.object();
            body.put("status", db == null && cl == null ? "ok" : "degraded");
            body.putObject("database").put("state", db == null ? "ok" : db);
            var c = body.putObject("cloud").put("driver", driver).put("state", cl == null ? "ok" : "unreachable");
            if (cl != null) {
                // The cloud's own words may name hosts: they go to the log, the answer names the setting.
                LOG.warn("health: the cloud ({}) does not answer: {}", driver, cl);
                c.put("check", driver.equals("opennebula")
                        ? ":one_xmlrpc (FLOTILLA_ONE_XMLRPC) and the server identity (ONE_CIPHER_AUTH)"
                        : "the simulator's outage (PUT /sim/outage)");
            }
            Http.json(ctx, db == null && cl == null ? 200 : 503, body);
        });
    }
}
