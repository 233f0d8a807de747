package dev.flotilla.domain;

/**
 * One VM a role has or had: Flotilla's intent (request key, terminate requested) next to what
 * the poller last observed (state, LCM state, READY). {@code state} is null until first observed.
 */
public record VmSnapshot(
        long rowId,
        String roleName,
        int vmNumber,
        String name,
        String requestKey,
        Integer vmId,
        Integer state,
        Integer lcmState,
        boolean ready,
        String createError,
        boolean terminateRequested,
        boolean terminateSent,
        String terminateError) {

    public boolean observed() {
        return state != null;
    }

    public boolean isDone() {
        return observed() && VmStates.isDone(state);
    }

    public boolean isFailure() {
        return observed() && VmStates.isFailure(state, lcmState);
    }

    public boolean isWarning() {
        return observed() && VmStates.isWarning(state, lcmState);
    }

    /** Counts as deployed for a deploy wait (states.md §5 and §6): paused, or running / READY with the gate. */
    public boolean isDeployed(boolean readyGate) {
        if (!observed() || isFailure()) {
            return false;
        }
        if (VmStates.isPaused(state)) {
            return true;
        }
        return readyGate ? ready : VmStates.isRunning(state, lcmState);
    }

    public String label() {
        return vmId == null ? name : name + " (VM " + vmId + ")";
    }

    public String stateLabel() {
        return observed() ? VmStates.stateName(state) + "/" + lcmState : "not observed";
    }
}
