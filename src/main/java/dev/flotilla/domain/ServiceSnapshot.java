package dev.flotilla.domain;

import com.fasterxml.jackson.databind.JsonNode;

import java.time.Instant;
import java.util.List;
import java.util.Optional;

/** Everything the planner needs about one service, read in one round trip. */
public record ServiceSnapshot(
        int id,
        String name,
        ServiceState state,
        Deployment deployment,
        boolean readyGate,
        boolean automaticDeletion,
        Instant deadline,
        int version,
        boolean onHold,
        boolean holdReleased,
        boolean forceDelete,
        List<RoleSnapshot> roles,
        List<ServiceNetworks.Declared> declaredNetworks,
        List<NetworkSnapshot> networks) {

    public ServiceSnapshot(int id, String name, ServiceState state, Deployment deployment, boolean readyGate,
                           boolean automaticDeletion, Instant deadline, int version, List<RoleSnapshot> roles) {
        this(id, name, state, deployment, readyGate, automaticDeletion, deadline, version, false, false, false, roles);
    }

    public ServiceSnapshot(int id, String name, ServiceState state, Deployment deployment, boolean readyGate,
                           boolean automaticDeletion, Instant deadline, int version, boolean onHold,
                           boolean holdReleased, boolean forceDelete, List<RoleSnapshot> roles) {
        this(id, name, state, deployment, readyGate, automaticDeletion, deadline, version, onHold, holdReleased,
                forceDelete, roles, List.of(), List.of());
    }

    public ServiceSnapshot {
        roles = List.copyOf(roles);
        declaredNetworks = List.copyOf(declaredNetworks);
        networks = List.copyOf(networks);
    }

    /**
     * A service as the planner sees it, from its state columns and the settings of its body
     * (OneFlow's {@code ready_status_gate}, {@code automatic_deletion}, {@code on_hold},
     * {@code networks_values}) and the network attempts still tracked.
     */
    public static ServiceSnapshot of(int id, String storedName, ServiceState state, Deployment deployment,
                                     JsonNode body, Instant deadline, int version, boolean holdReleased,
                                     boolean forceDelete, List<RoleSnapshot> roles, List<NetworkSnapshot> networks) {
        return new ServiceSnapshot(id, body.path("name").asText(storedName), state, deployment,
                body.path("ready_status_gate").asBoolean(false), body.path("automatic_deletion").asBoolean(false),
                deadline, version, body.path("on_hold").asBoolean(false), holdReleased, forceDelete, roles,
                ServiceNetworks.declared(body), networks.stream().filter(n -> !n.gone()).toList());
    }

    /** The same service with one more role (add_role, before it is stored). */
    public ServiceSnapshot withRole(RoleSnapshot role) {
        List<RoleSnapshot> more = new java.util.ArrayList<>(roles);
        more.add(role);
        return new ServiceSnapshot(id, name, state, deployment, readyGate, automaticDeletion, deadline, version, onHold,
                holdReleased, forceDelete, more, declaredNetworks, networks);
    }

    public Optional<RoleSnapshot> role(String name) {
        return roles.stream().filter(r -> r.name().equals(name)).findFirst();
    }
}
