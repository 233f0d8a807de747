package dev.flotilla.engine;

import dev.flotilla.store.ServiceRepository;
import io.vertx.core.Future;
import io.vertx.core.Promise;

import java.util.ArrayDeque;
import java.util.Deque;

/**
 * New service ids taken from the sequence a block at a time: an instantiate does not pay a round
 * trip (and a transaction) of its own for its id. Confined to the engine's event loop.
 */
final class ServiceIds {
    private static final int BLOCK = 32;

    private final ServiceRepository services;
    private final Deque<Integer> free = new ArrayDeque<>();
    private final Deque<Promise<Integer>> waiting = new ArrayDeque<>();
    private boolean fetching;

    ServiceIds(ServiceRepository services) {
        this.services = services;
    }

    Future<Integer> next() {
        if (!free.isEmpty() && waiting.isEmpty()) {
            return Future.succeededFuture(free.poll());
        }
        Promise<Integer> id = Promise.promise();
        waiting.add(id);
        fetch();
        return id.future();
    }

    private void fetch() {
        if (fetching) {
            return;
        }
        fetching = true;
        services.nextServiceIds(Math.max(BLOCK, waiting.size())).onComplete(ar -> {
            fetching = false;
            if (ar.failed()) {
                while (!waiting.isEmpty()) {
                    waiting.poll().fail(ar.cause());
                }
                return;
            }
            free.addAll(ar.result());
            while (!waiting.isEmpty() && !free.isEmpty()) {
                waiting.poll().complete(free.poll());
            }
            if (!waiting.isEmpty()) {
                fetch();
            }
        });
    }
}
