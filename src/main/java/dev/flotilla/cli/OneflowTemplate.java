package dev.flotilla.cli;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;

import java.io.IOException;
import java.nio.charset.StandardCharsets;

/** {@code oneflow-template}: service templates (cli.md §3). */
@Command(name = "oneflow-template", mixinStandardHelpOptions = true, version = "Flotilla oneflow-template 0.1",
        description = "Manage OneFlow service templates.",
        subcommands = {OneflowTemplate.ListCmd.class, OneflowTemplate.Top.class, OneflowTemplate.Show.class, OneflowTemplate.Create.class,
            OneflowTemplate.Update.class, OneflowTemplate.Delete.class, OneflowTemplate.Instantiate.class,
            OneflowTemplate.Clone.class, OneflowTemplate.Chown.class, OneflowTemplate.Chgrp.class,
            OneflowTemplate.Chmod.class, OneflowTemplate.Rename.class})
public final class OneflowTemplate {
    private static final String WHAT = "SERVICE TEMPLATE";

    public static void main(String[] args) {
        System.exit(Cli.run(new OneflowTemplate(), args, System.getenv(), System.out, System.err));
    }

    /** The file's content, or standard input when no file is given. */
    static String input(String file, String missing) {
        if (file != null) {
            return Cli.readFile(file);
        }
        try {
            String stdin = new String(System.in.readAllBytes(), StandardCharsets.UTF_8);
            if (stdin.isBlank()) {
                throw new CliException(255, missing);
            }
            return stdin;
        } catch (IOException e) {
            throw new CliException(255, missing);
        }
    }

    @Command(name = "list", mixinStandardHelpOptions = true, description = "Lists the service templates.")
    static final class ListCmd extends Cli.Base {
        @Mixin
        Cli.ConnectionWithP connection;
        @Option(names = {"-j", "--json"})
        boolean json;
        @Option(names = {"-y", "--yaml"})
        boolean yaml;
        @Mixin
        ListOptions list;

        Cli.Connection connection() {
            return connection;
        }

        int run(FlowClient client) {
            FlowClient.Response r = client.get("/service_template").orFail();
            JsonNode root = Cli.parse(r.body());
            if (json) {
                out().println(Cli.pretty(root));
            } else if (yaml) {
                out().print(Cli.yaml(root));
            } else {
                out().print(Format.templateList(Cli.pool(root), list));
            }
            return 0;
        }
    }

    @Command(name = "top", mixinStandardHelpOptions = true,
            description = "Lists the service templates again and again until interrupted.")
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
            return top.loop(out(), () -> Format.templateList(Cli.pool(Cli.parse(client.get("/service_template").orFail()
                    .body())), list));
        }
    }

    @Command(name = "show", mixinStandardHelpOptions = true, description = "Shows a service template.")
    static final class Show extends Cli.Base {
        @Mixin
        Cli.ConnectionWithP connection;
        @Parameters(index = "0", paramLabel = "<template>")
        String template;
        @Option(names = {"-j", "--json"})
        boolean json;
        @Option(names = {"-y", "--yaml"})
        boolean yaml;

        Cli.Connection connection() {
            return connection;
        }

        int run(FlowClient client) {
            int id = Cli.resolve(client, template, "service_template", WHAT);
            FlowClient.Response r = client.get("/service_template/" + id).orFail();
            JsonNode doc = Cli.parse(r.body());
            if (json) {
                out().println(Cli.pretty(doc));
            } else if (yaml) {
                out().print(Cli.yaml(doc));
            } else {
                out().print(Format.template(doc.path("DOCUMENT"), Cli.pretty(doc.path("DOCUMENT").path("TEMPLATE")
                        .path("BODY"))));
            }
            return 0;
        }
    }

    @Command(name = "create", mixinStandardHelpOptions = true, description = "Creates a service template from a JSON file (or stdin).")
    static final class Create extends Cli.Base {
        @Mixin
        Cli.ConnectionWithP connection;
        @Parameters(index = "0", paramLabel = "<file>", arity = "0..1")
        String file;
        @Option(names = {"-j", "--json"})
        boolean json;

        Cli.Connection connection() {
            return connection;
        }

        int run(FlowClient client) {
            FlowClient.Response r = client.post("/service_template", input(file, "A template must be provided")).orFail();
            JsonNode doc = Cli.parse(r.body());
            out().println(json ? Cli.pretty(doc) : "ID: " + doc.path("DOCUMENT").path("ID").asText());
            return 0;
        }
    }

    @Command(name = "update", mixinStandardHelpOptions = true, description = "Replaces a service template with a JSON file.")
    static final class Update extends Cli.Base {
        @Mixin
        Cli.ConnectionWithP connection;
        @Parameters(index = "0", paramLabel = "<template>")
        String template;
        @Parameters(index = "1", paramLabel = "<file>")
        String file;

        Cli.Connection connection() {
            return connection;
        }

        int run(FlowClient client) {
            int id = Cli.resolve(client, template, "service_template", WHAT);
            client.put("/service_template/" + id, Cli.readFile(file)).orFail();
            return 0;
        }
    }

    @Command(name = "delete", mixinStandardHelpOptions = true, description = "Deletes service templates.")
    static final class Delete extends Cli.Base {
        @Mixin
        Cli.ConnectionWithP connection;
        @Parameters(index = "0", paramLabel = "<range|list>")
        String templates;

        Cli.Connection connection() {
            return connection;
        }

        int run(FlowClient client) {
            return Oneflow.eachId(Cli.resolveList(client, templates, "service_template", WHAT),
                    id -> client.delete("/service_template/" + id));
        }
    }

    @Command(name = "instantiate", mixinStandardHelpOptions = true,
            description = "Creates services from a template; an optional JSON file is merged into it (name, user inputs, roles...).")
    static final class Instantiate extends Cli.Base {
        @Mixin
        Cli.ConnectionWithP connection;
        @Parameters(index = "0", paramLabel = "<template>")
        String template;
        @Parameters(index = "1", paramLabel = "<file>", arity = "0..1")
        String file;
        @Option(names = "--name", description = "Name of the new service(s)")
        String name;
        @Option(names = {"-m", "--multiple"}, defaultValue = "1", description = "How many services to create")
        int multiple;
        @Option(names = "--user-inputs", description = "User input values as JSON, e.g. {\"SIZE\":\"3\"}")
        String userInputs;
        @Option(names = {"-j", "--json"})
        boolean json;
        @Option(names = "--wait", description = "Follow each new service until it settles")
        boolean await;

        Cli.Connection connection() {
            return connection;
        }

        int run(FlowClient client) throws InterruptedException {
            int id = Cli.resolve(client, template, "service_template", WHAT);
            ObjectNode merge = file == null ? Cli.JSON.createObjectNode() : (ObjectNode) Cli.parse(Cli.readFile(file));
            if (name != null) {
                merge.put("name", name);
            }
            if (userInputs != null) {
                JsonNode values = Cli.parse(userInputs);
                if (!values.isObject()) {
                    throw new CliException(255, "--user-inputs must be a JSON object");
                }
                merge.set("user_inputs_values", values);
            }
            ObjectNode params = Cli.JSON.createObjectNode();
            params.set("merge_template", merge);
            int code = 0;
            for (int i = 0; i < Math.max(1, multiple); i++) {
                FlowClient.Response r = client.post("/service_template/" + id + "/action",
                        Oneflow.actionBody("instantiate", params)).orFail();
                JsonNode doc = Cli.parse(r.body());
                if (json) {
                    out().println(Cli.pretty(doc));
                    return 0;
                }
                int service = doc.path("DOCUMENT").path("ID").asInt();
                out().println("ID: " + service);
                if (await) {
                    code = Math.max(code, Cli.waitFor(client, service, 3600));
                }
            }
            return code;
        }
    }

    @Command(name = "clone", mixinStandardHelpOptions = true, description = "Copies a service template under a new name.")
    static final class Clone extends Cli.Base {
        @Mixin
        Cli.ConnectionWithP connection;
        @Parameters(index = "0", paramLabel = "<template>")
        String template;
        @Parameters(index = "1", paramLabel = "<name>")
        String name;
        @Option(names = {"-R", "--recursive"}, description = "Also clone the VM templates and their images")
        boolean recursive;
        @Option(names = "--recursive-templates", description = "Also clone the VM templates")
        boolean recursiveTemplates;
        @Option(names = {"-j", "--json"})
        boolean json;

        Cli.Connection connection() {
            return connection;
        }

        int run(FlowClient client) {
            int id = Cli.resolve(client, template, "service_template", WHAT);
            ObjectNode params = Cli.JSON.createObjectNode().put("name", name)
                    .put("recursive", recursive ? "all" : recursiveTemplates ? "templates" : "none");
            FlowClient.Response r = client.post("/service_template/" + id + "/action",
                    Oneflow.actionBody("clone", params)).orFail();
            JsonNode doc = Cli.parse(r.body());
            out().println(json ? Cli.pretty(doc) : "ID: " + doc.path("DOCUMENT").path("ID").asText());
            return 0;
        }
    }

    @Command(name = "chown", mixinStandardHelpOptions = true, description = "Changes the owner (and group) of templates.")
    static final class Chown extends Documents.Chown {
        Documents.Target target() {
            return Documents.Target.TEMPLATE;
        }
    }

    @Command(name = "chgrp", mixinStandardHelpOptions = true, description = "Changes the group of templates.")
    static final class Chgrp extends Documents.Chgrp {
        Documents.Target target() {
            return Documents.Target.TEMPLATE;
        }
    }

    @Command(name = "chmod", mixinStandardHelpOptions = true, description = "Changes the permissions of templates.")
    static final class Chmod extends Documents.Chmod {
        Documents.Target target() {
            return Documents.Target.TEMPLATE;
        }
    }

    @Command(name = "rename", mixinStandardHelpOptions = true, description = "Renames a template (its document name).")
    static final class Rename extends Documents.Rename {
        Documents.Target target() {
            return Documents.Target.TEMPLATE;
        }
    }
}
