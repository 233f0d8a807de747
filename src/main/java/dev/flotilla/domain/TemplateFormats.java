package dev.flotilla.domain;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import com.fasterxml.jackson.databind.node.ObjectNode;

import java.util.List;
import java.util.Set;

/**
 * Accepts OneFlow 6.x vocabulary and stores 7.x (decision 4, templates.md §9): per role, a role
 * with {@code vm_template} and no {@code template_id} is converted even when its siblings are 7.x.
 */
public final class TemplateFormats {
    private static final Set<String> ALWAYS_ARRAYS = Set.of("NIC", "NIC_ALIAS", "DISK");

    private TemplateFormats() {
    }

    public static void upgrade(ObjectNode body) {
        rename(body, "custom_attrs", "user_inputs");
        rename(body, "custom_attrs_values", "user_inputs_values");
        JsonNode roles = body.get("roles");
        if (roles != null && roles.isArray()) {
            for (JsonNode role : roles) {
                if (role.isObject()) {
                    upgradeRole((ObjectNode) role);
                }
            }
        }
    }

    public static void upgradeRole(ObjectNode role) {
        if (role.has("vm_template") && !role.has("template_id")) {
            role.set("template_id", role.get("vm_template"));
            role.remove("vm_template");
            if (!role.has("type")) {
                role.put("type", "vm");
            }
        }
        if (role.has("vm_template_contents") && !role.has("template_contents")) {
            JsonNode text = role.remove("vm_template_contents");
            role.set("template_contents", parseTemplateText(text.asText("")));
            if (!role.has("type")) {
                role.put("type", "vm");
            }
        }
        rename(role, "custom_attrs", "user_inputs");
        rename(role, "custom_attrs_values", "user_inputs_values");
    }

    private static void rename(ObjectNode node, String from, String to) {
        if (node.has(from) && !node.has(to)) {
            node.set(to, node.remove(from));
        }
    }

    /**
     * Parses OpenNebula template text ({@code KEY = "v"}, {@code KEY = [ A = "b", C = "d" ]}) into
     * an object: vectors become objects, repeated keys arrays; NIC, NIC_ALIAS and DISK always arrays.
     */
    public static ObjectNode parseTemplateText(String text) {
        ObjectNode out = JsonNodeFactory.instance.objectNode();
        Tokenizer t = new Tokenizer(text);
        while (t.skipSpace()) {
            String key = t.word();
            if (key.isEmpty()) {
                throw new ValidationException("vm_template_contents", "An old service template format (OpenNebula"
                        + " v6.x) was detected and could not be automatically converted. Update it manually to the"
                        + " new format. Error: unexpected character at offset " + t.pos);
            }
            t.expect('=');
            JsonNode value;
            if (t.peek() == '[') {
                t.expect('[');
                ObjectNode vector = JsonNodeFactory.instance.objectNode();
                while (t.skipSpace() && t.peek() != ']') {
                    String sub = t.word();
                    t.expect('=');
                    vector.put(sub.toUpperCase(), t.value());
                    t.skipSpace();
                    if (t.peek() == ',') {
                        t.pos++;
                    }
                }
                t.expect(']');
                value = vector;
            } else {
                value = JsonNodeFactory.instance.textNode(t.value());
            }
            add(out, key.toUpperCase(), value);
        }
        return out;
    }

    private static void add(ObjectNode out, String key, JsonNode value) {
        JsonNode existing = out.get(key);
        if (existing == null) {
            out.set(key, ALWAYS_ARRAYS.contains(key) ? JsonNodeFactory.instance.arrayNode().add(value) : value);
        } else if (existing.isArray()) {
            ((ArrayNode) existing).add(value);
        } else {
            out.set(key, JsonNodeFactory.instance.arrayNode().addAll(List.of(existing, value)));
        }
    }

    private static final class Tokenizer {
        final String s;
        int pos;

        Tokenizer(String s) {
            this.s = s;
        }

        boolean skipSpace() {
            while (pos < s.length() && Character.isWhitespace(s.charAt(pos))) {
                pos++;
            }
            return pos < s.length();
        }

        char peek() {
            skipSpace();
            return pos < s.length() ? s.charAt(pos) : '\0';
        }

        String word() {
            skipSpace();
            int start = pos;
            while (pos < s.length() && (Character.isLetterOrDigit(s.charAt(pos)) || s.charAt(pos) == '_')) {
                pos++;
            }
            return s.substring(start, pos);
        }

        void expect(char c) {
            if (peek() != c) {
                throw new ValidationException("vm_template_contents", "An old service template format (OpenNebula"
                        + " v6.x) was detected and could not be automatically converted. Update it manually to the"
                        + " new format. Error: expected '" + c + "' at offset " + pos);
            }
            pos++;
        }

        String value() {
            skipSpace();
            if (peek() == '"') {
                pos++;
                StringBuilder b = new StringBuilder();
                while (pos < s.length() && s.charAt(pos) != '"') {
                    if (s.charAt(pos) == '\\' && pos + 1 < s.length()) {
                        pos++;
                    }
                    b.append(s.charAt(pos++));
                }
                pos++;
                return b.toString();
            }
            int start = pos;
            while (pos < s.length() && !Character.isWhitespace(s.charAt(pos)) && s.charAt(pos) != ','
                    && s.charAt(pos) != ']') {
                pos++;
            }
            return s.substring(start, pos);
        }
    }
}
