package dev.flotilla.support;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.flotilla.FlotillaServer;
import dev.flotilla.config.FlotillaConfig;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.ServerSocket;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.HashMap;
import java.util.Map;

/**
 * The real server, started in-process on a free port against a test class's own database, with
 * the simulator as its cloud. Settings are the bundled defaults plus the overrides given.
 */
public final class TestServer implements AutoCloseable {
    public static final String PASSWORD = "test-secret";

    private final FlotillaServer server;
    private final ApiClient client;

    private TestServer(FlotillaServer server) {
        this.server = server;
        this.client = new ApiClient("http://127.0.0.1:" + server.config().port(), "oneadmin", PASSWORD);
    }

    /** Fast simulator timings by default so lifecycle tests take seconds, not minutes. */
    public static TestServer start(TestDatabase db, Map<String, String> env) {
        Map<String, String> all = new HashMap<>();
        all.put("FLOTILLA_DB_URL", db.url());
        all.put("FLOTILLA_HOST", "127.0.0.1");
        all.put("FLOTILLA_PORT", Integer.toString(freePort()));
        all.put("FLOTILLA_ADMIN_PASSWORD", PASSWORD);
        all.put("FLOTILLA_SIM_DEPLOY_SECONDS", "0.3");
        all.put("FLOTILLA_SIM_TERMINATE_SECONDS", "0.3");
        all.put("FLOTILLA_POLL_INTERVAL_MS", "100");
        all.putAll(env);
        FlotillaConfig config = FlotillaConfig.load(all);
        try {
            Path oneAuth = Files.createTempDirectory("flotilla-home").resolve(".one/one_auth");
            return new TestServer(FlotillaServer.start(config, oneAuth));
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    public static TestServer start(TestDatabase db) {
        return start(db, Map.of());
    }

    public ApiClient api() {
        return client;
    }

    public FlotillaServer flotilla() {
        return server;
    }

    public int port() {
        return server.config().port();
    }

    /** Creates a service template and returns its id. */
    public int createTemplate(String json) {
        ApiClient.Response r = client.post("/service_template", json);
        if (r.status() != 201) {
            throw new AssertionError("template not created: " + r.status() + " " + r.body());
        }
        return r.json().path("DOCUMENT").path("ID").asInt();
    }

    public int instantiate(int templateId, String mergeTemplate) {
        String params = mergeTemplate == null ? "{}" : "{\"merge_template\":" + mergeTemplate + "}";
        ApiClient.Response r = client.post("/service_template/" + templateId + "/action",
                "{\"action\":{\"perform\":\"instantiate\",\"params\":" + params + "}}");
        if (r.status() != 201) {
            throw new AssertionError("not instantiated: " + r.status() + " " + r.body());
        }
        return r.json().path("DOCUMENT").path("ID").asInt();
    }

    /** The service's BODY, or null when the service does not exist. */
    public ObjectNode body(int serviceId) {
        ApiClient.Response r = client.get("/service/" + serviceId);
        if (r.status() == 404) {
            return null;
        }
        JsonNode body = r.json().path("DOCUMENT").path("TEMPLATE").path("BODY");
        return (ObjectNode) body;
    }

    public int state(int serviceId) {
        return body(serviceId).path("state").asInt();
    }

    public void stop() {
        server.close();
    }

    @Override
    public void close() {
        stop();
    }

    private static int freePort() {
        try (ServerSocket socket = new ServerSocket(0)) {
            return socket.getLocalPort();
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }
}
