package dev.flotilla.domain;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.IntNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import com.fasterxml.jackson.databind.node.TextNode;

import java.time.LocalDateTime;
import java.time.OffsetDateTime;
import java.time.format.DateTimeFormatter;
import java.time.format.DateTimeParseException;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Deque;
import java.util.HashMap;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.regex.Pattern;

/**
 * OneFlow's service-template validation (templates.md §5): the schema with OneFlow's exact
 * messages, then the value rules, then Flotilla's additions (parents exist, no cycles, at least
 * one role). Validation normalizes in place: defaults for absent keys, integer strings become
 * integers. The first problem found is thrown as a {@link ValidationException} naming its field.
 */
public final class TemplateValidator {
    private static final List<String> SHUTDOWN_ACTIONS = List.of("terminate", "terminate-hard", "shutdown",
            "shutdown-hard");
    private static final List<String> POLICY_TYPES = List.of("CHANGE", "CARDINALITY", "PERCENTAGE_CHANGE");
    private static final Pattern ROLE_NAME = Pattern.compile("[A-Za-z0-9_]+");
    private static final Pattern DECIMAL = Pattern.compile("[+-]?[0-9]+");

    private static final List<Field> SERVICE_SCHEMA = List.of(
            Field.string("name").mandatory(),
            Field.string("deployment").oneOf(List.of("none", "straight")).byDefault(TextNode.valueOf("none")),
            Field.string("description").byDefault(TextNode.valueOf("")),
            Field.string("shutdown_action").oneOf(SHUTDOWN_ACTIONS),
            Field.of("roles", Type.ARRAY).mandatory(),
            Field.of("user_inputs", Type.OBJECT),
            Field.of("user_inputs_values", Type.OBJECT),
            Field.of("ready_status_gate", Type.BOOLEAN),
            Field.of("automatic_deletion", Type.BOOLEAN),
            Field.of("networks", Type.OBJECT),
            Field.of("networks_values", Type.ARRAY),
            Field.of("on_hold", Type.BOOLEAN),
            Field.of("self_healing", Type.BOOLEAN),
            Field.integer("transient_timeout").min(0));

    private static final List<Field> VM_ROLE_SCHEMA = List.of(
            Field.string("name").mandatory(),
            Field.string("type").mandatory().oneOf(List.of("vm", "vr")),
            Field.integer("cardinality").min(0).byDefault(IntNode.valueOf(0)),
            Field.integer("template_id").mandatory(),
            Field.of("template_contents", Type.OBJECT),
            Field.of("user_inputs", Type.OBJECT),
            Field.of("user_inputs_values", Type.OBJECT),
            Field.of("parents", Type.ARRAY),
            Field.string("shutdown_action").oneOf(SHUTDOWN_ACTIONS),
            Field.integer("min_vms").min(0),
            Field.integer("max_vms").min(0),
            Field.integer("cooldown").min(0),
            Field.of("on_hold", Type.BOOLEAN),
            Field.of("self_healing", Type.BOOLEAN),
            Field.of("elasticity_policies", Type.ARRAY),
            Field.of("scheduled_policies", Type.ARRAY));

    private static final List<Field> ELASTICITY_SCHEMA = List.of(
            Field.string("type").mandatory().oneOf(POLICY_TYPES),
            Field.integer("adjust").mandatory(),
            Field.integer("min_adjust_step").min(1),
            Field.integer("period_number").min(0),
            Field.integer("period").min(0),
            Field.string("expression").mandatory(),
            Field.integer("cooldown").min(0));

    private static final List<Field> SCHEDULED_SCHEMA = List.of(
            Field.string("type").mandatory().oneOf(POLICY_TYPES),
            Field.integer("adjust").mandatory(),
            Field.integer("min_adjust_step").min(1),
            Field.string("start_time"),
            Field.string("recurrence"));

    /** Names are stored with this bound (the database enforces it too). */
    public static final int MAX_NAME_LENGTH = 128;
    /** Roles per service: with the cardinality cap, it bounds the VMs one request can ask for. */
    public static final int MAX_ROLES = 100;

    private TemplateValidator() {
    }

    /**
     * Full validation of a service template or service body (create, update, instantiate result);
     * no role may ask for more than {@code maxCardinality} VMs.
     */
    public static void validateTemplate(ObjectNode body, int maxCardinality) {
        TemplateFormats.upgrade(body);
        checkSchema(body, SERVICE_SCHEMA);
        checkName(body.get("name").asText(), "name");
        ArrayNode roles = (ArrayNode) body.get("roles");
        if (roles.isEmpty()) {
            throw new ValidationException("roles", "KEY: 'roles' must contain at least one role;");
        }
        if (roles.size() > MAX_ROLES) {
            throw new ValidationException("roles", "KEY: 'roles' must not hold more than " + MAX_ROLES + " roles;");
        }
        for (JsonNode role : roles) {
            if (!role.isObject()) {
                throw new ValidationException("roles", "KEY: 'roles' must be an Object;");
            }
            validateRoleSchema((ObjectNode) role, maxCardinality);
        }
        for (JsonNode role : roles) {
            checkRoleValues((ObjectNode) role);
        }
        checkUniqueNames(roles);
        checkParents(roles);
        checkNetworksValues(body.get("networks_values"));
    }

    /** A document name as the database keeps it: at most {@value #MAX_NAME_LENGTH} characters. */
    public static void checkName(String name, String field) {
        if (name.length() > MAX_NAME_LENGTH) {
            throw new ValidationException(field, "KEY: '" + field + "' must be at most " + MAX_NAME_LENGTH
                    + " characters long;");
        }
    }

    /**
     * Role schema only, as OneFlow checks an added role ({@code add_role}), plus Flotilla's bound:
     * cardinality, min_vms and max_vms at most {@code maxCardinality}.
     */
    public static void validateRoleSchema(ObjectNode role, int maxCardinality) {
        TemplateFormats.upgradeRole(role);
        JsonNode type = role.get("type");
        if (type != null && type.isTextual() && !List.of("vm", "vr").contains(type.asText())) {
            throw new ValidationException("type", "Unsupported role type \"" + type.asText() + "\"");
        }
        checkSchema(role, VM_ROLE_SCHEMA);
        String name = role.get("name").asText();
        if (!ROLE_NAME.matcher(name).matches()) {
            throw new ValidationException("name", "KEY: 'name' must match regexp /^\\w+$/;");
        }
        JsonNode parents = role.get("parents");
        if (parents != null) {
            for (JsonNode parent : parents) {
                if (!parent.isTextual()) {
                    throw new ValidationException("parents", "KEY: 'parents' must be a String;");
                }
            }
        }
        checkPolicies(role, "elasticity_policies", ELASTICITY_SCHEMA);
        checkPolicies(role, "scheduled_policies", SCHEDULED_SCHEMA);
        for (String key : List.of("cardinality", "min_vms", "max_vms")) {
            JsonNode value = role.get(key);
            if (value != null && value.isNumber() && value.asLong() > maxCardinality) {
                throw new ValidationException("roles." + name + "." + key, "Role '" + name + "' '" + key
                        + "' must be lower than or equal to " + maxCardinality + " (the server's max_cardinality)");
            }
        }
    }

    private static void checkPolicies(ObjectNode role, String key, List<Field> schema) {
        JsonNode policies = role.get(key);
        if (policies == null) {
            return;
        }
        for (JsonNode policy : policies) {
            if (!policy.isObject()) {
                throw new ValidationException(key, "KEY: '" + key + "' must be an Object;");
            }
            checkSchema((ObjectNode) policy, schema);
        }
    }

    // ---- value rules (templates.md §5.3, §5.4) ---------------------------------------------------

    private static void checkRoleValues(ObjectNode role) {
        String name = role.get("name").asText();
        int cardinality = role.get("cardinality").asInt();
        JsonNode min = role.get("min_vms");
        JsonNode max = role.get("max_vms");
        if (min != null && cardinality < min.asInt()) {
            throw new ValidationException("roles." + name + ".cardinality",
                    "Role '" + name + "' 'cardinality' must be greater than or equal to 'min_vms'");
        }
        if (max != null && cardinality > max.asInt()) {
            throw new ValidationException("roles." + name + ".cardinality",
                    "Role '" + name + "' 'cardinality' must be lower than or equal to 'max_vms'");
        }
        if (min != null && max != null && min.asInt() > max.asInt()) {
            throw new ValidationException("roles." + name + ".min_vms",
                    "Role '" + name + "' 'min_vms' must be lower than or equal to 'max_vms'");
        }
        boolean hasPolicies = nonEmpty(role.get("elasticity_policies")) || nonEmpty(role.get("scheduled_policies"));
        if (hasPolicies && (min == null || max == null)) {
            throw new ValidationException("roles." + name + ".min_vms", "Role '" + name
                    + "' with  'elasticity_policies' or 'scheduled_policies'must define both 'min_vms' and 'max_vms'");
        }
        JsonNode elasticity = role.get("elasticity_policies");
        for (int i = 0; elasticity != null && i < elasticity.size(); i++) {
            String field = "roles." + name + ".elasticity_policies." + i + ".expression";
            String expression = elasticity.get(i).get("expression").asText();
            if (expression.isBlank()) {
                throw new ValidationException(field, "Role '" + name + "', elasticity policy #" + i
                        + " 'expression' cannot be empty");
            }
            try {
                PolicyExpression.parse(expression);
            } catch (PolicyExpression.ParseException e) {
                throw new ValidationException(field, "Role '" + name + "', elasticity policy #" + i
                        + " 'expression' parse error: " + e.getMessage());
            }
        }
        JsonNode scheduled = role.get("scheduled_policies");
        for (int i = 0; scheduled != null && i < scheduled.size(); i++) {
            checkScheduledPolicy(name, i, scheduled.get(i));
        }
    }

    private static void checkScheduledPolicy(String role, int index, JsonNode policy) {
        String field = "roles." + role + ".scheduled_policies." + index;
        String prefix = "Role '" + role + "', scheduled policy #" + index;
        JsonNode start = policy.get("start_time");
        JsonNode recurrence = policy.get("recurrence");
        if (start != null && recurrence != null) {
            throw new ValidationException(field, prefix + " must define 'start_time' or 'recurrence', but not both");
        }
        if (start == null && recurrence == null) {
            throw new ValidationException(field, prefix + " needs to define either 'start_time' or 'recurrence'");
        }
        if (start != null && !isTime(start.asText())) {
            throw new ValidationException(field + ".start_time", prefix
                    + " 'start_time' is not a valid Time. Try with YYYY-MM-DD hh:mm:ss or 0YYY-MM-DDThh:mm:ssZ");
        }
        if (recurrence != null && !Autoscaling.isCron(recurrence.asText())) {
            throw new ValidationException(field + ".recurrence", prefix + " 'recurrence' is not a valid cron expression");
        }
    }

    static boolean isTime(String text) {
        String value = text.trim();
        if (value.matches("[0-9]+")) {
            return true;
        }
        try {
            OffsetDateTime.parse(value);
            return true;
        } catch (DateTimeParseException ignored) {
            // try the next accepted form
        }
        try {
            LocalDateTime.parse(value, DateTimeFormatter.ofPattern("yyyy-MM-dd HH:mm:ss"));
            return true;
        } catch (DateTimeParseException e) {
            return false;
        }
    }

    private static void checkUniqueNames(ArrayNode roles) {
        Set<String> seen = new HashSet<>();
        for (JsonNode role : roles) {
            String name = role.get("name").asText();
            if (!seen.add(name)) {
                throw new ValidationException("roles." + name + ".name", "Role name '" + name + "' is repeated");
            }
        }
    }

    /** Flotilla's rule (templates.md §5.4): parents must exist and form no cycle, else a service never deploys. */
    private static void checkParents(ArrayNode roles) {
        Map<String, List<String>> parents = new LinkedHashMap<>();
        for (JsonNode role : roles) {
            List<String> names = new ArrayList<>();
            JsonNode p = role.get("parents");
            if (p != null) {
                p.forEach(n -> names.add(n.asText()));
            }
            parents.put(role.get("name").asText(), names);
        }
        for (Map.Entry<String, List<String>> e : parents.entrySet()) {
            for (String parent : e.getValue()) {
                if (!parents.containsKey(parent) || parent.equals(e.getKey())) {
                    throw new ValidationException("roles." + e.getKey() + ".parents",
                            "Role '" + e.getKey() + "' has unknown parent '" + parent + "'");
                }
            }
        }
        Map<String, Integer> mark = new HashMap<>();
        for (String role : parents.keySet()) {
            Deque<String> path = new ArrayDeque<>();
            List<String> cycle = findCycle(role, parents, mark, path);
            if (cycle != null) {
                throw new ValidationException("roles." + cycle.get(0) + ".parents",
                        "Roles have a dependency cycle: " + String.join(" -> ", cycle));
            }
        }
    }

    private static List<String> findCycle(String role, Map<String, List<String>> parents, Map<String, Integer> mark,
                                          Deque<String> path) {
        int state = mark.getOrDefault(role, 0);
        if (state == 2) {
            return null;
        }
        path.addLast(role);
        if (state == 1) {
            List<String> all = new ArrayList<>(path);
            return all.subList(all.indexOf(role), all.size());
        }
        mark.put(role, 1);
        for (String parent : parents.get(role)) {
            List<String> cycle = findCycle(parent, parents, mark, path);
            if (cycle != null) {
                return cycle;
            }
        }
        mark.put(role, 2);
        path.removeLast();
        return null;
    }

    private static void checkNetworksValues(JsonNode values) {
        if (values == null) {
            return;
        }
        for (JsonNode entry : values) {
            if (!entry.isObject() || entry.size() != 1) {
                throw new ValidationException("networks_values", "Wrong networks_values format");
            }
            JsonNode net = entry.elements().next();
            // A made network's entry also carries the "id" it got (as OneFlow writes it), so a body read
            // back from a deployed service is still valid.
            int made = (net.has("template_id") ? 1 : 0) + (net.has("reserve_from") ? 1 : 0);
            if (!net.isObject() || made > 1 || (made == 0 && !net.has("id"))) {
                throw new ValidationException("networks_values", "Wrong networks_values format: each network needs "
                        + "exactly one of 'id', 'template_id', 'reserve_from'");
            }
            String name = entry.fieldNames().next();
            for (NetworkSource source : NetworkSource.values()) {
                JsonNode id = net.get(source.key());
                if (id != null && !(id.isIntegralNumber() ? id.canConvertToInt() && id.asInt() >= 0
                        : id.isTextual() && id.asText().trim().matches("[0-9]{1,9}"))) {
                    throw new ValidationException("networks_values." + name + "." + source.key(),
                            "Wrong networks_values format: '" + source.key() + "' of network " + name
                                    + " must be the id of a " + (source == NetworkSource.TEMPLATE
                                    ? "virtual network template" : "virtual network") + ", not " + id);
                }
            }
            JsonNode extra = net.get("extra");
            if (extra != null && !extra.isNull() && !extra.isTextual()) {
                throw new ValidationException("networks_values." + name + ".extra",
                        "Wrong networks_values format: 'extra' must be a string of template attributes");
            }
            if (net.has("reserve_from") && net.path("extra").asText("").isBlank()) {
                throw new ValidationException("networks_values", "Wrong networks_values format: 'reserve_from' "
                        + "needs a non-empty 'extra'");
            }
        }
    }

    private static boolean nonEmpty(JsonNode node) {
        return node != null && node.isArray() && !node.isEmpty();
    }

    // ---- the schema walker ----------------------------------------------------------------------

    private static void checkSchema(ObjectNode object, List<Field> schema) {
        for (Field field : schema) {
            JsonNode value = object.get(field.name);
            boolean absent = value == null || value.isNull() || (value.isBoolean() && !value.asBoolean());
            if (absent) {
                if (field.required) {
                    throw new ValidationException(field.name, "Mandatory document key '" + field.name + " ("
                            + field.type.label + ")' is missing from " + object);
                }
                if (field.defaultValue != null && (value == null || value.isNull())) {
                    object.set(field.name, field.defaultValue.deepCopy());
                }
                if (value == null || value.isNull()) {
                    continue;
                }
            }
            object.set(field.name, field.check(value));
        }
    }

    private enum Type {
        STRING("string"), INTEGER("integer"), BOOLEAN("boolean"), OBJECT("object"), ARRAY("array");

        final String label;

        Type(String label) {
            this.label = label;
        }
    }

    private record Field(String name, Type type, boolean required, List<String> values, Integer minimum,
                         JsonNode defaultValue) {

        static Field of(String name, Type type) {
            return new Field(name, type, false, null, null, null);
        }

        static Field string(String name) {
            return of(name, Type.STRING);
        }

        static Field integer(String name) {
            return of(name, Type.INTEGER);
        }

        Field mandatory() {
            return new Field(name, type, true, values, minimum, defaultValue);
        }

        Field oneOf(List<String> allowed) {
            return new Field(name, type, required, allowed, minimum, defaultValue);
        }

        Field min(int min) {
            return new Field(name, type, required, values, min, defaultValue);
        }

        Field byDefault(JsonNode value) {
            return new Field(name, type, required, values, minimum, value);
        }

        /** Returns the (possibly converted) value or throws with OneFlow's message. */
        JsonNode check(JsonNode value) {
            switch (type) {
                case STRING -> {
                    if (!value.isTextual()) {
                        throw fail("must be a String;");
                    }
                    if (values != null && !values.contains(value.asText())) {
                        throw fail("must be one of " + String.join(", ", values) + ";");
                    }
                    return value;
                }
                case INTEGER -> {
                    JsonNode converted = toInteger(value);
                    if (minimum != null && converted.asLong() < minimum) {
                        throw fail("must be greater than or equal to " + minimum + ";");
                    }
                    return converted;
                }
                case BOOLEAN -> {
                    if (!value.isBoolean()) {
                        throw new ValidationException(name, "KEY: '" + name + "' is not allowed in {\"type\":\"boolean\"};");
                    }
                    return value;
                }
                case OBJECT -> {
                    if (!value.isObject()) {
                        throw fail("must be an Object;");
                    }
                    return value;
                }
                case ARRAY -> {
                    if (!value.isArray()) {
                        throw fail("must be an Array;");
                    }
                    return value;
                }
                default -> throw new IllegalStateException();
            }
        }

        private JsonNode toInteger(JsonNode value) {
            if (value.isIntegralNumber() && value.canConvertToInt()) {
                return IntNode.valueOf(value.asInt());
            }
            if (value.isFloatingPointNumber() && Math.abs(value.asDouble()) < Integer.MAX_VALUE) {
                return IntNode.valueOf((int) value.asDouble());
            }
            if (value.isTextual() && DECIMAL.matcher(value.asText().trim()).matches()) {
                try {
                    return IntNode.valueOf(Integer.parseInt(value.asText().trim()));
                } catch (NumberFormatException e) {
                    throw fail("must be an Integer;");
                }
            }
            throw fail("must be an Integer;");
        }

        private ValidationException fail(String reason) {
            return new ValidationException(name, "KEY: '" + name + "' " + reason);
        }
    }
}
