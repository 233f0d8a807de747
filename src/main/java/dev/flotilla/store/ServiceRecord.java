package dev.flotilla.store;

import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.flotilla.domain.Deployment;
import dev.flotilla.domain.RoleSnapshot;
import dev.flotilla.domain.ServiceSnapshot;
import dev.flotilla.domain.ServiceState;

import java.time.Instant;
import java.util.List;

/**
 * A service as stored: metadata, state columns, the template-level body, its roles with their
 * VMs, and the newest entries of its event log (oldest first).
 */
public record ServiceRecord(
        DocumentMeta meta,
        ServiceState state,
        Deployment deployment,
        ObjectNode body,
        Instant startTime,
        Instant deadline,
        int version,
        boolean forceDelete,
        boolean holdReleased,
        List<RoleRecord> roles,
        List<EventRecord> log) {

    public ServiceSnapshot snapshot(String defaultShutdownAction) {
        String serviceAction = body.path("shutdown_action").asText(defaultShutdownAction);
        boolean selfHealing = body.path("self_healing").asBoolean(false);
        List<RoleSnapshot> roleSnapshots = roles.stream()
                .map(r -> r.snapshot(serviceAction, selfHealing))
                .toList();
        return new ServiceSnapshot(meta.id(), body.path("name").asText(meta.name()), state, deployment,
                body.path("ready_status_gate").asBoolean(false), body.path("automatic_deletion").asBoolean(false),
                deadline, version, body.path("on_hold").asBoolean(false), holdReleased, forceDelete, roleSnapshots);
    }

    public RoleRecord role(String name) {
        return roles.stream().filter(r -> r.name().equals(name)).findFirst().orElse(null);
    }
}
