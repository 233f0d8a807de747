package dev.flotilla.cli;

import com.fasterxml.jackson.databind.node.ObjectNode;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Parameters;

import java.util.List;

/** chown, chgrp, chmod and rename, shared by both tools: each tool names its own subclass and target. */
final class Documents {
    /** What the commands act on: the REST collection and the noun OneFlow's messages use. */
    enum Target {
        SERVICE("service", "SERVICE"), TEMPLATE("service_template", "SERVICE TEMPLATE");

        final String collection;
        final String what;

        Target(String collection, String what) {
            this.collection = collection;
            this.what = what;
        }
    }

    private Documents() {
    }

    /** The parts every one of these commands has: connection, the object(s), and a target. */
    abstract static class Command extends Cli.Base {
        @Mixin
        Cli.ConnectionWithP connection;
        @Parameters(index = "0", paramLabel = "<range|list>", description = "IDs or names, e.g. 1,3,8..15")
        String ids;

        abstract Target target();

        @Override
        Cli.Connection connection() {
            return connection;
        }

        int act(FlowClient client, String perform, ObjectNode params) {
            return Documents.act(client, target().collection, target().what, ids, perform, params);
        }
    }

    abstract static class Chown extends Command {
        @Parameters(index = "1", paramLabel = "<user>")
        String user;
        @Parameters(index = "2", paramLabel = "<group>", arity = "0..1")
        String group;

        @Override
        int run(FlowClient client) {
            ObjectNode params = Cli.JSON.createObjectNode().put("owner_id", userId(user));
            if (group != null) {
                params.put("group_id", groupId(group));
            }
            return act(client, "chown", params);
        }
    }

    abstract static class Chgrp extends Command {
        @Parameters(index = "1", paramLabel = "<group>")
        String group;

        @Override
        int run(FlowClient client) {
            return act(client, "chgrp", Cli.JSON.createObjectNode().put("group_id", groupId(group)));
        }
    }

    abstract static class Chmod extends Command {
        @Parameters(index = "1", paramLabel = "<octet>")
        String octet;

        @Override
        int run(FlowClient client) {
            return act(client, "chmod", Cli.JSON.createObjectNode().put("octet", octet(octet)));
        }
    }

    abstract static class Rename extends Command {
        @Parameters(index = "1", paramLabel = "<name>")
        String name;

        @Override
        int run(FlowClient client) {
            return act(client, "rename", Cli.JSON.createObjectNode().put("name", name));
        }
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
