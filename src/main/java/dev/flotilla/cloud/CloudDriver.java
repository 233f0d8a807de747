package dev.flotilla.cloud;

import dev.flotilla.domain.VmObservation;
import io.vertx.core.Future;

import java.util.List;

/**
 * The cloud behind one interface (opennebula-integration.md §7). Implementations: the built-in
 * simulator ({@code cloud.sim}) and, later, OpenNebula over XML-RPC. Failures are
 * {@link DriverException}s carrying the cloud's message.
 */
public interface CloudDriver {

    /** Creates a VM, or returns the one already created under {@code request.requestKey()}. */
    Future<Integer> instantiate(VmRequest request);

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

    /** A page of changes and the cursor to ask from next time. */
    record VmChanges(List<VmObservation> vms, long cursor) {
    }
}
