package dev.flotilla.domain;

import java.util.List;
import java.util.Set;

/** Network rows a plan records before any driver call: attempts to add; rows to delete, retire, forget. */
public record NetworkIntents(List<NewNetwork> newNetworks, Set<Long> deleteRows, Set<Long> retireRows,
                             Set<Long> forgetRows) {

    public static final NetworkIntents NONE = new NetworkIntents(List.of(), Set.of(), Set.of(), Set.of());

    /** An attempt at making network {@code name} for the service, under {@code requestKey}. */
    public record NewNetwork(String name, int attempt, NetworkSource source, int sourceId, String extra,
                             String netName, String requestKey) {
    }

    public boolean isEmpty() {
        return newNetworks.isEmpty() && deleteRows.isEmpty() && retireRows.isEmpty() && forgetRows.isEmpty();
    }
}
