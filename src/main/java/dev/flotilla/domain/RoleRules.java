package dev.flotilla.domain;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;

import java.util.ArrayList;
import java.util.List;
import java.util.Set;
import java.util.TreeSet;

/**
 * The rules about a role that more than one place needs: the defaults written into it, which of
 * the role's, the service's or the server's settings wins, and what add_role and a role action
 * accept.
 */
public final class RoleRules {
    private RoleRules() {
    }

    /**
     * OneFlow writes {@code cooldown} (the service's, else the server's default) and
     * {@code on_hold: false} into every role it stores; a role that has them keeps its own.
     */
    public static void fillDefaults(ObjectNode role, JsonNode serviceBody, int defaultCooldown) {
        if (!role.has("cooldown")) {
            role.put("cooldown", serviceBody.path("cooldown").asInt(defaultCooldown));
        }
        if (!role.has("on_hold")) {
            role.put("on_hold", false);
        }
    }

    /**
     * The shutdown action: the role's, then the service's, then the server's; the legacy names
     * map to terminate (states.md §9.2). True when it is a hard one.
     */
    public static boolean terminateHard(JsonNode roleBody, JsonNode serviceBody, String serverShutdownAction) {
        String action = roleBody.path("shutdown_action")
                .asText(serviceBody.path("shutdown_action").asText(serverShutdownAction));
        return action.equals("terminate-hard") || action.equals("shutdown-hard");
    }

    /** {@code self_healing} is the role's when it says, else the service's (decision 9). */
    public static boolean selfHealing(JsonNode roleBody, JsonNode serviceBody) {
        return roleBody.has("self_healing") ? roleBody.path("self_healing").asBoolean(false)
                : serviceBody.path("self_healing").asBoolean(false);
    }

    /** A stored role as the planner sees it: its columns, its body's settings and its VMs. */
    public static RoleSnapshot snapshot(String name, RoleState state, int cardinality, int templateId,
                                        List<String> parents, int lastVmNumber, JsonNode roleBody,
                                        JsonNode serviceBody, String serverShutdownAction, boolean removing,
                                        List<VmSnapshot> vms) {
        return new RoleSnapshot(name, state, cardinality, templateId, parents, lastVmNumber,
                terminateHard(roleBody, serviceBody, serverShutdownAction), roleBody.path("on_hold").asBoolean(false),
                selfHealing(roleBody, serviceBody),
                roleBody.hasNonNull("min_vms") ? roleBody.get("min_vms").asInt() : null,
                roleBody.hasNonNull("max_vms") ? roleBody.get("max_vms").asInt() : null,
                roleBody.path("cooldown").asInt(0), removing, vms);
    }

    /**
     * {@code add_role} (states.md §11.1): the service is RUNNING, the role is a valid role
     * template with a new name whose parents exist. The role is completed with its defaults.
     */
    public static void checkNewRole(ServiceSnapshot service, JsonNode serviceBody, ObjectNode role,
                                    int maxCardinality, int defaultCooldown) {
        Planner.checkCanModifyRoles(service);
        TemplateValidator.validateRoleSchema(role, maxCardinality);
        String name = role.get("name").asText();
        if (service.role(name).isPresent()) {
            throw new ConflictException("Role " + name + " already exists", service.state().name());
        }
        for (JsonNode parent : role.path("parents")) {
            if (service.role(parent.asText()).isEmpty()) {
                throw new ValidationException("parents", "Role '" + name + "' has unknown parent '"
                        + parent.asText() + "'");
            }
        }
        fillDefaults(role, serviceBody, defaultCooldown);
    }

    /** The roles a role action acts on, with the VMs of each, as decided when it is asked for. */
    public record Target(String role, List<Integer> vmIds) {
    }

    /**
     * A role action's targets: the named role (not DONE), or without a name every role that is not
     * DONE; each with its member VMs, narrowed to {@code onlyVms} when given — which must all be
     * VMs of those roles.
     */
    public static List<Target> actionTargets(ServiceSnapshot service, String roleName, List<Integer> onlyVms) {
        List<RoleSnapshot> roles;
        if (roleName != null) {
            RoleSnapshot role = service.role(roleName)
                    .orElseThrow(() -> new UnknownRoleException("Role '" + roleName + "' not found"));
            if (role.state() == RoleState.DONE) {
                throw new ConflictException("Role " + roleName + " is in DONE state", role.state().name());
            }
            roles = List.of(role);
        } else {
            roles = service.roles().stream().filter(r -> r.state() != RoleState.DONE).toList();
        }
        Set<Integer> unknown = onlyVms == null ? new TreeSet<>() : new TreeSet<>(onlyVms);
        List<Target> targets = new ArrayList<>();
        for (RoleSnapshot role : roles) {
            List<Integer> vmIds = role.vms().stream().filter(vm -> !vm.retired()).map(VmSnapshot::vmId)
                    .filter(id -> id != null && (onlyVms == null || onlyVms.contains(id))).toList();
            unknown.removeAll(vmIds);
            targets.add(new Target(role.name(), vmIds));
        }
        if (!unknown.isEmpty()) {
            throw new ValidationException("action.params.vm_ids", "VM(s) " + unknown + " are not VMs of "
                    + (roleName == null ? "service " + service.id() : "role " + roleName));
        }
        return targets;
    }
}
