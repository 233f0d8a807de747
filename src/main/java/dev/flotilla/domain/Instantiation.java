package dev.flotilla.domain;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import com.fasterxml.jackson.databind.node.ObjectNode;

import java.util.ArrayList;
import java.util.Iterator;
import java.util.List;
import java.util.Map;

/**
 * Instantiate processing (api.md §6.7–6.8): user-input checks, network defaults, the deep merge of
 * {@code merge_template}, and the user-input injection into each role's {@code template_contents}
 * (templates.md §6.2). Returns the body of the new service, validated.
 */
public final class Instantiation {
    private static final JsonNodeFactory JSON = JsonNodeFactory.instance;

    private Instantiation() {
    }

    public static ObjectNode serviceBody(ObjectNode template, ObjectNode mergeTemplate, int maxCardinality) {
        ObjectNode merge = mergeTemplate == null ? JSON.objectNode() : mergeTemplate.deepCopy();
        TemplateFormats.upgrade(merge);
        ObjectNode body = template.deepCopy();
        TemplateFormats.upgrade(body);
        checkUserInputs(body.get("user_inputs"), merge.get("user_inputs_values"));
        checkRoleUserInputs(body, merge);
        applyNetworkDefaults(body, merge);

        JsonNode roleOverrides = merge.remove("roles");
        deepMerge(body, merge);
        mergeRoles(body, roleOverrides);
        body.remove("registration_time");
        TemplateValidator.validateTemplate(body, maxCardinality);
        injectUserInputs(body);
        return body;
    }

    /**
     * {@code merge_template.roles}: objects naming a role, each merged over the template's role of
     * that name (a name the template does not have is ignored, as OneFlow does).
     */
    private static void mergeRoles(ObjectNode body, JsonNode overrides) {
        if (overrides == null || overrides.isNull()) {
            return;
        }
        if (!overrides.isArray()) {
            throw new ValidationException("merge_template.roles", "KEY: 'roles' must be an Array;");
        }
        for (int i = 0; i < overrides.size(); i++) {
            JsonNode override = overrides.get(i);
            JsonNode name = override.get("name");
            if (!override.isObject() || name == null || !name.isTextual()) {
                throw new ValidationException("merge_template.roles." + i,
                        "Each role in merge_template must be an Object with the 'name' of a role");
            }
            for (JsonNode role : body.withArray("roles")) {
                if (role.isObject() && role.path("name").asText("").equals(name.asText())) {
                    deepMerge((ObjectNode) role, (ObjectNode) override);
                }
            }
        }
    }

    private static void checkUserInputs(JsonNode inputs, JsonNode values) {
        if (inputs == null || inputs.isNull() || (inputs.isObject() && inputs.isEmpty())) {
            return;
        }
        if (values == null || values.isNull()) {
            throw new ValidationException("user_inputs_values",
                    "The Service template specifies User Inputs but no values have been found");
        }
        if (!inputs.isObject() || !values.isObject()) {
            throw new ValidationException("user_inputs_values", "Wrong User Inputs or User Inputs Values format");
        }
        Iterator<String> names = inputs.fieldNames();
        while (names.hasNext()) {
            String name = names.next();
            if (!values.has(name)) {
                throw new ValidationException("user_inputs_values." + name,
                        "Verify that every User Input have its corresponding value defined");
            }
            checkValue(name, inputs.get(name).asText(""), values.get(name));
        }
    }

    /**
     * What the web console refuses before sending, refused here too (templates.md §8.1): a mandatory
     * input left empty, and a value its type cannot hold. Other types (text, password, boolean, ...)
     * take any text.
     */
    private static void checkValue(String name, String spec, JsonNode value) {
        String[] parts = spec.split("\\|", -1);
        String field = "user_inputs_values." + name;
        String text = value == null || value.isNull() ? "" : value.isValueNode() ? value.asText() : value.toString();
        if (text.isBlank()) {
            if (parts[0].trim().equals("M")) {
                throw new ValidationException(field, "User input " + name + " is mandatory: give it a value");
            }
            return;
        }
        String type = parts.length > 1 ? parts[1].trim() : "";
        String params = parts.length > 3 ? parts[3].trim() : "";
        String v = text.trim();
        switch (type) {
            case "number", "range" -> {
                if (!v.matches("-?[0-9]{1,18}")) {
                    throw new ValidationException(field, "User input " + name + " must be an integer number, not '"
                            + text + "'");
                }
                checkRange(name, field, type, params, v);
            }
            case "number-float", "range-float" -> {
                if (!v.matches("-?([0-9]+\\.?[0-9]*|\\.[0-9]+)([eE][-+]?[0-9]+)?") || v.length() > 40) {
                    throw new ValidationException(field, "User input " + name + " must be a number, not '" + text + "'");
                }
                checkRange(name, field, type, params, v);
            }
            case "list" -> {
                List<String> options = java.util.Arrays.stream(params.split(",")).map(String::trim)
                        .filter(o -> !o.isEmpty()).toList();
                if (!options.isEmpty() && !options.contains(v)) {
                    throw new ValidationException(field, "User input " + name + " must be one of " + options
                            + ", not '" + text + "'");
                }
            }
            default -> {
            }
        }
    }

    /** A range's params are {@code min..max}; a value outside is refused naming the bounds. */
    private static void checkRange(String name, String field, String type, String params, String value) {
        if (!type.startsWith("range")) {
            return;
        }
        String[] bounds = params.split("\\.\\.", 2);
        if (bounds.length != 2) {
            return;
        }
        try {
            double min = Double.parseDouble(bounds[0].trim());
            double max = Double.parseDouble(bounds[1].trim());
            double given = Double.parseDouble(value);
            if (given < min || given > max) {
                throw new ValidationException(field, "User input " + name + " must be from " + bounds[0].trim()
                        + " to " + bounds[1].trim() + ", not " + value);
            }
        } catch (NumberFormatException e) {
            // A malformed range in the template bounds nothing (the template is the author's).
        }
    }

    private static void checkRoleUserInputs(ObjectNode body, ObjectNode merge) {
        JsonNode roles = body.get("roles");
        if (roles == null || !roles.isArray()) {
            return;
        }
        for (JsonNode role : roles) {
            String name = role.path("name").asText();
            JsonNode contents = role.get("template_contents");
            if (contents != null && !contents.isObject()) {
                throw new ValidationException("roles." + name + ".template_contents",
                        "Error validating template_contents object for the role " + name
                                + ". The object must be a valid hash.");
            }
            JsonNode inputs = role.get("user_inputs");
            if (inputs == null || (inputs.isObject() && inputs.isEmpty())) {
                continue;
            }
            JsonNode overrides = merge.get("roles");
            if (overrides == null || !overrides.isArray() || overrides.isEmpty()) {
                throw new ValidationException("roles", "The Service template specifies user inputs for the role "
                        + name + " but no values have been found");
            }
            JsonNode entry = null;
            for (JsonNode o : overrides) {
                if (!o.isObject()) {
                    throw new ValidationException("roles", "The role user inputs are empty or do not have a valid format");
                }
                if (name.equals(o.path("name").asText())) {
                    entry = o;
                }
            }
            if (entry == null) {
                throw new ValidationException("roles", "The Service template specifies user inputs for the role "
                        + name + " but no values have been found");
            }
            checkUserInputs(inputs, entry.get("user_inputs_values"));
        }
    }

    /** Without {@code networks_values} the defaults come from each declaration's 5th field (api.md §6.8 step 5). */
    private static void applyNetworkDefaults(ObjectNode body, ObjectNode merge) {
        JsonNode networks = body.get("networks");
        if (networks == null || networks.isNull()) {
            return;
        }
        if (!networks.isObject()) {
            throw new ValidationException("networks", "Wrong networks format");
        }
        if (networks.isEmpty()) {
            return;
        }
        JsonNode values = merge.get("networks_values");
        if (values == null) {
            ArrayNode defaults = JSON.arrayNode();
            for (Map.Entry<String, JsonNode> net : networks.properties()) {
                String[] parts = net.getValue().asText("").split("\\|", -1);
                if (parts.length < 5) {
                    throw new ValidationException("networks." + net.getKey(), "Wrong networks format");
                }
                String[] def = parts[4].split(":", 3);
                if (def.length >= 2 && List.of("id", "template_id", "reserve_from").contains(def[0])) {
                    ObjectNode value = JSON.objectNode().put(def[0], def[1]);
                    if (def.length == 3) {
                        value.put("extra", def[2]);
                    }
                    defaults.add(JSON.objectNode().set(net.getKey(), value));
                }
            }
            values = defaults;
            merge.set("networks_values", defaults);
        }
        if (!values.isArray()) {
            throw new ValidationException("networks_values", "Wrong networks_values format");
        }
        List<String> given = new ArrayList<>();
        for (JsonNode v : values) {
            if (!v.isObject()) {
                throw new ValidationException("networks_values", "Wrong networks_values format");
            }
            v.fieldNames().forEachRemaining(given::add);
        }
        if (given.isEmpty()) {
            throw new ValidationException("networks_values", "Missing networks_values");
        }
        for (String name : (Iterable<String>) networks::fieldNames) {
            if (!given.contains(name)) {
                throw new ValidationException("networks_values." + name,
                        "Every network key must have its value defined at networks_value");
            }
        }
        // networks_values replace the template's entries of the same name rather than being appended.
        body.remove("networks_values");
    }

    /** Objects merged recursively, scalars replaced, arrays concatenated (object arrays de-duplicated). */
    public static void deepMerge(ObjectNode target, ObjectNode source) {
        for (Map.Entry<String, JsonNode> e : source.properties()) {
            JsonNode existing = target.get(e.getKey());
            JsonNode value = e.getValue();
            if (existing != null && existing.isObject() && value.isObject()) {
                deepMerge((ObjectNode) existing, (ObjectNode) value);
            } else if (existing != null && existing.isArray() && value.isArray()) {
                ArrayNode merged = ((ArrayNode) existing).deepCopy();
                boolean allObjects = true;
                for (JsonNode item : merged) {
                    allObjects &= item.isObject();
                }
                for (JsonNode item : value) {
                    allObjects &= item.isObject();
                }
                for (JsonNode item : value) {
                    boolean duplicate = false;
                    for (JsonNode have : merged) {
                        duplicate |= allObjects && have.equals(item);
                    }
                    if (!duplicate) {
                        merged.add(item.deepCopy());
                    }
                }
                target.set(e.getKey(), merged);
            } else {
                target.set(e.getKey(), value.deepCopy());
            }
        }
    }

    /** Service values overridden by role values become VM attributes and context (templates.md §6.2). */
    private static void injectUserInputs(ObjectNode body) {
        JsonNode serviceValues = body.get("user_inputs_values");
        for (JsonNode roleNode : body.withArray("roles")) {
            ObjectNode role = (ObjectNode) roleNode;
            ObjectNode values = JSON.objectNode();
            if (serviceValues != null && serviceValues.isObject()) {
                values.setAll((ObjectNode) serviceValues);
            }
            JsonNode roleValues = role.get("user_inputs_values");
            if (roleValues != null && roleValues.isObject()) {
                values.setAll((ObjectNode) roleValues);
            }
            if (values.isEmpty()) {
                continue;
            }
            ObjectNode contents = role.has("template_contents") ? (ObjectNode) role.get("template_contents")
                    : role.putObject("template_contents");
            ObjectNode context = contents.get("CONTEXT") instanceof ObjectNode c ? c : contents.putObject("CONTEXT");
            for (Map.Entry<String, JsonNode> v : values.properties()) {
                contents.set(v.getKey(), v.getValue());
                context.put(v.getKey(), "$" + v.getKey());
            }
        }
    }
}
