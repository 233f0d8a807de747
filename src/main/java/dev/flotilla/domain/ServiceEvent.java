package dev.flotilla.domain;

import java.util.Map;

/**
 * One entry of a service's timeline. Kinds: {@code service_state}, {@code role_state}, {@code vm},
 * {@code log}. Severity letters are OneFlow's: I, W, E, D.
 */
public record ServiceEvent(String kind, char severity, String message, Map<String, Object> data) {

    public static ServiceEvent serviceState(ServiceState from, ServiceState to, String reason) {
        return new ServiceEvent("service_state", to.isFailed() ? 'E' : 'I',
                "New state: " + to.name() + (reason == null ? "" : " (" + reason + ")"),
                Map.of("old", from.name(), "new", to.name(), "reason", reason == null ? "" : reason));
    }

    public static ServiceEvent roleState(String role, RoleState from, RoleState to, String reason) {
        return new ServiceEvent("role_state", to.isFailed() ? 'E' : 'I',
                "Role " + role + " new state: " + to.name() + (reason == null ? "" : " (" + reason + ")"),
                Map.of("role", role, "old", from.name(), "new", to.name(), "reason", reason == null ? "" : reason));
    }

    public static ServiceEvent vm(char severity, String role, String message) {
        return new ServiceEvent("vm", severity, message, Map.of("role", role));
    }

    /** Something about one of the service's networks. */
    public static ServiceEvent network(char severity, String network, String message) {
        return new ServiceEvent("network", severity, message, Map.of("network", network));
    }

    public static ServiceEvent info(String message) {
        return new ServiceEvent("log", 'I', message, Map.of());
    }
}
