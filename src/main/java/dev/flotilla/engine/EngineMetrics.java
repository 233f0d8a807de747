package dev.flotilla.engine;

import dev.flotilla.domain.ServiceState;
import io.micrometer.core.instrument.DistributionSummary;
import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.Timer;
import io.vertx.core.Future;

import java.time.Duration;
import java.util.HashMap;
import java.util.Map;
import java.util.function.Supplier;

/**
 * The engine's series in the server's registry: how long the cloud takes per operation and how
 * often it refuses or cannot be reached, how long a woken service waits for its commit, and how
 * many services one group commit carries.
 */
final class EngineMetrics {
    private final MeterRegistry registry;
    private final Timer commitLag;
    private final DistributionSummary batchServices;

    EngineMetrics(MeterRegistry registry) {
        this.registry = registry;
        this.commitLag = Timer.builder("flotilla_engine_commit_lag")
                .description("From a service's turn in the engine to its plan committed (group commit wait included)")
                .publishPercentiles(0.5, 0.99).register(registry);
        this.batchServices = DistributionSummary.builder("flotilla_engine_batch_services")
                .description("Services committed together in one engine transaction")
                .publishPercentiles(0.5, 0.99).register(registry);
    }

    /** Times {@code call} as driver operation {@code operation}; the outcome is ok, refused or failed. */
    <T> Future<T> driverCall(String operation, Supplier<Future<T>> call) {
        long start = System.nanoTime();
        return call.get().andThen(ar -> {
            String outcome = ar.succeeded() ? "ok"
                    : ar.cause() instanceof dev.flotilla.cloud.CloudRefusedException ? "refused" : "failed";
            Timer.builder("flotilla_driver_call").description("Cloud driver calls by operation and outcome")
                    .tag("operation", operation).tag("outcome", outcome).register(registry)
                    .record(Duration.ofNanos(System.nanoTime() - start));
        });
    }

    /** The state each service entered, and when, as this process saw it (confined to the engine's loop). */
    private final Map<Integer, Entered> entered = new HashMap<>();

    private record Entered(ServiceState state, long atNanos) {
    }

    /**
     * A service left {@code from} for {@code to}: the time it spent in {@code from} goes to the
     * time-in-state histogram when this process saw it enter (after a restart, from its next change).
     */
    void stateChanged(int serviceId, ServiceState from, ServiceState to) {
        long now = System.nanoTime();
        Entered was = entered.remove(serviceId);
        if (was != null && was.state() == from) {
            Timer.builder("flotilla_service_time_in_state").description("Time services spent in a state, by state")
                    .tag("state", from.name()).publishPercentiles(0.5, 0.99).register(registry)
                    .record(Duration.ofNanos(now - was.atNanos()));
        }
        if (!to.isFinal()) {
            entered.put(serviceId, new Entered(to, now));
        }
    }

    void committed(long turnStartedNanos) {
        commitLag.record(Duration.ofNanos(System.nanoTime() - turnStartedNanos));
    }

    void batch(int services) {
        batchServices.record(services);
    }
}
