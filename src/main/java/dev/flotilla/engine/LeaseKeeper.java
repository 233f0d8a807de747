package dev.flotilla.engine;

import dev.flotilla.cluster.Membership;
import dev.flotilla.store.LeaseStore;
import io.vertx.core.Future;
import io.vertx.core.Vertx;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.time.Duration;

/**
 * Keeps this node's lease: joins with a new epoch (taking its own services back at once), renews
 * it four times per TTL in one statement for every service it owns, and every second takes over
 * the services of nodes whose lease ran out — so a dead node's services move within the TTL and a
 * grace second. The live node with the lowest id leads the cluster-wide singletons.
 */
final class LeaseKeeper {
    private static final Logger LOG = LoggerFactory.getLogger(LeaseKeeper.class);
    /** After a lease ran out, a paused owner gets this long to notice before its services are taken. */
    private static final Duration GRACE = Duration.ofSeconds(1);
    private static final long TAKEOVER_EVERY_MS = 1000;
    private static final int TAKEOVER_LIMIT = 500;

    private final Vertx vertx;
    private final LeaseStore store;
    private final Membership membership;
    private final Duration ttl;
    private final Reconciler reconciler;

    LeaseKeeper(Vertx vertx, LeaseStore store, Membership membership, Duration ttl, Reconciler reconciler) {
        this.vertx = vertx;
        this.store = store;
        this.membership = membership;
        this.ttl = ttl;
        this.reconciler = reconciler;
    }

    LeaseStore.Fence fence() {
        return new LeaseStore.Fence(membership.nodeId(), membership.epoch());
    }

    /** Joins, takes what has no live owner, then keeps the lease; done when this node owns what it should. */
    Future<Void> start() {
        return store.join(membership.nodeId(), ttl).compose(joined -> {
            membership.joined(joined.epoch());
            membership.renewed(ttl.toNanos());
            membership.adoptAll(joined.owned());
            LOG.info("node {} joined with epoch {}; it owns {} service(s)", membership.nodeId(), joined.epoch(),
                    joined.owned().size());
            return takeOver();
        }).onSuccess(v -> {
            vertx.setPeriodic(Math.max(500, ttl.toMillis() / 4), t -> renew());
            vertx.setPeriodic(TAKEOVER_EVERY_MS, t -> takeOver());
        });
    }

    private void renew() {
        boolean lapsed = !membership.leaseValid();
        store.renew(fence(), ttl).onSuccess(mine -> {
            if (!mine) {
                // Another process joined under this node id: two nodes with one id cannot both be safe.
                LOG.error("node {}: the lease of epoch {} was replaced by another process with this node id;"
                        + " this process stops committing", membership.nodeId(), membership.epoch());
                membership.joined(-1);
                return;
            }
            membership.renewed(ttl.toNanos());
            if (lapsed) {
                LOG.warn("node {}: the lease had run out and is renewed; looking at its services again",
                        membership.nodeId());
                reconciler.resyncAll();
            }
        }).onFailure(e -> LOG.warn("node {}: lease not renewed: {}", membership.nodeId(), e.toString()));
    }

    private Future<Void> takeOver() {
        if (!membership.leaseValid()) {
            return Future.succeededFuture();
        }
        return store.takeOver(fence(), GRACE, TAKEOVER_LIMIT).compose(taken -> {
            if (!taken.isEmpty()) {
                membership.adoptAll(taken);
                LOG.info("node {} took over {} service(s) without a live owner: {}", membership.nodeId(), taken.size(),
                        taken.size() > 20 ? taken.subList(0, 20) + "..." : taken);
                taken.forEach(id -> reconciler.wake(id, "takeover"));
            }
            return store.liveNodes();
        }).map(live -> {
            membership.leader(!live.isEmpty() && live.get(0).equals(membership.nodeId()));
            return (Void) null;
        }).recover(e -> {
            LOG.warn("node {}: takeover scan failed: {}", membership.nodeId(), e.toString());
            return Future.succeededFuture();
        });
    }

    /** A command arrived for a service whose owner is gone: it becomes this node's (true), or someone else's. */
    Future<Boolean> claim(int serviceId) {
        return store.claim(serviceId, fence()).onSuccess(mine -> {
            if (mine) {
                membership.adopt(serviceId);
            }
        });
    }

    Future<java.util.Optional<LeaseStore.Owner>> ownerOf(int serviceId) {
        return store.ownerOf(serviceId);
    }
}
