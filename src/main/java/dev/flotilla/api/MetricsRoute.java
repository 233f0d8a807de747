package dev.flotilla.api;

import dev.flotilla.store.Health;
import io.vertx.core.Future;
import io.vertx.core.Handler;
import io.vertx.ext.web.RoutingContext;
import io.vertx.micrometer.PrometheusScrapingHandler;

import java.util.Map;

/**
 * {@code GET /metrics} (oneadmin; Prometheus' {@code basic_auth}): Vert.x's HTTP server, client,
 * pool and event-bus metrics, the JVM's, and Flotilla's own ({@link ServerMetrics}). The counts are
 * read from PostgreSQL when scraped, so every API verticle reports the same truth.
 */
final class MetricsRoute {
    private final ServerMetrics metrics;
    private final Health health;
    private final Handler<RoutingContext> scrape;

    MetricsRoute(ServerMetrics metrics, Health health) {
        this.metrics = metrics;
        this.health = health;
        this.scrape = PrometheusScrapingHandler.create(metrics.registry);
    }

    void handle(RoutingContext ctx) {
        Future.all(health.servicesByState(), health.pendingBatches()).onSuccess(both -> {
            Map<Integer, Long> counts = both.resultAt(0);
            metrics.servicesByState.forEach((state, gauge) -> gauge.set(counts.getOrDefault(state.number(), 0L)));
            metrics.pendingBatches.set(both.<Long>resultAt(1));
            scrape.handle(ctx);
        }).onFailure(ctx::fail);
    }
}
