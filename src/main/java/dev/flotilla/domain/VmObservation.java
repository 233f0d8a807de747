package dev.flotilla.domain;

/** What the cloud says a VM is now: OpenNebula STATE / LCM_STATE and whether it reported READY=YES. */
public record VmObservation(int vmId, String requestKey, int state, int lcmState, boolean ready) {
}
