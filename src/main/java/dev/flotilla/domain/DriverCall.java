package dev.flotilla.domain;

/** A call to the cloud driver the engine makes after the plan's intent is committed. */
public sealed interface DriverCall {

    String requestKey();

    /**
     * Create the VM recorded under {@code requestKey}; idempotent by that key. {@code again} when it
     * was asked for before (a restart re-sends it), so the cloud may already hold it.
     */
    record Create(String requestKey, String roleName, String vmName, int templateId, boolean hold, boolean again)
            implements DriverCall {
    }

    /** Release a VM created on hold. */
    record Release(String requestKey, Integer vmId) implements DriverCall {
    }

    /** Resume a VM that is UNKNOWN (recover). */
    record Resume(String requestKey, Integer vmId) implements DriverCall {
    }

    /** Terminate the VM recorded under {@code requestKey} ({@code vmId} may be unknown after a crash). */
    record Terminate(String requestKey, Integer vmId, boolean hard) implements DriverCall {
    }

    /** Make the service network recorded under {@code requestKey}; idempotent by that key. */
    record CreateNetwork(String requestKey, String name, NetworkSource source, int sourceId, String netName,
                         String extra, boolean again) implements DriverCall {
    }

    /** Delete a network the service made ({@code netId} may be unknown after a crash). */
    record DeleteNetwork(String requestKey, Integer netId) implements DriverCall {
    }

    /** Read a network's state: the network waits of DEPLOYING_NETS and UNDEPLOYING_NETS. */
    record WatchNetwork(String requestKey, Integer netId) implements DriverCall {
    }
}
