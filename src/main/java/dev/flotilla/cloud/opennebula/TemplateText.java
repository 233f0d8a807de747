package dev.flotilla.cloud.opennebula;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;

import java.util.Map;

/**
 * A role's {@code template_contents} (JSON) as OpenNebula template text, the form
 * {@code one.template.instantiate} merges over the VM template: scalars as {@code KEY="value"},
 * objects as vector attributes {@code KEY=[A="x", B="y"]}, arrays as the attribute repeated.
 */
final class TemplateText {
    private TemplateText() {
    }

    static String render(ObjectNode contents, Map<String, String> more) {
        StringBuilder out = new StringBuilder();
        if (contents != null) {
            contents.properties().forEach(e -> attribute(out, e.getKey(), e.getValue()));
        }
        more.forEach((key, value) -> out.append(key).append("=\"").append(quoted(value)).append("\"\n"));
        return out.toString();
    }

    private static void attribute(StringBuilder out, String key, JsonNode value) {
        if (value.isArray()) {
            value.forEach(item -> attribute(out, key, item));
        } else if (value.isObject()) {
            out.append(key).append("=[");
            StringBuilder inner = new StringBuilder();
            value.properties().forEach(e -> inner.append(inner.isEmpty() ? "" : ",\n  ").append(e.getKey())
                    .append("=\"").append(quoted(scalar(e.getValue()))).append('"'));
            out.append(inner).append("]\n");
        } else if (!value.isNull()) {
            out.append(key).append("=\"").append(quoted(scalar(value))).append("\"\n");
        }
    }

    /** A vector attribute holds scalars only: anything deeper is written as its JSON text. */
    private static String scalar(JsonNode value) {
        return value.isValueNode() ? value.asText() : value.toString();
    }

    private static String quoted(String text) {
        return text.replace("\\", "\\\\").replace("\"", "\\\"");
    }
}
