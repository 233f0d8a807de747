package dev.flotilla.domain;

import java.util.List;

/**
 * What the planner decided for one service, in groups: state changes, VM and network intents to
 * commit in one transaction (guarded by the snapshot's version) with the events, then the driver
 * calls to make.
 */
public record Plan(StateChanges states, VmIntents vms, NetworkIntents networks, List<ServiceEvent> events,
                   List<DriverCall> driverCalls) {

    public Plan(StateChanges states, VmIntents vms, List<ServiceEvent> events, List<DriverCall> driverCalls) {
        this(states, vms, NetworkIntents.NONE, events, driverCalls);
    }

    /** True when something must be written; driver calls alone (re-sent after a crash) write nothing. */
    public boolean changesStore() {
        return states.changesStore() || !vms.isEmpty() || !networks.isEmpty() || !events.isEmpty();
    }
}
