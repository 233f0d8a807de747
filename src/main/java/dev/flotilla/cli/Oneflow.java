package dev.flotilla.cli;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.flotilla.domain.RoleActions;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;

import java.util.List;
import java.util.TreeSet;

/** {@code oneflow}: services (cli.md §2). */
@Command(name = "oneflow", mixinStandardHelpOptions = true, version = "Flotilla oneflow 0.1",
        description = "Manage OneFlow services.",
        subcommands = {Oneflow.ListCmd.class, Oneflow.Top.class, Oneflow.Show.class, Oneflow.Delete.class,
            Oneflow.Recover.class, Oneflow.PurgeDone.class, Oneflow.Scale.class, Oneflow.AddRole.class,
            Oneflow.RemoveRole.class, Oneflow.Action.class, Oneflow.ServiceCmd.class, Oneflow.Release.class,
            Oneflow.Chown.class, Oneflow.Chgrp.class, Oneflow.Chmod.class, Oneflow.Rename.class, Oneflow.Update.class,
            Oneflow.SchedDelete.class, Oneflow.DriftCmd.class})
public final class Oneflow {

    public static void main(String[] args) {
        System.exit(Cli.run(new Oneflow(), args, System.getenv(), System.out, System.err));
    }

    static JsonNode service(FlowClient client, int id) {
        FlowClient.Response r = client.get("/service/" + id).orFail();
        return Cli.parse(r.body());
    }

    static String actionBody(String perform, JsonNode params) {
        ObjectNode root = Cli.JSON.createObjectNode();
        root.putObject("action").put("perform", perform).set("params", params);
        return root.toString();
    }

    /** For commands that act on each id of a list: errors on stdout, the last one's code (cli.md §4). */
    static int eachId(List<Integer> ids, java.util.function.IntFunction<FlowClient.Response> call) {
        int code = 0;
        for (int id : ids) {
            FlowClient.Response r = call.apply(id);
            if (!r.ok()) {
                Cli.context().out().println(r.body());
                code = r.status();
            }
        }
        return code;
    }

    @Command(name = "list", mixinStandardHelpOptions = true, description = "Lists the services (DONE ones hidden).")
    static final class ListCmd extends Cli.Base {
        @Mixin
        Cli.ConnectionWithP connection;
        @Option(names = {"-j", "--json"}, description = "The DOCUMENTs as JSON")
        boolean json;
        @Option(names = {"-y", "--yaml"}, description = "The raw pool as YAML")
        boolean yaml;
        @Mixin
        ListOptions list;

        Cli.Connection connection() {
            return connection;
        }

        int run(FlowClient client) {
            FlowClient.Response r = client.get("/service").orFail();
            JsonNode root = Cli.parse(r.body());
            if (yaml) {
                out().print(Cli.yaml(root));
            } else if (json) {
                var docs = Cli.JSON.createArrayNode();
                Cli.pool(root).stream().filter(d -> d.path("TEMPLATE").path("BODY").path("state").asInt() != 5)
                        .forEach(docs::add);
                if (!docs.isEmpty()) {
                    out().println(Cli.pretty(docs));
                }
            } else {
                out().print(Format.serviceList(Cli.pool(root), list));
            }
            return 0;
        }
    }

    @Command(name = "top", mixinStandardHelpOptions = true, description = "Lists the services again and again until interrupted.")
    static final class Top extends Cli.Base {
        @Mixin
        Cli.ConnectionWithP connection;
        @Mixin
        TopOptions top;
        @Mixin
        ListOptions list;

        Cli.Connection connection() {
            return connection;
        }

        int run(FlowClient client) throws InterruptedException {
            return top.loop(out(), () -> Format.serviceList(Cli.pool(Cli.parse(client.get("/service").orFail().body())),
                    list));
        }
    }

    @Command(name = "show", mixinStandardHelpOptions = true, description = "Shows a service: information, roles, VMs, log.")
    static final class Show extends Cli.Base {
        @Mixin
        Cli.ConnectionWithP connection;
        @Parameters(index = "0", paramLabel = "<service>")
        String service;
        @Option(names = {"-j", "--json"})
        boolean json;
        @Option(names = {"-y", "--yaml"})
        boolean yaml;

        Cli.Connection connection() {
            return connection;
        }

        int run(FlowClient client) {
            JsonNode doc = service(client, Cli.resolve(client, service, "service", "SERVICE"));
            if (json) {
                out().println(Cli.pretty(doc));
            } else if (yaml) {
                out().print(Cli.yaml(doc));
            } else {
                out().print(Format.service(doc.path("DOCUMENT")));
            }
            return 0;
        }
    }

    @Command(name = "delete", mixinStandardHelpOptions = true, description = "Undeploys services (children first under straight).")
    static final class Delete extends Cli.Base {
        @Mixin
        Cli.ConnectionWithP connection;
        @Parameters(index = "0", paramLabel = "<range|list>")
        String services;
        @Option(names = "--wait", description = "Follow each service until it is DONE")
        boolean await;

        Cli.Connection connection() {
            return connection;
        }

        int run(FlowClient client) throws InterruptedException {
            List<Integer> ids = Cli.resolveList(client, services, "service", "SERVICE");
            int code = eachId(ids, id -> client.delete("/service/" + id));
            if (await && code == 0) {
                for (int id : ids) {
                    code = Math.max(code, Cli.waitFor(client, id, 3600));
                }
            }
            return code;
        }
    }

    @Command(name = "recover", mixinStandardHelpOptions = true, description = "Recovers failed services; --delete removes them.")
    static final class Recover extends Cli.Base {
        @Mixin
        Cli.ConnectionWithP connection;
        @Parameters(index = "0", paramLabel = "<range|list>")
        String services;
        @Option(names = "--delete", description = "Terminate whatever remains and remove the service")
        boolean delete;
        @Option(names = "--wait", description = "Follow each service until it settles")
        boolean await;

        Cli.Connection connection() {
            return connection;
        }

        int run(FlowClient client) throws InterruptedException {
            List<Integer> ids = Cli.resolveList(client, services, "service", "SERVICE");
            ObjectNode params = Cli.JSON.createObjectNode().put("delete", delete);
            int code = eachId(ids, id -> client.post("/service/" + id + "/action", actionBody("recover", params)));
            if (await && code == 0) {
                for (int id : ids) {
                    code = Math.max(code, Cli.waitFor(client, id, 3600));
                }
            }
            return code;
        }
    }

    @Command(name = "drift", mixinStandardHelpOptions = true,
            description = "Where the cloud and the services disagree, and what recover would do (admin).")
    static final class DriftCmd extends Cli.Base {
        @Mixin
        Cli.ConnectionWithP connection;
        @Option(names = {"-j", "--json"}, description = "The report as JSON")
        boolean json;

        Cli.Connection connection() {
            return connection;
        }

        int run(FlowClient client) {
            FlowClient.Response r = client.get("/drift").orFail();
            JsonNode drift = Cli.parse(r.body()).path("DRIFT");
            out().print(json ? Cli.pretty(drift) + "\n" : Format.drift(drift));
            return 0;
        }
    }

    @Command(name = "purge-done", mixinStandardHelpOptions = true, description = "Removes every service in DONE.")
    static final class PurgeDone extends Cli.Base {
        @Mixin
        Cli.ConnectionWithP connection;

        Cli.Connection connection() {
            return connection;
        }

        int run(FlowClient client) {
            client.post("/service_pool/purge_done", "").orFail();
            return 0;
        }
    }

    @Command(name = "scale", mixinStandardHelpOptions = true, description = "Sets the cardinality of a role.")
    static final class Scale extends Cli.Base {
        @Mixin
        Cli.ConnectionWithP connection;
        @Parameters(index = "0", paramLabel = "<service>")
        String service;
        @Parameters(index = "1", paramLabel = "<role>")
        String role;
        @Parameters(index = "2", paramLabel = "<cardinality>")
        String cardinality;
        @Option(names = {"-f", "--force"}, description = "Ignore min_vms and max_vms")
        boolean force;
        @Option(names = "--wait", description = "Follow the service until it settles")
        boolean await;

        Cli.Connection connection() {
            return connection;
        }

        int run(FlowClient client) throws InterruptedException {
            if (!cardinality.matches("[0-9]+")) {
                throw new CliException(255, "Cardinality must be an integer number");
            }
            int id = Cli.resolve(client, service, "service", "SERVICE");
            ObjectNode body = Cli.JSON.createObjectNode().put("cardinality", Integer.parseInt(cardinality))
                    .put("force", force).put("role_name", role);
            FlowClient.Response r = client.post("/service/" + id + "/scale", body.toString());
            if (!r.ok()) {
                throw new CliException(r.status(), r.body(), true);
            }
            return await ? Cli.waitFor(client, id, 3600) : 0;
        }
    }

    @Command(name = "add-role", mixinStandardHelpOptions = true, description = "Adds a role (from a JSON file) to a running service.")
    static final class AddRole extends Cli.Base {
        @Mixin
        Cli.ConnectionWithP connection;
        @Parameters(index = "0", paramLabel = "<service>")
        String service;
        @Parameters(index = "1", paramLabel = "<file>")
        String file;

        Cli.Connection connection() {
            return connection;
        }

        int run(FlowClient client) {
            int id = Cli.resolve(client, service, "service", "SERVICE");
            ObjectNode params = Cli.JSON.createObjectNode().put("role", Cli.readFile(file)).put("add", true);
            client.post("/service/" + id + "/role_action", actionBody("add_role", params)).orFail();
            return 0;
        }
    }

    @Command(name = "remove-role", mixinStandardHelpOptions = true, description = "Removes a role from a running service.")
    static final class RemoveRole extends Cli.Base {
        @Mixin
        Cli.ConnectionWithP connection;
        @Parameters(index = "0", paramLabel = "<service>")
        String service;
        @Parameters(index = "1", paramLabel = "<role>")
        String role;

        Cli.Connection connection() {
            return connection;
        }

        int run(FlowClient client) {
            int id = Cli.resolve(client, service, "service", "SERVICE");
            ObjectNode params = Cli.JSON.createObjectNode().put("role", role).put("add", false);
            client.post("/service/" + id + "/role_action", actionBody("remove_role", params)).orFail();
            return 0;
        }
    }

    /** Shared by {@code action} and {@code service action}: the 19 names and the batch options. */
    abstract static class VmActionBase extends Cli.Base {
        @Mixin
        Cli.Connection connection;
        @Option(names = {"-n", "--number"}, description = "VMs per batch (default: the server's action_number)")
        Integer number;
        @Option(names = {"-p", "--period"}, description = "Seconds between batches (default: the server's action_period)")
        Integer period;
        @Option(names = "--args", description = "Arguments of the action, e.g. 0,snap-name")
        String args;

        Cli.Connection connection() {
            return connection;
        }

        String body(String action) {
            if (!RoleActions.isAction(action)) {
                throw new CliException(255, "Action '" + action + "' is not supported. Supported actions: "
                        + String.join(", ", new TreeSet<>(RoleActions.NAMES)));
            }
            ObjectNode params = Cli.JSON.createObjectNode();
            if (number != null) {
                params.put("number", number);
            }
            if (period != null) {
                params.put("period", period);
            }
            if (args != null) {
                params.put("args", args);
            }
            return actionBody(action, params);
        }

        int send(FlowClient client, String path, String body) {
            FlowClient.Response r = client.post(path, body);
            if (!r.ok()) {
                throw new CliException(r.status(), r.body(), true);
            }
            return 0;
        }
    }

    @Command(name = "action", mixinStandardHelpOptions = true,
            description = "Runs a VM action on every VM of a role, in batches: -n VMs every -p seconds.")
    static final class Action extends VmActionBase {
        @Parameters(index = "0", paramLabel = "<service>")
        String service;
        @Parameters(index = "1", paramLabel = "<role>")
        String role;
        @Parameters(index = "2", paramLabel = "<vm_action>")
        String action;

        int run(FlowClient client) {
            String body = body(action);
            int id = Cli.resolve(client, service, "service", "SERVICE");
            return send(client, "/service/" + id + "/role/" + java.net.URLEncoder.encode(role,
                    java.nio.charset.StandardCharsets.UTF_8).replace("+", "%20") + "/action", body);
        }
    }

    @Command(name = "service", mixinStandardHelpOptions = true, description = "Service-wide forms of role commands.",
            subcommands = {ServiceCmd.ServiceAction.class, ServiceCmd.ServiceSchedDelete.class})
    static final class ServiceCmd {

        @Command(name = "action", mixinStandardHelpOptions = true,
                description = "Runs a VM action on every VM of every role, in batches per role.")
        static final class ServiceAction extends VmActionBase {
            @Parameters(index = "0", paramLabel = "<service>")
            String service;
            @Parameters(index = "1", paramLabel = "<vm_action>")
            String action;

            int run(FlowClient client) {
                String body = body(action);
                int id = Cli.resolve(client, service, "service", "SERVICE");
                return send(client, "/service/" + id + "/action", body);
            }
        }

        @Command(name = "sched-delete", mixinStandardHelpOptions = true, description = "Cancels a role action.")
        static final class ServiceSchedDelete extends Cli.Base {
            @Mixin
            Cli.ConnectionWithP connection;
            @Parameters(index = "0", paramLabel = "<service>")
            String service;
            @Parameters(index = "1", paramLabel = "<sched_id>")
            String sched;

            Cli.Connection connection() {
                return connection;
            }

            int run(FlowClient client) {
                if (!sched.matches("[0-9]+")) {
                    throw new CliException(255, "Scheduled action ID must be an integer number");
                }
                int id = Cli.resolve(client, service, "service", "SERVICE");
                FlowClient.Response r = client.delete("/service/" + id + "/sched_action/" + sched);
                if (!r.ok()) {
                    throw new CliException(r.status(), r.body(), true);
                }
                return 0;
            }
        }
    }

    @Command(name = "sched-delete", mixinStandardHelpOptions = true, description = "Cancels a role action of a role.")
    static final class SchedDelete extends Cli.Base {
        @Mixin
        Cli.ConnectionWithP connection;
        @Parameters(index = "0", paramLabel = "<service>")
        String service;
        @Parameters(index = "1", paramLabel = "<role>")
        String role;
        @Parameters(index = "2", paramLabel = "<sched_id>")
        String sched;

        Cli.Connection connection() {
            return connection;
        }

        int run(FlowClient client) {
            if (!sched.matches("[0-9]+")) {
                throw new CliException(255, "Scheduled action ID must be an integer number");
            }
            int id = Cli.resolve(client, service, "service", "SERVICE");
            FlowClient.Response r = client.delete("/service/" + id + "/role/" + role + "/sched_action/" + sched);
            if (!r.ok()) {
                throw new CliException(r.status(), r.body(), true);
            }
            return 0;
        }
    }

    @Command(name = "release", mixinStandardHelpOptions = true, description = "Releases the roles on hold.")
    static final class Release extends Cli.Base {
        @Mixin
        Cli.ConnectionWithP connection;
        @Parameters(index = "0", paramLabel = "<service>")
        String service;

        Cli.Connection connection() {
            return connection;
        }

        int run(FlowClient client) {
            int id = Cli.resolve(client, service, "service", "SERVICE");
            FlowClient.Response r = client.post("/service/" + id + "/action",
                    actionBody("release", Cli.JSON.createObjectNode())).orFail();
            return 0;
        }
    }

    @Command(name = "chown", mixinStandardHelpOptions = true, description = "Changes the owner (and group) of services.")
    static final class Chown extends Documents.Chown {
        Documents.Target target() {
            return Documents.Target.SERVICE;
        }
    }

    @Command(name = "chgrp", mixinStandardHelpOptions = true, description = "Changes the group of services.")
    static final class Chgrp extends Documents.Chgrp {
        Documents.Target target() {
            return Documents.Target.SERVICE;
        }
    }

    @Command(name = "chmod", mixinStandardHelpOptions = true, description = "Changes the permissions of services.")
    static final class Chmod extends Documents.Chmod {
        Documents.Target target() {
            return Documents.Target.SERVICE;
        }
    }

    @Command(name = "rename", mixinStandardHelpOptions = true, description = "Renames a service (its document name).")
    static final class Rename extends Documents.Rename {
        Documents.Target target() {
            return Documents.Target.SERVICE;
        }
    }

    @Command(name = "update", mixinStandardHelpOptions = true,
            description = "Updates a service from a JSON file (the edited BODY, or with --append the fields to merge).")
    static final class Update extends Cli.Base {
        @Mixin
        Cli.ConnectionWithP connection;
        @Parameters(index = "0", paramLabel = "<service>")
        String service;
        @Parameters(index = "1", paramLabel = "<file>")
        String file;
        @Option(names = "--append", description = "Merge the file's fields into the service")
        boolean append;

        Cli.Connection connection() {
            return connection;
        }

        int run(FlowClient client) {
            int id = Cli.resolve(client, service, "service", "SERVICE");
            String content = Cli.readFile(file);
            String body = append ? Cli.JSON.createObjectNode().put("append", true).put("template", content).toString()
                    : content;
            client.put("/service/" + id, body).orFail();
            return 0;
        }
    }
}
