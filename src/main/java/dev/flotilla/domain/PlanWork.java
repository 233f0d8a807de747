package dev.flotilla.domain;

import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * The working copy a plan is built in: the snapshot, the decisions taken so far (states, VM rows
 * to add, retire, terminate, forget; events; driver calls), and the rules every decision obeys
 * (every state change through the transition tables, a deadline on entering a transient state).
 * The step classes change it only through these methods, so no step can bypass a rule.
 */
final class PlanWork {
    private final ServiceSnapshot snapshot;
    private final Instant now;
    private final String vmNameTemplate;
    private final Duration transientTimeout;
    private ServiceState service;
    private Instant deadline;
    private boolean deadlineChanged;
    private boolean forceDelete;
    private boolean holdReleased;
    private int cooldownSeconds;
    private final Map<String, RoleState> roleStates = new LinkedHashMap<>();
    private final Map<String, Integer> cardinalities = new LinkedHashMap<>();
    private final Map<String, Integer> lastVmNumbers = new LinkedHashMap<>();
    private final List<NewVm> newVms = new ArrayList<>();
    private final Map<Long, Boolean> terminateRows = new LinkedHashMap<>();
    private final Set<Long> forgetRows = new LinkedHashSet<>();
    private final Set<Long> retireRows = new LinkedHashSet<>();
    private final Set<Long> releaseRows = new LinkedHashSet<>();
    private final Set<Long> resumeRows = new LinkedHashSet<>();
    private final Set<String> removingRoles = new LinkedHashSet<>();
    private final Set<String> deletedRoles = new LinkedHashSet<>();
    private final List<ServiceEvent> events = new ArrayList<>();
    private final List<DriverCall> calls = new ArrayList<>();
    private final List<NetworkIntents.NewNetwork> newNetworks = new ArrayList<>();
    private final Set<Long> deleteNetworkRows = new LinkedHashSet<>();
    private final Set<Long> retireNetworkRows = new LinkedHashSet<>();
    private final Set<Long> forgetNetworkRows = new LinkedHashSet<>();

    PlanWork(ServiceSnapshot snapshot, Instant now, String vmNameTemplate, Duration transientTimeout) {
        this.snapshot = snapshot;
        this.now = now;
        this.vmNameTemplate = vmNameTemplate;
        this.transientTimeout = transientTimeout;
        this.service = snapshot.state();
        this.deadline = snapshot.deadline();
        this.forceDelete = snapshot.forceDelete();
        this.holdReleased = snapshot.holdReleased();
    }

    ServiceSnapshot snapshot() {
        return snapshot;
    }

    List<RoleSnapshot> roles() {
        return snapshot.roles();
    }

    Instant now() {
        return now;
    }

    Duration transientTimeout() {
        return transientTimeout;
    }

    ServiceState service() {
        return service;
    }

    Instant deadline() {
        return deadline;
    }

    /** A deadline is set and {@code now} has reached it. */
    boolean deadlinePassed() {
        return deadline != null && !now.isBefore(deadline);
    }

    /** {@code recover --delete} is under way: asked for now or stored earlier. */
    boolean forceDeleting() {
        return forceDelete;
    }

    void markForceDelete() {
        forceDelete = true;
    }

    /** {@code release} was asked for, now or earlier: holds no longer apply. */
    boolean holdReleased() {
        return holdReleased;
    }

    void releaseHold() {
        holdReleased = true;
    }

    void log(ServiceEvent event) {
        events.add(event);
    }

    void setService(ServiceState to, String reason) {
        if (to == service) {
            return;
        }
        ServiceState.transition(service, to);
        enter(to, reason);
    }

    /** A change the table allows only through an intermediate state that the plan passes at once. */
    void setServiceAcross(ServiceState via, ServiceState to, String reason) {
        setService(via, reason);
        setService(to, reason);
    }

    void enterCooldown(int seconds) {
        cooldownSeconds = seconds;
        setService(ServiceState.COOLDOWN, "cooldown " + seconds + " s");
    }

    void markRemoving(String role) {
        removingRoles.add(role);
    }

    /** The roles leave the service for good (their rows are deleted). */
    void markDeleted(Set<String> roles) {
        deletedRoles.addAll(roles);
    }

    /** Roles being removed: asked for now or stored earlier. */
    Set<String> removing() {
        Set<String> all = new LinkedHashSet<>(removingRoles);
        snapshot.roles().stream().filter(RoleSnapshot::removing).forEach(r -> all.add(r.name()));
        return all;
    }

    void forceUndeploy(String reason) {
        if (service != ServiceState.UNDEPLOYING) {
            ServiceState.forceUndeploy(service);
            enter(ServiceState.UNDEPLOYING, reason);
        }
    }

    private void enter(ServiceState to, String reason) {
        events.add(ServiceEvent.serviceState(service, to, reason));
        service = to;
        Instant newDeadline = to.hasDeadline() && !transientTimeout.isZero() ? now.plus(transientTimeout)
                : to == ServiceState.COOLDOWN ? now.plusSeconds(cooldownSeconds) : null;
        if (newDeadline == null ? deadline != null : !newDeadline.equals(deadline)) {
            deadline = newDeadline;
            deadlineChanged = true;
        }
    }

    RoleState roleState(RoleSnapshot role) {
        return roleStates.getOrDefault(role.name(), role.state());
    }

    RoleState roleState(String name) {
        return snapshot.role(name).map(this::roleState).orElse(RoleState.PENDING);
    }

    void setRole(RoleSnapshot role, RoleState to, String reason) {
        RoleState from = roleState(role);
        if (from == to) {
            return;
        }
        RoleState.transition(from, to);
        roleStates.put(role.name(), to);
        events.add(ServiceEvent.roleState(role.name(), from, to, reason));
    }

    boolean allRoles(RoleState state) {
        return snapshot.roles().stream().allMatch(r -> roleState(r) == state);
    }

    int cardinality(RoleSnapshot role) {
        return cardinalities.getOrDefault(role.name(), role.cardinality());
    }

    void setCardinality(String role, int cardinality) {
        cardinalities.put(role, cardinality);
    }

    /** Rows still tracked: members and retired VMs not yet confirmed gone. */
    List<VmSnapshot> trackedVms(RoleSnapshot role) {
        return role.vms().stream().filter(vm -> !forgetRows.contains(vm.rowId())).toList();
    }

    /** Retired VMs of the role not yet confirmed gone. */
    List<VmSnapshot> retiredVms(RoleSnapshot role) {
        return trackedVms(role).stream().filter(vm -> vm.retired() || retireRows.contains(vm.rowId())).toList();
    }

    /** The role's members: tracked and not retired. */
    List<VmSnapshot> liveVms(RoleSnapshot role) {
        return trackedVms(role).stream().filter(vm -> !vm.retired() && !retireRows.contains(vm.rowId())).toList();
    }

    long pendingNew(RoleSnapshot role) {
        return newVms.stream().filter(vm -> vm.roleName().equals(role.name())).count();
    }

    void createMissingVms(RoleSnapshot role, boolean hold) {
        int next = lastVmNumbers.getOrDefault(role.name(), role.lastVmNumber());
        long missing = cardinality(role) - liveVms(role).size() - pendingNew(role);
        for (long i = 0; i < missing; i++) {
            String name = VmNames.render(vmNameTemplate, snapshot.id(), snapshot.name(), role.name(), next);
            String key = snapshot.id() + "-" + role.name() + "-" + next + "-v" + snapshot.version();
            newVms.add(new NewVm(role.name(), next, name, key, hold));
            calls.add(new DriverCall.Create(key, role.name(), name, role.templateId(), hold, false));
            next++;
        }
        if (missing > 0) {
            lastVmNumbers.put(role.name(), next);
            events.add(ServiceEvent.vm('I', role.name(), "Role " + role.name() + ": creating " + missing
                    + " VM(s)" + (hold ? " on hold" : "")));
        }
    }

    /** {@code retry} terminates again a VM whose earlier terminate failed (recover). */
    void terminate(VmSnapshot vm, boolean hard, boolean retry) {
        if (vm.createError() != null || (vm.terminateRequested() && !retry)) {
            return;
        }
        terminateRows.put(vm.rowId(), hard);
        calls.add(new DriverCall.Terminate(vm.requestKey(), vm.vmId(), hard));
    }

    boolean retryingTerminate(VmSnapshot vm) {
        return terminateRows.containsKey(vm.rowId());
    }

    void retire(VmSnapshot vm) {
        retireRows.add(vm.rowId());
    }

    void release(VmSnapshot vm) {
        if (!vm.releaseRequested()) {
            releaseRows.add(vm.rowId());
            calls.add(new DriverCall.Release(vm.requestKey(), vm.vmId()));
        }
    }

    void resume(VmSnapshot vm) {
        resumeRows.add(vm.rowId());
        calls.add(new DriverCall.Resume(vm.requestKey(), vm.vmId()));
    }

    void forget(VmSnapshot vm) {
        forgetRows.add(vm.rowId());
    }

    /** A call recorded in an earlier plan but never confirmed, made again; no row changes. */
    void resend(DriverCall call) {
        calls.add(call);
    }

    // ---- service networks ------------------------------------------------------------------------

    /** Attempts still tracked: current ones and retired ones not yet confirmed deleted. */
    List<NetworkSnapshot> trackedNetworks() {
        return snapshot.networks().stream().filter(n -> !forgetNetworkRows.contains(n.rowId())).toList();
    }

    /** The attempt each declared network stands on now (not retired), one per name. */
    List<NetworkSnapshot> currentNetworks() {
        return trackedNetworks().stream().filter(n -> !n.retired() && !retireNetworkRows.contains(n.rowId()))
                .toList();
    }

    boolean creatingNetwork(String name) {
        return newNetworks.stream().anyMatch(n -> n.name().equals(name));
    }

    /** A new attempt at network {@code declared}, numbered after every earlier one. */
    void createNetwork(ServiceNetworks.Declared declared) {
        int attempt = 1 + snapshot.networks().stream().filter(n -> n.name().equals(declared.name()))
                .mapToInt(NetworkSnapshot::attempt).max().orElse(0);
        String netName = ServiceNetworks.networkName(declared.name(), snapshot.id());
        String key = snapshot.id() + "-net-" + declared.name() + "-" + attempt;
        newNetworks.add(new NetworkIntents.NewNetwork(declared.name(), attempt, declared.source(),
                declared.sourceId(), declared.extra(), netName, key));
        calls.add(new DriverCall.CreateNetwork(key, declared.name(), declared.source(), declared.sourceId(), netName,
                declared.extra(), false));
    }

    void deleteNetwork(NetworkSnapshot network) {
        deleteNetworkRows.add(network.rowId());
        calls.add(new DriverCall.DeleteNetwork(network.requestKey(), network.netId()));
    }

    boolean deletingNetworkNow(NetworkSnapshot network) {
        return deleteNetworkRows.contains(network.rowId());
    }

    void watchNetwork(NetworkSnapshot network) {
        calls.add(new DriverCall.WatchNetwork(network.requestKey(), network.netId()));
    }

    void retireNetwork(NetworkSnapshot network) {
        retireNetworkRows.add(network.rowId());
    }

    void forgetNetwork(NetworkSnapshot network) {
        forgetNetworkRows.add(network.rowId());
    }

    Plan finish() {
        ResendSteps.resendUnconfirmed(this);
        StateChanges states = new StateChanges(service, deadlineChanged, deadline, Map.copyOf(roleStates),
                Map.copyOf(cardinalities), Map.copyOf(lastVmNumbers), forceDelete && !snapshot.forceDelete(),
                holdReleased && !snapshot.holdReleased(), Set.copyOf(removingRoles), Set.copyOf(deletedRoles));
        VmIntents vms = new VmIntents(List.copyOf(newVms), Map.copyOf(terminateRows), Set.copyOf(forgetRows),
                Set.copyOf(retireRows), Set.copyOf(releaseRows), Set.copyOf(resumeRows));
        NetworkIntents networks = new NetworkIntents(List.copyOf(newNetworks), Set.copyOf(deleteNetworkRows),
                Set.copyOf(retireNetworkRows), Set.copyOf(forgetNetworkRows));
        return new Plan(states, vms, networks, List.copyOf(events), List.copyOf(calls));
    }
}
