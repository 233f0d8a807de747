package dev.flotilla.cloud;

import dev.flotilla.domain.VmObservation;
import io.vertx.core.Future;

import java.util.List;
import java.util.Map;
import java.util.Optional;

/**
 * The cloud behind one interface (opennebula-integration.md §7). Implementations: the built-in
 * simulator ({@code cloud.sim}) and, later, OpenNebula over XML-RPC. A future failed with
 * {@link CloudRefusedException} means the cloud answered no; any other failure means it could not
 * be asked (an outage), and the caller retries later with the same request key.
 */
public interface CloudDriver {

    /**
     * Creates the VMs, each idempotent by its request key (a VM already created under a key is
     * returned, not made twice). One result per request, in order; a VM the cloud refuses carries
     * the cloud's message.
     */
    Future<List<Instantiated>> instantiate(List<VmRequest> requests);

    /** Starts terminating the VM; {@code vmId} may be null when only the request key is known. */
    Future<TerminateOutcome> terminate(String requestKey, Integer vmId, boolean hard);

    /** Releases a VM created on hold. */
    Future<Void> release(String requestKey, Integer vmId);

    /** Resumes a VM that is UNKNOWN or powered off (recover of a failed deploy). */
    Future<Void> resume(String requestKey, Integer vmId);

    /** One of the 19 role actions on one VM (role-actions.md §1); refused where the cloud refuses it. */
    Future<Void> vmAction(int vmId, String action, String args);

    /**
     * What the autoscaler reads of each VM: its state and its attributes as numbers, the first of
     * USER_TEMPLATE, MONITORING (latest record) and TEMPLATE for each name (elasticity.md §4).
     */
    Future<Map<Integer, VmMetrics>> metrics(List<Integer> vmIds);

    record VmMetrics(int state, int lcmState, Map<String, Double> values) {
    }

    /** VM states that changed after {@code cursor}, oldest first, at most {@code limit}. */
    Future<VmChanges> changesSince(long cursor, int limit);

    // ---- service networks (opennebula-integration.md §4) -----------------------------------------

    /**
     * Makes the network, idempotent by its request key (a network already made under that key is
     * returned, not made twice): its id, or the cloud's refusal as the error; neither when the
     * cloud could not be asked (the caller asks again later with the same key).
     */
    Future<Instantiated> createNetwork(NetworkRequest request);

    /**
     * The network's state now ({@code dev.flotilla.domain.NetworkStates}); a network the cloud no
     * longer knows (or never made, when only the key is known) is {@code DONE}. {@code netId} may be
     * null after a crash: the network is then found by its request key.
     */
    Future<NetworkSeen> network(String requestKey, Integer netId);

    /** Starts deleting the network ({@code netId} may be null when only the request key is known). */
    Future<TerminateOutcome> deleteNetwork(String requestKey, Integer netId);

    /** Gives networks the service made a new owner and/or group (-1 keeps it), as a service chown does. */
    default Future<Void> chownNetworks(List<Integer> netIds, int uid, int gid) {
        return Future.succeededFuture();
    }

    /** Pushes the ids of networks whose state changed as the cloud announces them; a cloud without events does nothing. */
    default void onNetworkChanges(java.util.function.Consumer<List<Integer>> listener) {
    }

    /** A network's id (null when not found by key) and state. */
    record NetworkSeen(Integer netId, int state) {
    }

    /** Gives the service's VMs a new owner and/or group (-1 keeps it), as a service chown does. */
    default Future<Void> chown(List<Integer> vmIds, int uid, int gid) {
        return Future.succeededFuture();
    }

    /**
     * True when the cloud knows the users (OpenNebula: every request is authenticated against oned);
     * false when Flotilla keeps them (the simulator).
     */
    default boolean authenticates() {
        return false;
    }

    /** The cloud's identity for {@code user:password}, or empty when the cloud refuses it. */
    default Future<Optional<CloudIdentity>> authenticate(String user, String password) {
        return Future.failedFuture(new UnsupportedOperationException("this cloud does not authenticate users"));
    }

    /**
     * Pushes VM state changes as the cloud announces them (OpenNebula's ZeroMQ events), besides
     * {@link #changesSince} which stays the safety net; a cloud without events does nothing.
     */
    default void onChanges(java.util.function.Consumer<List<VmObservation>> listener) {
    }

    /** True when {@link #onChanges} delivers changes (then polling may be slow). */
    default boolean pushesChanges() {
        return false;
    }

    /** Every live VM of the cloud that carries a SERVICE_ID, for the drift report. */
    Future<List<dev.flotilla.domain.Drift.CloudVm>> serviceVms();

    /** Null when the cloud answers, else why not (its own words, or the connection's). */
    default Future<String> health() {
        return Future.succeededFuture(null);
    }

    /** Releases connections and threads. */
    default void close() {
    }

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
