package dev.flotilla.domain;

import java.util.List;

/**
 * What the planner decided for one service, in groups: state changes and VM intents to commit in
 * one transaction (guarded by the snapshot's version) with the events, then the driver calls to make.
 */
public record Plan(StateChanges states, VmIntents vms, List<ServiceEvent> events, List<DriverCall> driverCalls) {

    /** True when something must be written; driver calls alone (re-sent after a crash) write nothing. */
    public boolean changesStore() {
        return states.changesStore() || !vms.isEmpty() || !events.isEmpty();
    }
}
