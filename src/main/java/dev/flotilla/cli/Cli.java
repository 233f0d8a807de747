package dev.flotilla.cli;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.SerializationFeature;
import com.fasterxml.jackson.dataformat.yaml.YAMLFactory;
import picocli.CommandLine;

import java.io.IOException;
import java.io.PrintStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.Callable;

/** What every {@code oneflow} and {@code oneflow-template} command shares: streams, connection, lookups. */
final class Cli {
    static final ObjectMapper JSON = new ObjectMapper().enable(SerializationFeature.INDENT_OUTPUT);
    static final ObjectMapper YAML = new ObjectMapper(new YAMLFactory());
    private static final ThreadLocal<Context> CONTEXT = new ThreadLocal<>();

    /** The environment and streams of one run, so commands can run in-process (tests) or as the process. */
    record Context(Map<String, String> env, PrintStream out, PrintStream err) {
    }

    private Cli() {
    }

    static Context context() {
        return CONTEXT.get();
    }

    /** Runs a command line; returns the exit status (HTTP codes for server errors, 255 for local ones). */
    static int run(Object command, String[] args, Map<String, String> env, PrintStream out, PrintStream err) {
        CONTEXT.set(new Context(env, out, err));
        try {
            CommandLine cmd = new CommandLine(command);
            cmd.setOut(new java.io.PrintWriter(out, true));
            cmd.setErr(new java.io.PrintWriter(err, true));
            cmd.setParameterExceptionHandler((ex, a) -> {
                err.println(ex.getMessage());
                ex.getCommandLine().usage(err);
                return 255;
            });
            cmd.setExecutionExceptionHandler((ex, line, parsed) -> {
                if (ex instanceof CliException c) {
                    (c.toStdout ? out : err).println(c.getMessage());
                    return c.code;
                }
                err.println(ex.getMessage() == null ? ex.toString() : ex.getMessage());
                return 255;
            });
            return cmd.execute(args);
        } finally {
            CONTEXT.remove();
        }
    }

    /** Connection options every command takes; {@code -p} is the password except where it means period. */
    static class Connection {
        @CommandLine.Option(names = {"-s", "--server"}, description = "OneFlow endpoint URL")
        String server;
        @CommandLine.Option(names = {"-u", "--username"}, description = "User name")
        String user;
        @CommandLine.Option(names = {"--password"}, description = "Password")
        String password;

        FlowClient client() {
            return FlowClient.connect(server, user, password, context().env());
        }
    }

    /** The same, with {@code -p} for the password. */
    static class ConnectionWithP extends Connection {
        @CommandLine.Option(names = {"-p"}, description = "Password")
        void shortPassword(String value) {
            password = value;
        }
    }

    /** A base for commands: {@code call()} runs {@link #run()} with a client. */
    abstract static class Base implements Callable<Integer> {
        PrintStream out() {
            return context().out();
        }

        abstract Connection connection();

        abstract int run(FlowClient client) throws Exception;

        @Override
        public Integer call() throws Exception {
            return run(connection().client());
        }
    }

    static JsonNode parse(String body) {
        try {
            return JSON.readTree(body);
        } catch (IOException e) {
            throw new CliException(255, "The server answered something that is not JSON: " + body);
        }
    }

    static String pretty(JsonNode node) {
        try {
            return JSON.writeValueAsString(node);
        } catch (IOException e) {
            throw new IllegalStateException(e);
        }
    }

    static String yaml(JsonNode node) {
        try {
            return YAML.writeValueAsString(node);
        } catch (IOException e) {
            throw new IllegalStateException(e);
        }
    }

    /** An error answer: the body on stderr, the HTTP status as exit code (cli.md §4). */
    static CliException failure(FlowClient.Response r) {
        return new CliException(r.status(), r.body());
    }

    static List<JsonNode> pool(JsonNode root) {
        List<JsonNode> docs = new ArrayList<>();
        root.path("DOCUMENT_POOL").path("DOCUMENT").forEach(docs::add);
        return docs;
    }

    /** A service or template given by ID or by name (cli.md §1). */
    static int resolve(FlowClient client, String arg, String collection, String what) {
        if (arg.matches("[0-9]+")) {
            return Integer.parseInt(arg);
        }
        FlowClient.Response r = client.get("/" + collection);
        if (!r.ok()) {
            throw new CliException(255, "OpenNebula " + what + " name not found, use the ID instead");
        }
        List<Integer> ids = new ArrayList<>();
        for (JsonNode d : pool(parse(r.body()))) {
            if (d.path("NAME").asText().equals(arg)) {
                ids.add(d.path("ID").asInt());
            }
        }
        if (ids.isEmpty()) {
            throw new CliException(255, what + " named " + arg + " not found.");
        }
        if (ids.size() > 1) {
            throw new CliException(255, "There are multiple " + what + "s with name " + arg + ".");
        }
        return ids.get(0);
    }

    /** {@code 1,8..15}, names allowed, as OneFlow's range/list arguments. */
    static List<Integer> resolveList(FlowClient client, String arg, String collection, String what) {
        List<Integer> ids = new ArrayList<>();
        for (String part : arg.split(",")) {
            if (part.matches("[0-9]+\\.\\.[0-9]+")) {
                String[] ends = part.split("\\.\\.");
                for (int i = Integer.parseInt(ends[0]); i <= Integer.parseInt(ends[1]); i++) {
                    ids.add(i);
                }
            } else {
                ids.add(resolve(client, part, collection, what));
            }
        }
        return ids;
    }

    static String readFile(String file) {
        try {
            return Files.readString(Path.of(file));
        } catch (IOException e) {
            throw new CliException(255, "Cannot read " + file + ": " + e.getMessage());
        }
    }

    /**
     * Follows a service until it settles (a stable, failed or final state, or gone), printing the
     * state and role states whenever they change; asks the server at most once a second.
     */
    static int waitFor(FlowClient client, int id, long timeoutSeconds) throws InterruptedException {
        PrintStream out = context().out();
        long deadline = System.nanoTime() + timeoutSeconds * 1_000_000_000L;
        String last = null;
        while (true) {
            FlowClient.Response r = client.get("/service/" + id);
            if (r.status() == 404) {
                out.println("service " + id + ": gone");
                return 0;
            }
            JsonNode body = parse(r.orFail().body()).path("DOCUMENT").path("TEMPLATE").path("BODY");
            String progress = Format.progress(body);
            if (!progress.equals(last)) {
                out.println("service " + id + ": " + progress);
                last = progress;
            }
            String state = Format.serviceState(body);
            if (settled(state)) {
                return state.startsWith("FAILED") ? 1 : 0;
            }
            if (System.nanoTime() > deadline) {
                throw new CliException(255, "service " + id + " did not settle within " + timeoutSeconds + " s ("
                        + state + ")");
            }
            Thread.sleep(1000); // the client's own polling pace: at most one request a second
        }
    }

    /** A scale has finished once the service cools down; COOLDOWN ends by itself. */
    private static boolean settled(String state) {
        return switch (state) {
            case "RUNNING", "WARNING", "DONE", "HOLD", "COOLDOWN" -> true;
            default -> state.startsWith("FAILED");
        };
    }
}
