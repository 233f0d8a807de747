package dev.flotilla.api;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.flotilla.domain.VmSnapshot;
import dev.flotilla.store.DocumentMeta;
import dev.flotilla.store.EventRecord;
import dev.flotilla.json.Json;
import dev.flotilla.store.RoleRecord;
import dev.flotilla.store.ServiceRecord;
import dev.flotilla.store.TemplateRecord;

import java.util.List;

/**
 * OneFlow's DOCUMENT envelope (api.md §4): XML-derived values as strings, the body as native JSON.
 */
final class Documents {
    static final String TYPE_SERVICE = "100";
    static final String TYPE_TEMPLATE = "101";
    private static final String[] PERMISSION_NAMES = {"OWNER_U", "OWNER_M", "OWNER_A", "GROUP_U", "GROUP_M",
        "GROUP_A", "OTHER_U", "OTHER_M", "OTHER_A"};

    private final int defaultCooldown;

    Documents(int defaultCooldown) {
        this.defaultCooldown = defaultCooldown;
    }

    ObjectNode template(TemplateRecord t) {
        return wrap(envelope(t.meta(), TYPE_TEMPLATE, t.body()));
    }

    ObjectNode service(ServiceRecord s) {
        return wrap(envelope(s.meta(), TYPE_SERVICE, serviceBody(s)));
    }

    ObjectNode templatePool(List<TemplateRecord> templates) {
        return pool(templates.stream().map(t -> envelope(t.meta(), TYPE_TEMPLATE, t.body())).toList());
    }

    ObjectNode servicePool(List<ServiceRecord> services) {
        return pool(services.stream().map(s -> envelope(s.meta(), TYPE_SERVICE, serviceBody(s))).toList());
    }

    /** An empty pool is {@code {"DOCUMENT_POOL": {}}}; otherwise DOCUMENT is always an array. */
    private static ObjectNode pool(List<ObjectNode> documents) {
        ObjectNode root = Json.object();
        ObjectNode pool = root.putObject("DOCUMENT_POOL");
        if (!documents.isEmpty()) {
            pool.putArray("DOCUMENT").addAll(documents);
        }
        return root;
    }

    private static ObjectNode wrap(ObjectNode document) {
        ObjectNode root = Json.object();
        root.set("DOCUMENT", document);
        return root;
    }

    private static ObjectNode envelope(DocumentMeta meta, String type, JsonNode body) {
        ObjectNode doc = Json.object();
        doc.put("ID", Integer.toString(meta.id()));
        doc.put("UID", Integer.toString(meta.uid()));
        doc.put("GID", Integer.toString(meta.gid()));
        doc.put("UNAME", meta.uname());
        doc.put("GNAME", meta.gname());
        doc.put("NAME", meta.name());
        doc.put("TYPE", type);
        ObjectNode permissions = doc.putObject("PERMISSIONS");
        for (int i = 0; i < PERMISSION_NAMES.length; i++) {
            boolean set = (meta.permissions() & (1 << (8 - i))) != 0;
            permissions.put(PERMISSION_NAMES[i], set ? "1" : "0");
        }
        doc.putObject("TEMPLATE").set("BODY", body);
        return doc;
    }

    /** The service BODY as clients see it (and send back, edited, with PUT). */
    ObjectNode serviceBody(ServiceRecord s) {
        ObjectNode body = s.body().deepCopy();
        body.put("state", s.state().number());
        body.put("start_time", s.startTime().getEpochSecond());
        ArrayNode roles = body.putArray("roles");
        for (RoleRecord role : s.roles()) {
            roles.add(roleBody(s, role));
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

    private ObjectNode roleBody(ServiceRecord s, RoleRecord role) {
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
        r.put("cooldown", defaultCooldown);
        r.put("on_hold", false);
        role.body().properties().forEach(e -> {
            if (!e.getKey().equals("type")) {
                r.set(e.getKey(), e.getValue());
            }
        });
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
        }
        return r;
    }
}
