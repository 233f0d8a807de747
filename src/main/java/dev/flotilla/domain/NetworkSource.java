package dev.flotilla.domain;

import java.util.Optional;

/**
 * Where a service network comes from (templates.md §6.1), named by its {@code networks_values} key:
 * an existing network used as is, a new network from a network template, or a reservation from a
 * parent network. The last two are made for the service and removed with it.
 */
public enum NetworkSource {
    ID("id"),
    TEMPLATE("template_id"),
    RESERVE("reserve_from");

    private final String key;

    NetworkSource(String key) {
        this.key = key;
    }

    /** The {@code networks_values} key that selects this source. */
    public String key() {
        return key;
    }

    /** True when the service makes the network (and so deletes it on undeploy). */
    public boolean createdByService() {
        return this != ID;
    }

    public static Optional<NetworkSource> ofKey(String key) {
        for (NetworkSource s : values()) {
            if (s.key.equals(key)) {
                return Optional.of(s);
            }
        }
        return Optional.empty();
    }
}
