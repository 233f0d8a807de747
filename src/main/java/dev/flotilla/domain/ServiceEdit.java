package dev.flotilla.domain;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;

import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * {@code PUT /service/:id} (api.md §5.4): the edited BODY, checked against what may not change,
 * or {@code {"append": true, "template": ...}} merged over the stored body. The result is the new
 * service-level body and role bodies to store.
 */
public final class ServiceEdit {
    private static final List<String> SERVICE_IMMUTABLE = List.of("user_inputs", "user_inputs_values", "deployment",
            "log", "name", "networks", "networks_values", "ready_status_gate", "state", "start_time");
    private static final List<String> ROLE_IMMUTABLE = List.of("cardinality", "last_vmname", "nodes", "parents",
            "state", "template_id", "type");
    /** Runtime fields kept in real columns or derived, never in the stored body. */
    private static final List<String> SERVICE_RUNTIME = List.of("roles", "state", "start_time", "log",
            "service_networks");
    private static final List<String> ROLE_RUNTIME = List.of("name", "cardinality", "template_id", "vm_template",
            "parents", "state", "nodes", "last_vmname");

    public record Result(ObjectNode serviceBody, Map<String, ObjectNode> roleBodies) {
    }

    private ServiceEdit() {
    }

    /**
     * The new bodies from {@code request}, given the service's state, its stored service-level body
     * and its BODY as clients see it; a refusal names the field.
     */
    public static Result apply(ServiceState state, ObjectNode storedBody, ObjectNode current, ObjectNode request,
                               int maxCardinality) {
        if (!state.canUpdate()) {
            throw new ConflictException("Service cannot be updated in state: " + state.name(), state.name());
        }
        return request.has("append") ? append(storedBody, request) : replace(current, request, maxCardinality);
    }

    private static Result append(ObjectNode storedBody, ObjectNode request) {
        JsonNode template = request.get("template");
        if (template == null || template.isNull()) {
            throw new ValidationException("template", "Missing template to append");
        }
        ObjectNode fields;
        if (template.isObject()) {
            fields = (ObjectNode) template;
        } else {
            throw new ValidationException("template", "KEY: 'template' must be an Object;");
        }
        for (String key : fields.properties().stream().map(Map.Entry::getKey).toList()) {
            if (SERVICE_IMMUTABLE.contains(key) || key.equals("roles")) {
                throw immutable("service/" + key);
            }
        }
        ObjectNode body = storedBody.deepCopy();
        body.setAll(fields);
        return new Result(body, Map.of());
    }

    private static Result replace(ObjectNode current, ObjectNode request, int maxCardinality) {
        ObjectNode edited = request.deepCopy();
        TemplateValidator.validateTemplate(edited, maxCardinality);
        for (String attr : SERVICE_IMMUTABLE) {
            if (!same(current.get(attr), request.get(attr))) {
                throw immutable("service/" + attr);
            }
        }
        JsonNode currentRoles = current.get("roles");
        JsonNode editedRoles = edited.get("roles");
        if (currentRoles.size() != editedRoles.size()) {
            throw immutable("service/roles size");
        }
        Map<String, ObjectNode> roleBodies = new LinkedHashMap<>();
        for (JsonNode role : editedRoles) {
            String name = role.get("name").asText();
            JsonNode stored = null;
            for (JsonNode r : currentRoles) {
                if (r.get("name").asText().equals(name)) {
                    stored = r;
                }
            }
            if (stored == null) {
                throw new ValidationException("roles", "Role " + name + " does not exist");
            }
            JsonNode sent = requestRole(request, name);
            for (String attr : ROLE_IMMUTABLE) {
                if (!same(stored.get(attr), sent.get(attr))) {
                    throw immutable("role/" + attr);
                }
            }
            ObjectNode body = ((ObjectNode) role).deepCopy();
            body.remove(ROLE_RUNTIME);
            roleBodies.put(name, body);
        }
        ObjectNode body = edited.deepCopy();
        body.remove(SERVICE_RUNTIME);
        return new Result(body, roleBodies);
    }

    /** The role as the client sent it (before validation filled in defaults). */
    private static JsonNode requestRole(ObjectNode request, String name) {
        for (JsonNode r : request.get("roles")) {
            if (r.path("name").asText().equals(name)) {
                return r;
            }
        }
        return request.objectNode();
    }

    /** Left out of the request counts as unchanged; sent, it must equal the stored value. */
    private static boolean same(JsonNode stored, JsonNode sent) {
        if (sent == null) {
            return true;
        }
        JsonNode a = stored;
        JsonNode b = sent;
        boolean aMissing = a == null || a.isNull();
        boolean bMissing = b.isNull();
        if (aMissing || bMissing) {
            return aMissing == bMissing;
        }
        return a.equals(NUMBERS_BY_VALUE, b);
    }

    /** 5 and 5L are the same value: a parsed request and a stored body may type numbers differently. */
    private static final java.util.Comparator<JsonNode> NUMBERS_BY_VALUE = (x, y) -> {
        if (x.isNumber() && y.isNumber()) {
            return Double.compare(x.asDouble(), y.asDouble());
        }
        return x.equals(y) ? 0 : 1;
    };

    private static ValidationException immutable(String attr) {
        return new ValidationException(attr, "Immutable value: `" + attr + "` can not be changed");
    }
}
