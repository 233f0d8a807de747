package dev.flotilla.api;

import dev.flotilla.domain.ServiceState;
import io.micrometer.core.instrument.Gauge;
import io.micrometer.prometheusmetrics.PrometheusConfig;
import io.micrometer.prometheusmetrics.PrometheusMeterRegistry;

import java.util.EnumMap;
import java.util.Map;
import java.util.concurrent.atomic.AtomicLong;

/**
 * One server's metrics registry: Vert.x reports its HTTP, pool and event-bus metrics into it, and
 * Flotilla's own gauges live here once for all API verticles (services by state and pending
 * role-action batches as last read from PostgreSQL, open event streams and connections).
 */
public final class ServerMetrics {
    final PrometheusMeterRegistry registry = new PrometheusMeterRegistry(PrometheusConfig.DEFAULT);
    final Map<ServiceState, AtomicLong> servicesByState = new EnumMap<>(ServiceState.class);
    final AtomicLong pendingBatches = new AtomicLong();

    public ServerMetrics(ClientCounts clients) {
        for (ServiceState state : ServiceState.values()) {
            AtomicLong count = new AtomicLong();
            servicesByState.put(state, count);
            Gauge.builder("flotilla_services", count, AtomicLong::get).tag("state", state.name())
                    .description("Services in each state").register(registry);
        }
        Gauge.builder("flotilla_role_action_batches_pending", pendingBatches, AtomicLong::get)
                .description("Role-action batches not yet run").register(registry);
        Gauge.builder("flotilla_event_streams", clients, ClientCounts::openStreams)
                .description("Open /events WebSocket subscribers").register(registry);
        Gauge.builder("flotilla_http_connections", clients, ClientCounts::openConnections)
                .description("Open HTTP connections").register(registry);
    }

    public PrometheusMeterRegistry registry() {
        return registry;
    }
}
