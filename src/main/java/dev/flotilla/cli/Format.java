package dev.flotilla.cli;

import com.fasterxml.jackson.databind.JsonNode;
import dev.flotilla.domain.RoleState;
import dev.flotilla.domain.ServiceState;

import java.time.Instant;
import java.time.ZoneId;
import java.time.format.DateTimeFormatter;
import java.util.ArrayList;
import java.util.List;

/** What a person sees: OneFlow's list columns and show layout (cli.md §2.1, §2.3, §3). */
final class Format {
    private static final DateTimeFormatter START = DateTimeFormatter.ofPattern("MM/dd HH:mm:ss");
    private static final DateTimeFormatter LOG = DateTimeFormatter.ofPattern("MM/dd/yy HH:mm");

    private Format() {
    }

    static String time(long epochSeconds) {
        return epochSeconds <= 0 ? "-" : START.format(Instant.ofEpochSecond(epochSeconds).atZone(ZoneId.systemDefault()));
    }

    static String serviceState(JsonNode body) {
        try {
            return ServiceState.ofNumber(body.path("state").asInt()).name();
        } catch (IllegalArgumentException e) {
            return body.path("state").asText();
        }
    }

    static String roleState(JsonNode role) {
        try {
            return RoleState.ofNumber(role.path("state").asInt()).name();
        } catch (IllegalArgumentException e) {
            return role.path("state").asText();
        }
    }

    static String serviceList(List<JsonNode> documents) {
        return serviceList(documents, ListOptions.NONE);
    }

    /** {@code ID USER GROUP NAME STARTTIME STATE}; DONE services are not listed. */
    static String serviceList(List<JsonNode> documents, ListOptions options) {
        List<String[]> rows = new ArrayList<>();
        for (JsonNode d : documents) {
            JsonNode body = d.path("TEMPLATE").path("BODY");
            if (body.path("state").asInt() == ServiceState.DONE.number()) {
                continue;
            }
            rows.add(new String[]{d.path("ID").asText(), d.path("UNAME").asText(), d.path("GNAME").asText(),
                d.path("NAME").asText(), time(body.path("start_time").asLong()), serviceState(body)});
        }
        return options.render(new String[]{"ID", "USER", "GROUP", "NAME", "STARTTIME", "STATE"},
                new int[]{4, 8, 8, 15, 15, 8}, new boolean[]{true, false, false, false, true, false}, rows);
    }

    /** {@code KIND SERVICE ROLE VM STATE REMEDY}, one line per disagreement. */
    static String drift(JsonNode findings) {
        List<String[]> rows = new ArrayList<>();
        for (JsonNode f : findings) {
            rows.add(new String[]{f.path("KIND").asText(), f.path("SERVICE_ID").asText(), f.path("ROLE").asText(""),
                f.path("VM_ID").asText(), f.path("STATE").asText(), f.path("REMEDY").asText()});
        }
        return table(new String[]{"KIND", "SERVICE", "ROLE", "VM", "STATE", "REMEDY"}, new int[]{10, 7, 6, 4, 10, 6},
                new boolean[]{false, true, false, true, false, false}, rows);
    }

    /** {@code ID USER GROUP NAME REGTIME}. */
    static String templateList(List<JsonNode> documents, ListOptions options) {
        List<String[]> rows = new ArrayList<>();
        for (JsonNode d : documents) {
            rows.add(new String[]{d.path("ID").asText(), d.path("UNAME").asText(), d.path("GNAME").asText(),
                d.path("NAME").asText(), time(d.path("TEMPLATE").path("BODY").path("registration_time").asLong())});
        }
        return options.render(new String[]{"ID", "USER", "GROUP", "NAME", "REGTIME"}, new int[]{4, 8, 8, 15, 15},
                new boolean[]{true, false, false, false, true}, rows);
    }

    private static String table(String[] header, int[] widths, boolean[] right, List<String[]> rows) {
        return layout(header, widths, right, rows);
    }

    /** Columns as wide as their widest cell (at least {@code widths}); no header line when it is null. */
    static String layout(String[] header, int[] widths, boolean[] right, List<String[]> rows) {
        int[] w = widths.clone();
        for (String[] row : rows) {
            for (int i = 0; i < row.length; i++) {
                w[i] = Math.max(w[i], row[i].length());
            }
        }
        StringBuilder out = new StringBuilder();
        if (header != null) {
            line(out, header, w, right);
        }
        rows.forEach(r -> line(out, r, w, right));
        return out.toString();
    }

    private static void line(StringBuilder out, String[] cells, int[] w, boolean[] right) {
        StringBuilder l = new StringBuilder();
        for (int i = 0; i < cells.length; i++) {
            if (i > 0) {
                l.append(' ');
            }
            String pad = " ".repeat(Math.max(0, w[i] - cells[i].length()));
            l.append(right[i] ? pad + cells[i] : cells[i] + pad);
        }
        out.append(l.toString().stripTrailing()).append('\n');
    }

    static String header(String title) {
        return title + " ".repeat(Math.max(0, 80 - title.length())).stripTrailing() + "\n";
    }

    static String field(String name, Object value) {
        return String.format("%-20s: %-20s", name, value).stripTrailing() + "\n";
    }

    static String permissions(JsonNode perms, String who) {
        return (perms.path(who + "_U").asText().equals("1") ? "u" : "-")
                + (perms.path(who + "_M").asText().equals("1") ? "m" : "-")
                + (perms.path(who + "_A").asText().equals("1") ? "a" : "-");
    }

    private static final String NETWORK_ROW = "%-15s %5s %-20s %s";

    /** {@code oneflow show}: service information, permissions, networks, each role with its VMs, and the log. */
    static String service(JsonNode doc) {
        JsonNode body = doc.path("TEMPLATE").path("BODY");
        StringBuilder out = new StringBuilder();
        out.append(header("SERVICE " + doc.path("ID").asText() + " INFORMATION"));
        out.append(field("ID", doc.path("ID").asText()));
        out.append(field("NAME", doc.path("NAME").asText()));
        out.append(field("USER", doc.path("UNAME").asText()));
        out.append(field("GROUP", doc.path("GNAME").asText()));
        out.append(field("STRATEGY", body.path("deployment").asText("none")));
        out.append(field("SERVICE STATE", serviceState(body)));
        out.append(field("START TIME", time(body.path("start_time").asLong())));
        if (body.hasNonNull("shutdown_action")) {
            out.append(field("SHUTDOWN", body.get("shutdown_action").asText()));
        }
        out.append('\n').append(header("PERMISSIONS"));
        JsonNode perms = doc.path("PERMISSIONS");
        out.append(field("OWNER", permissions(perms, "OWNER")));
        out.append(field("GROUP", permissions(perms, "GROUP")));
        out.append(field("OTHER", permissions(perms, "OTHER")));
        if (body.path("service_networks").size() > 0) {
            out.append('\n').append(header("NETWORKS"));
            out.append(String.format(NETWORK_ROW, "NAME", "ID", "SOURCE", "STATE").stripTrailing()).append('\n');
            for (JsonNode net : body.path("service_networks")) {
                String source = net.has("template_id") ? "template " + net.get("template_id").asText()
                        : net.has("reserve_from") ? "reserved from " + net.get("reserve_from").asText() : "existing";
                String state = net.path("state").asText("-");
                if (net.path("left_behind").asBoolean(false)) {
                    state += " (left behind)";
                } else if (net.path("deleting").asBoolean(false)) {
                    state += " (deleting)";
                }
                out.append(String.format(NETWORK_ROW, net.path("name").asText(),
                        net.path("id").isNull() ? "-" : net.path("id").asText(), source, state).stripTrailing());
                out.append('\n');
                if (net.hasNonNull("error")) {
                    out.append("  ").append(net.get("error").asText()).append('\n');
                }
            }
        }
        for (JsonNode role : body.path("roles")) {
            out.append('\n').append(header("ROLE " + role.path("name").asText()));
            out.append(field("ROLE STATE", roleState(role)));
            if (role.path("parents").size() > 0) {
                List<String> parents = new ArrayList<>();
                role.path("parents").forEach(p -> parents.add(p.asText()));
                out.append(field("PARENTS", String.join(", ", parents)));
            }
            out.append(field("VM TEMPLATE", role.path("template_id").asText()));
            out.append(field("CARDINALITY", role.path("cardinality").asText()));
            if (role.hasNonNull("min_vms")) {
                out.append(field("MIN VMS", role.get("min_vms").asText()));
            }
            if (role.hasNonNull("max_vms")) {
                out.append(field("MAX VMS", role.get("max_vms").asText()));
            }
            if (role.hasNonNull("cooldown")) {
                out.append(field("COOLDOWN", role.get("cooldown").asText() + "s"));
            }
            if (role.hasNonNull("shutdown_action")) {
                out.append(field("SHUTDOWN", role.get("shutdown_action").asText()));
            }
            out.append('\n').append(header("NODES INFORMATION"));
            out.append(String.format("%5s %-24s %-15s %-15s", "VM_ID", "NAME", "USER", "GROUP").stripTrailing())
                    .append('\n');
            for (JsonNode node : role.path("nodes")) {
                JsonNode vm = node.path("vm_info").path("VM");
                out.append(String.format("%5s %-24s %-15s %-15s", node.path("deploy_id").asText(),
                        vm.path("NAME").asText(""), vm.path("UNAME").asText(""), vm.path("GNAME").asText(""))
                        .stripTrailing()).append('\n');
            }
        }
        if (body.path("log").size() > 0) {
            out.append('\n').append(header("LOG MESSAGES"));
            for (JsonNode e : body.path("log")) {
                out.append(LOG.format(Instant.ofEpochSecond(e.path("timestamp").asLong()).atZone(ZoneId.systemDefault())))
                        .append(" [").append(e.path("severity").asText()).append("] ")
                        .append(e.path("message").asText()).append('\n');
            }
        }
        return out.toString();
    }

    /** {@code oneflow-template show}. */
    static String template(JsonNode doc, String prettyBody) {
        JsonNode body = doc.path("TEMPLATE").path("BODY");
        StringBuilder out = new StringBuilder();
        out.append(header("SERVICE TEMPLATE " + doc.path("ID").asText() + " INFORMATION"));
        out.append(field("ID", doc.path("ID").asText()));
        out.append(field("NAME", doc.path("NAME").asText()));
        out.append(field("USER", doc.path("UNAME").asText()));
        out.append(field("GROUP", doc.path("GNAME").asText()));
        out.append(field("REGISTRATION TIME", time(body.path("registration_time").asLong())));
        out.append('\n').append(header("PERMISSIONS"));
        JsonNode perms = doc.path("PERMISSIONS");
        out.append(field("OWNER", permissions(perms, "OWNER")));
        out.append(field("GROUP", permissions(perms, "GROUP")));
        out.append(field("OTHER", permissions(perms, "OTHER")));
        out.append('\n').append(header("TEMPLATE CONTENTS"));
        out.append(prettyBody).append('\n');
        return out.toString();
    }

    /** One progress line while waiting: the service state and each role's. */
    static String progress(JsonNode body) {
        List<String> roles = new ArrayList<>();
        body.path("roles").forEach(r -> roles.add(r.path("name").asText() + ": " + roleState(r)));
        return serviceState(body) + (roles.isEmpty() ? "" : " (" + String.join(", ", roles) + ")");
    }
}
