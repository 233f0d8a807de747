package dev.flotilla.engine;

import io.vertx.core.Future;

import java.util.HashMap;
import java.util.HashSet;
import java.util.Map;
import java.util.Set;
import java.util.function.Supplier;

/**
 * One lane per service: tasks for the same service run one after another, different services in
 * parallel. Wake-ups that arrive while one is already queued coalesce into it. Confined to the
 * engine's event loop, so plain collections suffice.
 */
final class ServiceLanes {
    private final Map<Integer, Future<?>> tails = new HashMap<>();
    private final Set<Integer> queuedWakes = new HashSet<>();

    <T> Future<T> submit(int serviceId, Supplier<Future<T>> task) {
        Future<?> tail = tails.getOrDefault(serviceId, Future.succeededFuture());
        Future<T> next = tail.transform(previous -> {
            try {
                return task.get();
            } catch (RuntimeException e) {
                return Future.failedFuture(e);
            }
        });
        tails.put(serviceId, next);
        next.onComplete(ar -> tails.remove(serviceId, next));
        return next;
    }

    /** Queues {@code task} unless a wake for this service is already waiting to run. */
    void wake(int serviceId, Supplier<Future<?>> task) {
        if (!queuedWakes.add(serviceId)) {
            return;
        }
        submit(serviceId, () -> {
            queuedWakes.remove(serviceId);
            return task.get();
        });
    }

    int busy() {
        return tails.size();
    }
}
