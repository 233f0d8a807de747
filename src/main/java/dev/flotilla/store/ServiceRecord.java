package dev.flotilla.store;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.flotilla.domain.VmSnapshot;
import dev.flotilla.json.Json;
import dev.flotilla.domain.Deployment;
import dev.flotilla.domain.NetworkSnapshot;
import dev.flotilla.domain.NetworkStates;
import dev.flotilla.domain.ServiceNetworks;
import dev.flotilla.domain.PolicyCounters;
import dev.flotilla.domain.RoleRules;
import dev.flotilla.domain.RoleSnapshot;
import dev.flotilla.domain.ServiceSnapshot;
import dev.flotilla.domain.ServiceState;

import java.time.Instant;
import java.util.List;
import java.util.Map;

/**
 * A service as stored: metadata, state columns, the template-level body, its roles with their
 * VMs, the networks made for it (attempts not yet gone), and the newest entries of its event log
 * (oldest first).
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
        List<NetworkSnapshot> networks,
        List<EventRecord> log,
        String ownerNode,
        Long ownerEpoch) {

    /** True when {@code fence} owns the service (its node, under its epoch). */
    public boolean ownedBy(LeaseStore.Fence fence) {
        return fence.node().equals(ownerNode) && ownerEpoch != null && ownerEpoch == fence.epoch();
    }

    public ServiceSnapshot snapshot(String defaultShutdownAction) {
        List<RoleSnapshot> roleSnapshots = roles.stream()
                .map(r -> RoleRules.snapshot(r.name(), r.state(), r.cardinality(), r.templateId(), r.parents(),
                        r.lastVmNumber(), r.body(), body, defaultShutdownAction, r.removing(), r.vms()))
                .toList();
        return ServiceSnapshot.of(meta.id(), meta.name(), state, deployment, body, deadline, version, holdReleased,
                forceDelete, roleSnapshots, networks);
    }

    /**
     * A role's {@code template_contents} as its VMs are created with it: the NICs' network
     * placeholders filled with the service's network ids (templates.md §6.2); null when it has none.
     */
    public JsonNode templateContents(String roleName) {
        RoleRecord role = role(roleName);
        return role == null ? null : ServiceNetworks.fillNics(role.body().get("template_contents"), networkIds());
    }

    /** The id of each of the service's networks that has one, by its {@code networks_values} name. */
    public Map<String, Integer> networkIds() {
        return ServiceNetworks.ids(ServiceNetworks.declared(body), networks);
    }

    public RoleRecord role(String name) {
        return roles.stream().filter(r -> r.name().equals(name)).findFirst().orElse(null);
    }

    /** The service BODY as OneFlow clients see it (and send back, edited, with PUT). */
    public ObjectNode oneFlowBody(int defaultCooldown) {
        ServiceRecord s = this;
        ObjectNode body = s.body().deepCopy();
        Map<String, Integer> networkIds = networkIds();
        showNetworks(body, networkIds);
        body.put("state", s.state().number());
        body.put("start_time", s.startTime().getEpochSecond());
        ArrayNode roles = body.putArray("roles");
        for (RoleRecord role : s.roles()) {
            roles.add(roleBody(s, role, defaultCooldown, networkIds));
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

    /**
     * Each made network's id in its {@code networks_values} entry, as OneFlow writes it there, and
     * Flotilla's {@code service_networks}: every network the service uses or made, with the state of
     * its newest attempt.
     */
    private void showNetworks(ObjectNode body, Map<String, Integer> ids) {
        List<ServiceNetworks.Declared> declared = ServiceNetworks.declared(body);
        if (declared.isEmpty()) {
            return;
        }
        for (JsonNode entry : body.withArray("networks_values")) {
            if (entry.isObject() && entry.size() == 1) {
                String name = entry.fieldNames().next();
                JsonNode spec = entry.get(name);
                Integer id = ids.get(name);
                if (spec.isObject() && !spec.has("id") && id != null) {
                    ((ObjectNode) spec).put("id", id);
                }
            }
        }
        ArrayNode shown = body.putArray("service_networks");
        for (ServiceNetworks.Declared d : declared) {
            ObjectNode net = shown.addObject();
            net.put("name", d.name());
            net.put(d.source().key(), d.sourceId());
            net.put("created", d.source().createdByService());
            NetworkSnapshot attempt = networks.stream().filter(n -> n.name().equals(d.name()))
                    .max(java.util.Comparator.comparingInt(NetworkSnapshot::attempt)).orElse(null);
            if (attempt == null) {
                if (d.source().createdByService()) {
                    net.putNull("id");
                    net.put("state", ServiceNetworks.NOT_YET);
                } else {
                    net.put("id", d.sourceId());
                    net.putNull("state");
                }
                continue;
            }
            net.put("network_name", attempt.netName());
            if (attempt.netId() == null) {
                net.putNull("id");
            } else {
                net.put("id", attempt.netId());
            }
            net.put("state", attempt.createError() != null ? "CREATE_FAILED"
                    : attempt.netId() == null || attempt.state() == null ? ServiceNetworks.NOT_YET
                    : NetworkStates.name(attempt.state()));
            net.put("attempt", attempt.attempt());
            String error = attempt.createError() != null ? attempt.createError() : attempt.deleteError();
            if (error != null) {
                net.put("error", error);
            }
            if (attempt.gone() && !attempt.isDone() && attempt.createError() == null) {
                net.put("left_behind", true); // recover --delete could not remove it
            } else if (attempt.deleteRequested() && !attempt.gone()) {
                net.put("deleting", true);
            }
        }
    }

    private static ObjectNode roleBody(ServiceRecord s, RoleRecord role, int defaultCooldown,
                                       Map<String, Integer> networkIds) {
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
        if (r.has("template_contents")) {
            r.set("template_contents", ServiceNetworks.fillNics(r.get("template_contents"), networkIds));
        }
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
