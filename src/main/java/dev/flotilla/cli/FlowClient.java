package dev.flotilla.cli;

import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.ConnectException;
import java.net.HttpURLConnection;
import java.net.SocketTimeoutException;
import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Base64;
import java.util.List;
import java.util.Map;

/**
 * The CLI's only way to the server: the REST API, found and authenticated as OneFlow's client does
 * (cli.md §1). Transport failures become {@link CliException}s with OneFlow's messages and codes.
 */
final class FlowClient {
    private final URI base;
    private final String authorization;

    record Response(int status, String body) {
        boolean ok() {
            return status >= 200 && status < 300;
        }

        /** This answer if it is a success; otherwise the error the CLI exits with (cli.md §4). */
        Response orFail() {
            if (!ok()) {
                throw Cli.failure(this);
            }
            return this;
        }
    }

    FlowClient(URI base, String user, String password) {
        this.base = base;
        this.authorization = "Basic " + Base64.getEncoder()
                .encodeToString((user + ":" + password).getBytes(StandardCharsets.UTF_8));
    }

    /**
     * Endpoint: option, {@code ONEFLOW_URL}, {@code ~/.one/oneflow_endpoint},
     * {@code /var/lib/one/.one/oneflow_endpoint}, {@code http://localhost:2474}. Credentials: options,
     * {@code ONEFLOW_USER}/{@code ONEFLOW_PASSWORD}, then (only if both unset) the first line of
     * {@code $ONE_AUTH}, {@code ~/.one/one_auth} or {@code /var/lib/one/.one/one_auth}.
     */
    static FlowClient connect(String server, String user, String password, Map<String, String> env) {
        String home = env.getOrDefault("HOME", System.getProperty("user.home"));
        String url = first(server, env.get("ONEFLOW_URL"), readFirstLine(Path.of(home, ".one", "oneflow_endpoint")),
                readFirstLine(Path.of("/var/lib/one/.one/oneflow_endpoint")), "http://localhost:2474");
        String u = first(user, env.get("ONEFLOW_USER"));
        String p = first(password, env.get("ONEFLOW_PASSWORD"));
        if (u == null && p == null) {
            String auth = first(env.get("ONE_AUTH") == null ? null : readFirstLine(Path.of(env.get("ONE_AUTH"))),
                    readFirstLine(Path.of(home, ".one", "one_auth")), readFirstLine(Path.of("/var/lib/one/.one/one_auth")));
            if (auth == null || !auth.contains(":")) {
                throw new CliException(255, "ONE_AUTH file not present");
            }
            u = auth.substring(0, auth.indexOf(':'));
            p = auth.substring(auth.indexOf(':') + 1);
        }
        if (u == null || p == null) {
            throw new CliException(255, "A username and a password are needed (ONEFLOW_USER and ONEFLOW_PASSWORD)");
        }
        return new FlowClient(URI.create(url.endsWith("/") ? url.substring(0, url.length() - 1) : url), u, p);
    }

    Response get(String path) {
        return send("GET", path, null);
    }

    Response post(String path, String body) {
        return send("POST", path, body);
    }

    Response put(String path, String body) {
        return send("PUT", path, body);
    }

    Response delete(String path) {
        return send("DELETE", path, null);
    }

    /**
     * Plain {@link HttpURLConnection}: it starts in a few milliseconds, where {@code java.net.http}
     * spends a third of a second setting up, which a command line pays on every run.
     */
    private Response send(String method, String path, String body) {
        HttpURLConnection connection = null;
        try {
            connection = (HttpURLConnection) base.resolve(base.getPath() + path).toURL().openConnection();
            connection.setConnectTimeout(10_000);
            connection.setReadTimeout(60_000);
            connection.setRequestMethod(method);
            connection.setRequestProperty("Authorization", authorization);
            connection.setRequestProperty("User-Agent", "Flotilla oneflow (CLI)");
            connection.setRequestProperty("Content-Type", "application/json");
            if (body != null) {
                connection.setDoOutput(true);
                try (OutputStream out = connection.getOutputStream()) {
                    out.write(body.getBytes(StandardCharsets.UTF_8));
                }
            }
            int status = connection.getResponseCode();
            InputStream in = status >= 400 ? connection.getErrorStream() : connection.getInputStream();
            String text = in == null ? "" : new String(in.readAllBytes(), StandardCharsets.UTF_8);
            return new Response(status, text);
        } catch (SocketTimeoutException e) {
            throw new CliException(504, "Error timeout while connected to server (" + e.getMessage() + ").\nServer: "
                    + base.getHost() + ":" + base.getPort());
        } catch (ConnectException e) {
            throw new CliException(503, "Error connecting to server (" + (e.getMessage() == null ? "connection refused"
                    : e.getMessage()) + ").\nServer: " + base.getHost() + ":" + base.getPort());
        } catch (IOException e) {
            throw new CliException(503, "Error connecting to server (" + e + ").\nServer: " + base.getHost() + ":"
                    + base.getPort());
        } finally {
            if (connection != null) {
                connection.disconnect();
            }
        }
    }

    private static String first(String... values) {
        for (String v : values) {
            if (v != null && !v.isBlank()) {
                return v.trim();
            }
        }
        return null;
    }

    private static String readFirstLine(Path file) {
        try {
            List<String> lines = Files.readAllLines(file);
            return lines.isEmpty() ? null : lines.get(0).trim();
        } catch (IOException | SecurityException e) {
            return null;
        }
    }
}
