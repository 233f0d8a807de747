package dev.flotilla.cloud;

import dev.flotilla.domain.VmObservation;
import io.vertx.core.Future;

import java.util.List;

/**
 * The cloud behind one interface (opennebula-integration.md §7). Implementations: the built-in
 * simulator ({@code cloud.sim}) and, later, OpenNebula over XML-RPC. A failed future means the
 * cloud could not be asked; a refusal of one VM is reported in that VM's result.
 */
public interface CloudDriver {

    /**
     * Creates the VMs, each idempotent by its request key (a VM already created under a key is
     * returned, not made twice). One result per request, in order; a VM the cloud refuses carries
     * the cloud's message. The future fails only when the cloud could not be asked at all.
     */
    Future<List<Instantiated>> instantiate(List<VmRequest> requests);

    /** Starts terminating the VM; {@code vmId} may be null when only the request key is known. */
    Future<TerminateOutcome> terminate(String requestKey, Integer vmId, boolean hard);

    /** VM states that changed after {@code cursor}, oldest first, at most {@code limit}. */
    Future<VmChanges> changesSince(long cursor, int limit);

    enum TerminateOutcome {
        /** The VM is on its way to DONE (or already there). */
        TERMINATING,
        /** No VM exists under that key: it was never created. */
        NOT_FOUND
    }

    /** The outcome for one request: the VM id, or the cloud's error. */
    record Instantiated(String requestKey, Integer vmId, String error) {
    }

    /** A page of changes and the cursor to ask from next time. */
    record VmChanges(List<VmObservation> vms, long cursor) {
    }
}
