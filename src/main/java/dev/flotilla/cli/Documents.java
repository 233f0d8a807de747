package dev.flotilla.cli;

import com.fasterxml.jackson.databind.node.ObjectNode;

import java.util.List;

/** chown, chgrp, chmod and rename, shared by both tools. */
final class Documents {
    private Documents() {
    }

    /** Users by ID, or {@code oneadmin} (the only named user the server has for now). */
    static int userId(String user) {
        if (user.matches("-?[0-9]+")) {
            return Integer.parseInt(user);
        }
        if (user.equals("oneadmin")) {
            return 0;
        }
        throw new CliException(255, "USER named " + user + " not found.");
    }

    static int groupId(String group) {
        if (group.matches("-?[0-9]+")) {
            return Integer.parseInt(group);
        }
        if (group.equals("oneadmin")) {
            return 0;
        }
        throw new CliException(255, "GROUP named " + group + " not found.");
    }

    static String octet(String octet) {
        if (!octet.matches("[0-7]{3}")) {
            throw new CliException(255, "Invalid '" + octet + "' octed permissions");
        }
        return octet;
    }

    static int act(FlowClient client, String collection, String what, String ids, String perform, ObjectNode params) {
        List<Integer> resolved = Cli.resolveList(client, ids, collection, what);
        return Oneflow.eachId(resolved, id -> client.post("/" + collection + "/" + id + "/action",
                Oneflow.actionBody(perform, params)));
    }
}
