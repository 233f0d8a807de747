package dev.flotilla.domain;

import java.time.Instant;
import java.util.Map;
import java.util.Set;

/** The state a plan writes to the service and its roles: states, deadline, counts, flags, removals. */
public record StateChanges(
        ServiceState serviceState,
        boolean deadlineChanged,
        Instant deadline,
        Map<String, RoleState> roleStates,
        Map<String, Integer> cardinalities,
        Map<String, Integer> lastVmNumbers,
        boolean forceDelete,
        boolean holdReleased,
        Set<String> removingRoles,
        Set<String> deletedRoles) {

    /**
     * True when a deadline, role state, cardinality or role removal must be written. A new service
     * state, a flag or a VM number never comes alone: an event or a new VM row goes with it.
     */
    public boolean changesStore() {
        return deadlineChanged || !roleStates.isEmpty() || !cardinalities.isEmpty() || !removingRoles.isEmpty()
                || !deletedRoles.isEmpty();
    }
}
