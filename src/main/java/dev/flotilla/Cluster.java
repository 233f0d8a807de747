package dev.flotilla;

import com.hazelcast.config.Config;
import com.hazelcast.config.JoinConfig;
import dev.flotilla.config.FlotillaConfig;
import io.vertx.spi.cluster.hazelcast.HazelcastClusterManager;

/**
 * The Hazelcast cluster manager of a clustered event bus: TCP/IP join with the configured member
 * list (no multicast, which most networks drop), on this node's cluster address. Hazelcast only
 * carries the bus; PostgreSQL stays the truth (leases, events, documents).
 */
final class Cluster {
    private Cluster() {
    }

    static HazelcastClusterManager manager(FlotillaConfig.ClusterSettings settings) {
        Config hz = new Config();
        hz.setClusterName("flotilla");
        hz.setInstanceName("flotilla-" + settings.nodeId());
        hz.setProperty("hazelcast.logging.type", "slf4j");
        hz.setProperty("hazelcast.phone.home.enabled", "false");
        // Vert.x leaves the cluster on close; Hazelcast's own hook would race it.
        hz.setProperty("hazelcast.shutdownhook.enabled", "false");
        // A dead member's connections are refused at once; the heartbeat timeout (Hazelcast's minute) is
        // for a member that hangs. Kept long: a member dropped and merged back loses its event-bus
        // registrations, while a paused one that stays a member just resumes (its lease fences it).
        hz.getNetworkConfig().setPort(settings.port()).setPortAutoIncrement(false).setPublicAddress(settings.host()
                + ":" + settings.port());
        hz.getNetworkConfig().getInterfaces().setEnabled(false);
        JoinConfig join = hz.getNetworkConfig().getJoin();
        join.getMulticastConfig().setEnabled(false);
        join.getAutoDetectionConfig().setEnabled(false);
        join.getTcpIpConfig().setEnabled(true).setMembers(settings.members());
        return new HazelcastClusterManager(hz);
    }
}
