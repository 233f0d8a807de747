package dev.flotilla.domain;

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
        List<RoleSnapshot> roles) {

    public ServiceSnapshot(int id, String name, ServiceState state, Deployment deployment, boolean readyGate,
                           boolean automaticDeletion, Instant deadline, int version, List<RoleSnapshot> roles) {
        this(id, name, state, deployment, readyGate, automaticDeletion, deadline, version, false, false, false, roles);
    }

    public ServiceSnapshot {
        roles = List.copyOf(roles);
    }

    public Optional<RoleSnapshot> role(String name) {
        return roles.stream().filter(r -> r.name().equals(name)).findFirst();
    }
}
