package dev.flotilla.store;

/**
 * This node's lease ran out (or a newer incarnation of the node replaced it): nothing it planned
 * may commit until it renews; another node may own its services by then.
 */
public final class LeaseExpiredException extends RuntimeException {
    public LeaseExpiredException(String node, long epoch) {
        super("the lease of node " + node + " (epoch " + epoch + ") is not alive", null, false, false);
    }
}
