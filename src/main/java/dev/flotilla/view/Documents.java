package dev.flotilla.view;

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
public final class Documents {
    static final String TYPE_SERVICE = "100";
    static final String TYPE_TEMPLATE = "101";
    private static final String[] PERMISSION_NAMES = {"OWNER_U", "OWNER_M", "OWNER_A", "GROUP_U", "GROUP_M",
        "GROUP_A", "OTHER_U", "OTHER_M", "OTHER_A"};

    private final int defaultCooldown;

    public Documents(int defaultCooldown) {
        this.defaultCooldown = defaultCooldown;
    }

    public ObjectNode template(TemplateRecord t) {
        return wrap(envelope(t.meta(), TYPE_TEMPLATE, t.body()));
    }

    public ObjectNode service(ServiceRecord s) {
        return wrap(envelope(s.meta(), TYPE_SERVICE, s.oneFlowBody(defaultCooldown)));
    }

    /** One service's DOCUMENT object, without the {@code {"DOCUMENT": ...}} around it (pools hold these). */
    public ObjectNode serviceDocument(ServiceRecord s) {
        return envelope(s.meta(), TYPE_SERVICE, s.oneFlowBody(defaultCooldown));
    }

    public ObjectNode templatePool(List<TemplateRecord> templates) {
        return pool(templates.stream().map(t -> envelope(t.meta(), TYPE_TEMPLATE, t.body())).toList());
    }

    public ObjectNode servicePool(List<ServiceRecord> services) {
        return pool(services.stream().map(s -> envelope(s.meta(), TYPE_SERVICE, s.oneFlowBody(defaultCooldown))).toList());
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
}
