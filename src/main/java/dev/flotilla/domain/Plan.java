package dev.flotilla.domain;

import java.time.Instant;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * What the planner decided for one service: state changes and VM intents to commit in one
 * transaction (guarded by the snapshot's version), then the driver calls to make.
 */
public record Plan(
        ServiceState serviceState,
        boolean deadlineChanged,
        Instant deadline,
        Map<String, RoleState> roleStates,
        Map<String, Integer> cardinalities,
        Map<String, Integer> lastVmNumbers,
        List<NewVm> newVms,
        Map<Long, Boolean> terminateRows,
        Set<Long> forgetRows,
        Set<Long> retireRows,
        Set<Long> releaseRows,
        Set<Long> resumeRows,
        boolean forceDelete,
        boolean holdReleased,
        Set<String> removingRoles,
        Set<String> deletedRoles,
        List<ServiceEvent> events,
        List<DriverCall> driverCalls) {

    /** True when something must be written; driver calls alone (re-sent after a crash) write nothing. */
    public boolean changesStore() {
        return deadlineChanged || !roleStates.isEmpty() || !cardinalities.isEmpty() || !newVms.isEmpty()
                || !terminateRows.isEmpty() || !forgetRows.isEmpty() || !retireRows.isEmpty()
                || !releaseRows.isEmpty() || !resumeRows.isEmpty() || !events.isEmpty() || !removingRoles.isEmpty()
                || !deletedRoles.isEmpty();
    }
}
