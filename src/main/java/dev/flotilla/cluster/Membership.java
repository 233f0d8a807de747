package dev.flotilla.cluster;

import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;

/**
 * This node's place in the cluster, shared by its verticles: its id, the epoch of its lease (the
 * fencing token its commits carry), whether it leads the cluster-wide singletons (the VM poller),
 * and the services it owns. Written by the engine's lease keeper; read anywhere (thread-safe). A
 * single node is a cluster of one: it owns every service.
 */
public final class Membership {
    private final String nodeId;
    private final boolean clustered;
    private volatile long epoch = -1;
    private volatile boolean leader;
    private volatile long leaseValidUntilNanos;
    private final Set<Integer> owned = ConcurrentHashMap.newKeySet();

    public Membership(String nodeId, boolean clustered) {
        this.nodeId = nodeId;
        this.clustered = clustered;
    }

    public String nodeId() {
        return nodeId;
    }

    public boolean clustered() {
        return clustered;
    }

    /** The epoch of this node's lease; -1 before it joined. */
    public long epoch() {
        return epoch;
    }

    public void joined(long epoch) {
        this.epoch = epoch;
    }

    /** The lease was renewed now, for {@code ttlNanos}; a little is kept back for clock drift and pauses. */
    public void renewed(long ttlNanos) {
        leaseValidUntilNanos = System.nanoTime() + ttlNanos - ttlNanos / 4;
    }

    /** False once the lease may have run out: no cloud call is started then (another node may own the service). */
    public boolean leaseValid() {
        return epoch >= 0 && System.nanoTime() < leaseValidUntilNanos;
    }

    /** The live node with the lowest id leads: it runs what must run once in the cluster. */
    public boolean leader() {
        return !clustered || leader;
    }

    public void leader(boolean leads) {
        this.leader = leads;
    }

    public boolean owns(int serviceId) {
        return owned.contains(serviceId);
    }

    public void adopt(int serviceId) {
        owned.add(serviceId);
    }

    public void adoptAll(java.util.Collection<Integer> serviceIds) {
        owned.addAll(serviceIds);
    }

    public void lose(int serviceId) {
        owned.remove(serviceId);
    }

    public int ownedCount() {
        return owned.size();
    }
}
