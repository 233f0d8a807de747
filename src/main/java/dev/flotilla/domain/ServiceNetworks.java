package dev.flotilla.domain;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import com.fasterxml.jackson.databind.node.TextNode;

import java.util.ArrayList;
import java.util.Collection;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * A service's networks as its body declares them ({@code networks_values}, templates.md §6.1), the
 * ids they resolve to, and the NIC placeholders those ids fill in (templates.md §6.2 step 1).
 */
public final class ServiceNetworks {
    /** Shown as a network's state before the cloud has answered its create or been asked its state. */
    public static final String NOT_YET = "PENDING";
    private static final Pattern PLACEHOLDER = Pattern.compile("\\$([A-Za-z0-9_]+)");

    private ServiceNetworks() {
    }

    /** One {@code networks_values} entry: {@code {"<name>": {"<source key>": "<id>", "extra": "..."}}}. */
    public record Declared(String name, NetworkSource source, int sourceId, String extra) {
    }

    /** The entries of a validated body, in order; none when it has no {@code networks_values}. */
    public static List<Declared> declared(JsonNode body) {
        List<Declared> out = new ArrayList<>();
        JsonNode values = body == null ? null : body.get("networks_values");
        if (values == null || !values.isArray()) {
            return out;
        }
        for (JsonNode entry : values) {
            if (!entry.isObject() || entry.size() != 1) {
                continue;
            }
            Map.Entry<String, JsonNode> net = entry.properties().iterator().next();
            JsonNode spec = net.getValue();
            // A made network's entry carries the id it got next to where it came from: the source wins.
            for (NetworkSource source : List.of(NetworkSource.TEMPLATE, NetworkSource.RESERVE, NetworkSource.ID)) {
                JsonNode id = spec.get(source.key());
                if (id != null && !id.isNull()) {
                    out.add(new Declared(net.getKey(), source, Integer.parseInt(id.asText().trim()),
                            spec.path("extra").asText("")));
                    break;
                }
            }
        }
        return out;
    }

    /** OneFlow's name of a network made for a service: {@code <net>-<service id>}. */
    public static String networkName(String name, int serviceId) {
        return name + "-" + serviceId;
    }

    /**
     * The id of each declared network that has one: an existing network's own id, a made network's
     * id once the cloud gave it (the newest attempt that is not retired).
     */
    public static Map<String, Integer> ids(List<Declared> declared, Collection<NetworkSnapshot> rows) {
        Map<String, Integer> ids = new LinkedHashMap<>();
        for (Declared d : declared) {
            if (!d.source().createdByService()) {
                ids.put(d.name(), d.sourceId());
            }
        }
        for (NetworkSnapshot row : rows) {
            if (!row.retired() && row.netId() != null) {
                ids.put(row.name(), row.netId());
            }
        }
        return ids;
    }

    /**
     * {@code template_contents} with every NIC's {@code NETWORK_ID} placeholder {@code $<net>} replaced
     * by that network's id (left as is when the network has no id); the input is not changed.
     */
    public static JsonNode fillNics(JsonNode contents, Map<String, Integer> ids) {
        if (contents == null || !contents.isObject() || ids.isEmpty() || !contents.has("NIC")) {
            return contents;
        }
        ObjectNode filled = ((ObjectNode) contents).deepCopy();
        JsonNode nics = filled.get("NIC");
        if (nics.isObject()) {
            fillNic((ObjectNode) nics, ids);
        } else if (nics.isArray()) {
            for (JsonNode nic : (ArrayNode) nics) {
                if (nic.isObject()) {
                    fillNic((ObjectNode) nic, ids);
                }
            }
        }
        return filled;
    }

    private static void fillNic(ObjectNode nic, Map<String, Integer> ids) {
        JsonNode networkId = nic.get("NETWORK_ID");
        if (networkId == null || !networkId.isTextual()) {
            return;
        }
        Matcher m = PLACEHOLDER.matcher(networkId.asText());
        StringBuilder out = new StringBuilder();
        while (m.find()) {
            Integer id = ids.get(m.group(1));
            m.appendReplacement(out, Matcher.quoteReplacement(id == null ? m.group() : id.toString()));
        }
        m.appendTail(out);
        nic.set("NETWORK_ID", TextNode.valueOf(out.toString()));
    }
}
