package dev.flotilla.store;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.flotilla.domain.VmSnapshot;
import dev.flotilla.json.Json;
import dev.flotilla.domain.Deployment;
import dev.flotilla.domain.PolicyCounters;
import dev.flotilla.domain.RoleRules;
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
        List<RoleSnapshot> roleSnapshots = roles.stream()
                .map(r -> RoleRules.snapshot(r.name(), r.state(), r.cardinality(), r.templateId(), r.parents(),
                        r.lastVmNumber(), r.body(), body, defaultShutdownAction, r.removing(), r.vms()))
                .toList();
        return ServiceSnapshot.of(meta.id(), meta.name(), state, deployment, body, deadline, version, holdReleased,
                forceDelete, roleSnapshots);
    }

    /** A role's {@code template_contents} (what its VMs are created with), or null. */
    public JsonNode templateContents(String roleName) {
        RoleRecord role = role(roleName);
        return role == null ? null : role.body().get("template_contents");
    }

    public RoleRecord role(String name) {
        return roles.stream().filter(r -> r.name().equals(name)).findFirst().orElse(null);
    }

    /** The service BODY as OneFlow clients see it (and send back, edited, with PUT). */
    public ObjectNode oneFlowBody(int defaultCooldown) {
        ServiceRecord s = this;
        ObjectNode body = s.body().deepCopy();
        body.put("state", s.state().number());
        body.put("start_time", s.startTime().getEpochSecond());
        ArrayNode roles = body.putArray("roles");
        for (RoleRecord role : s.roles()) {
            roles.add(roleBody(s, role, defaultCooldown));
        }
        ArrayNode log = body.putArray("log");
        for (EventRecord e : s.log()) {
            log.addObject()
                    .put("timestamp", e.at().getEpochSecond())
                    .put("severity", String.valueOf(e.severity()))
                    .put("message", e.message());
        }
        return body;
    }

    private static ObjectNode roleBody(ServiceRecord s, RoleRecord role, int defaultCooldown) {
        ObjectNode r = Json.object();
        r.put("name", role.name());
        r.put("type", role.body().path("type").asText("vm"));
        r.put("template_id", role.templateId());
        // 6.x clients read vm_template (decision 4).
        r.put("vm_template", role.templateId());
        r.put("cardinality", role.cardinality());
        r.put("state", role.state().number());
        ArrayNode parents = r.putArray("parents");
        role.parents().forEach(parents::add);
        r.put("last_vmname", role.lastVmNumber());
        role.body().properties().forEach(e -> {
            if (!e.getKey().equals("type")) {
                r.set(e.getKey(), e.getValue());
            }
        });
        RoleRules.fillDefaults(r, s.body(), defaultCooldown);
        for (String kind : List.of("elasticity", "scheduled")) {
            if (r.get(kind + "_policies") instanceof ArrayNode policies) {
                r.set(kind + "_policies", PolicyCounters.withCounters(policies,
                        role.policyCounters().getOrDefault(kind, java.util.Map.of())));
            }
        }
        ArrayNode nodes = r.putArray("nodes");
        for (VmSnapshot vm : role.members()) {
            if (vm.vmId() == null) {
                continue;
            }
            ObjectNode node = nodes.addObject();
            node.put("deploy_id", vm.vmId());
            ObjectNode info = node.putObject("vm_info").putObject("VM");
            info.put("ID", Integer.toString(vm.vmId()));
            info.put("UID", Integer.toString(s.meta().uid()));
            info.put("GID", Integer.toString(s.meta().gid()));
            info.put("UNAME", s.meta().uname());
            info.put("GNAME", s.meta().gname());
            info.put("NAME", vm.name());
            // As oned's VM documents (and OneFlow's nodes) carry them: what clients show per VM.
            if (vm.state() != null) {
                info.put("STATE", Integer.toString(vm.state()));
            }
            if (vm.lcmState() != null) {
                info.put("LCM_STATE", Integer.toString(vm.lcmState()));
            }
        }
        return r;
    }
}
