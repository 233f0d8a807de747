package dev.flotilla.domain;

/**
 * One VM a role has or had (a retired one no longer counts toward the role but is tracked until
 * the cloud confirms it is gone): Flotilla's intent (request key, terminate requested) next to what
 * the poller last observed (state, LCM state, READY, whether it ever ran). {@code state} is null until first observed.
 * Every intent stored with the row is here, so a plan after a restart re-sends exactly what was
 * asked: a hard terminate stays hard, a VM created on hold is created on hold, a resume is resent.
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
        String terminateError,
        boolean retired,
        boolean releaseRequested,
        boolean releaseSent,
        boolean resumeRequested,
        boolean resumeSent,
        boolean terminateHard,
        boolean hold,
        boolean hasRun) {

    /** A VM with only the fields the lifecycle core needs; the rest at their defaults. */
    public VmSnapshot(long rowId, String roleName, int vmNumber, String name, String requestKey, Integer vmId,
                      Integer state, Integer lcmState, boolean ready, String createError, boolean terminateRequested,
                      boolean terminateSent, String terminateError) {
        this(rowId, roleName, vmNumber, name, requestKey, vmId, state, lcmState, ready, createError,
                terminateRequested, terminateSent, terminateError, false, false, false, false, false, false, false,
                false);
    }

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

    public boolean isUnknown() {
        return observed() && state == VmStates.ACTIVE && lcmState == VmStates.LCM_UNKNOWN;
    }

    public String label() {
        return vmId == null ? name : name + " (VM " + vmId + ")";
    }

    public String stateLabel() {
        return observed() ? VmStates.stateName(state) + "/" + VmStates.lcmName(lcmState) : "not observed";
    }
}
