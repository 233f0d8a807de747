package dev.flotilla.config;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import com.fasterxml.jackson.dataformat.yaml.YAMLFactory;

import java.io.IOException;
import java.io.InputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Iterator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * The one immutable server configuration: OneFlow's {@code oneflow-server.conf} keys with OneFlow's
 * defaults (the bundled file), overlaid by the file named in {@code FLOTILLA_CONFIG}, overlaid by
 * environment variables. Validated at start; the admin password is never printed by {@link #toString()}.
 */
public record FlotillaConfig(
        String host,
        int port,
        String dbUrl,
        int dbPoolSize,
        String driver,
        String adminPassword,
        int defaultCooldown,
        int waitTimeout,
        String shutdownAction,
        int actionNumber,
        int actionPeriod,
        String vmNameTemplate,
        int pageSize,
        int autoscalerInterval,
        Duration transientTimeout,
        Duration doneRetention,
        long pollIntervalMs,
        Duration resyncInterval,
        int maxCardinality,
        HttpLimits http,
        OpenNebulaSettings opennebula,
        int authCacheSeconds,
        SimulatorSettings simulator,
        String logFormat,
        ClusterSettings cluster) {

    /**
     * Several nodes on one PostgreSQL ({@code :cluster:}): off by default (one node needs nothing).
     * {@code nodeId} names this node (its lease); {@code members} are the Hazelcast TCP/IP members
     * ({@code host:port}, no multicast); {@code host}/{@code port} are this node's cluster address
     * (Hazelcast's port; the event bus takes the next one); a node whose lease
     * is not renewed for {@code leaseTtl} is taken for dead and its services are taken over.
     */
    public record ClusterSettings(boolean enabled, String nodeId, List<String> members, String host, int port,
                                  Duration leaseTtl) {
    }

    /**
     * How to reach a real OpenNebula front-end ({@code :driver: opennebula}): oned's XML-RPC
     * endpoint, its ZeroMQ publisher (empty: no events, polling only), {@code :core_auth:} (cipher)
     * and the server identity {@code serveradmin:<password>} read from {@code authFile}.
     */
    public record OpenNebulaSettings(String xmlrpc, String subscriberEndpoint, String coreAuth, String authFile,
                                     String serverUser, String serverPassword) {
        @Override
        public String toString() {
            return "OpenNebulaSettings[xmlrpc=" + xmlrpc + ", subscriber=" + subscriberEndpoint + ", core_auth="
                    + coreAuth + ", auth file=" + authFile + ", server user=" + serverUser + "]";
        }
    }

    /**
     * What one client may hold or make the server do (hostile input, slow and idle clients):
     * {@code requestTimeout} s for a connection to deliver a whole request (headers and body) after
     * it opened or after its previous answer; {@code idleTimeout} s without a byte either way
     * closes any connection (WebSocket streams are pinged well within it); at most
     * {@code maxConnections} open connections; {@code maxHeaderSize} bytes of headers,
     * {@code maxUriLength} bytes of request line, {@code bodyLimit} bytes of body; at most
     * {@code maxSubscribersPerUser} event streams per user; a stream subscriber is dropped (1008)
     * once {@code streamBufferBytes} wait unsent or it has not answered a ping for
     * {@code streamSlowSeconds} s; from the {@code signInFreeFailures}th failed sign-in of one user
     * name (4 times as many from one address) sign-ins are locked out for a while (0 = never).
     */
    public record HttpLimits(int requestTimeout, int idleTimeout, int maxConnections, int maxHeaderSize,
                             int maxUriLength, int bodyLimit, int maxSubscribersPerUser, int streamBufferBytes,
                             int streamSlowSeconds, int signInFreeFailures) {
    }

    /** Simulated durations of VM transitions, overridable per VM template (SIM_* attributes). */
    public record SimulatorSettings(double deploySeconds, double terminateSeconds, double readySeconds,
                                    String outageMode, long outageSeconds) {
    }

    private static final Map<String, List<String>> ENV_KEYS = new LinkedHashMap<>();

    static {
        ENV_KEYS.put("FLOTILLA_HOST", List.of("host"));
        ENV_KEYS.put("FLOTILLA_PORT", List.of("port"));
        ENV_KEYS.put("FLOTILLA_DB_URL", List.of("db", "url"));
        ENV_KEYS.put("FLOTILLA_DRIVER", List.of("driver"));
        ENV_KEYS.put("FLOTILLA_ADMIN_PASSWORD", List.of("admin_password"));
        ENV_KEYS.put("FLOTILLA_TRANSIENT_TIMEOUT", List.of("transient_timeout"));
        ENV_KEYS.put("FLOTILLA_POLL_INTERVAL_MS", List.of("poll_interval_ms"));
        ENV_KEYS.put("FLOTILLA_RESYNC_INTERVAL", List.of("resync_interval"));
        ENV_KEYS.put("FLOTILLA_AUTOSCALER_INTERVAL", List.of("autoscaler_interval"));
        ENV_KEYS.put("FLOTILLA_MAX_CARDINALITY", List.of("max_cardinality"));
        ENV_KEYS.put("FLOTILLA_ONE_XMLRPC", List.of("one_xmlrpc"));
        ENV_KEYS.put("FLOTILLA_SUBSCRIBER_ENDPOINT", List.of("subscriber_endpoint"));
        ENV_KEYS.put("FLOTILLA_WAIT_TIMEOUT", List.of("wait_timeout"));
        ENV_KEYS.put("FLOTILLA_AUTH_CACHE_SECONDS", List.of("auth_cache_seconds"));
        ENV_KEYS.put("FLOTILLA_LOG_FORMAT", List.of("log_format"));
        // OneFlow's variable first, Flotilla's wins when both are set.
        ENV_KEYS.put("ONE_CIPHER_AUTH", List.of("one_auth_file"));
        ENV_KEYS.put("FLOTILLA_ONE_AUTH_FILE", List.of("one_auth_file"));
        ENV_KEYS.put("FLOTILLA_REQUEST_TIMEOUT", List.of("http", "request_timeout"));
        ENV_KEYS.put("FLOTILLA_IDLE_TIMEOUT", List.of("http", "idle_timeout"));
        ENV_KEYS.put("FLOTILLA_MAX_CONNECTIONS", List.of("http", "max_connections"));
        ENV_KEYS.put("FLOTILLA_MAX_SUBSCRIBERS_PER_USER", List.of("http", "max_subscribers_per_user"));
        ENV_KEYS.put("FLOTILLA_STREAM_BUFFER_BYTES", List.of("http", "stream_buffer_bytes"));
        ENV_KEYS.put("FLOTILLA_STREAM_SLOW_SECONDS", List.of("http", "stream_slow_seconds"));
        ENV_KEYS.put("FLOTILLA_SIGNIN_FREE_FAILURES", List.of("http", "signin_free_failures"));
        ENV_KEYS.put("FLOTILLA_SIM_DEPLOY_SECONDS", List.of("simulator", "deploy_seconds"));
        ENV_KEYS.put("FLOTILLA_SIM_TERMINATE_SECONDS", List.of("simulator", "terminate_seconds"));
        ENV_KEYS.put("FLOTILLA_SIM_READY_SECONDS", List.of("simulator", "ready_seconds"));
        ENV_KEYS.put("FLOTILLA_SIM_OUTAGE_MODE", List.of("simulator", "outage_mode"));
        ENV_KEYS.put("FLOTILLA_SIM_OUTAGE_SECONDS", List.of("simulator", "outage_seconds"));
        ENV_KEYS.put("FLOTILLA_CLUSTER", List.of("cluster", "enabled"));
        ENV_KEYS.put("FLOTILLA_NODE_ID", List.of("cluster", "node_id"));
        ENV_KEYS.put("FLOTILLA_CLUSTER_MEMBERS", List.of("cluster", "members"));
        ENV_KEYS.put("FLOTILLA_CLUSTER_PORT", List.of("cluster", "port"));
        ENV_KEYS.put("FLOTILLA_CLUSTER_HOST", List.of("cluster", "host"));
        ENV_KEYS.put("FLOTILLA_LEASE_TTL", List.of("cluster", "lease_ttl"));
    }

    private static final ObjectMapper YAML = new ObjectMapper(new YAMLFactory());

    public FlotillaConfig {
        require(port >= 0 && port <= 65535, "port must be between 0 and 65535");
        require(dbPoolSize > 0, "db.pool_size must be positive");
        require(driver.equals("simulator") || driver.equals("opennebula"), "driver must be simulator or opennebula");
        require(shutdownAction.equals("terminate") || shutdownAction.equals("terminate-hard"),
                "shutdown_action must be terminate or terminate-hard");
        require(actionNumber >= 0 && actionPeriod >= 0, "action_number and action_period must be >= 0");
        require(!transientTimeout.isNegative(), "transient_timeout must be >= 0");
        require(pollIntervalMs > 0, "poll_interval_ms must be positive");
        require(resyncInterval.toSeconds() > 0, "resync_interval must be positive");
        require(simulator.deploySeconds() >= 0 && simulator.terminateSeconds() >= 0 && simulator.readySeconds() >= 0,
                "simulator timings must be >= 0");
        require(maxCardinality > 0 && maxCardinality <= 1_000_000, "max_cardinality must be between 1 and 1000000");
        require(waitTimeout > 0, ":wait_timeout must be positive");
        require(authCacheSeconds >= 0, ":auth_cache_seconds must be >= 0");
        require(opennebula.coreAuth().equals("cipher"), ":core_auth must be cipher (x509 is not supported)");
        require(http.requestTimeout() > 0 && http.idleTimeout() > 0, "http.request_timeout and http.idle_timeout must be positive");
        require(http.maxConnections() > 0 && http.maxSubscribersPerUser() > 0,
                "http.max_connections and http.max_subscribers_per_user must be positive");
        require(http.signInFreeFailures() >= 0, ":http: :signin_free_failures must be >= 0 (0 = no lockout)");
        require(http.maxHeaderSize() >= 1024 && http.maxUriLength() >= 256 && http.bodyLimit() >= 1024,
                "http.max_header_size, http.max_uri_length and http.body_limit are too small");
        require(http.streamBufferBytes() >= 4096 && http.streamSlowSeconds() > 0,
                "http.stream_buffer_bytes must be >= 4096 and http.stream_slow_seconds positive");
        require(simulator.outageMode().equals("fail") || simulator.outageMode().equals("timeout"),
                "simulator.outage_mode must be fail or timeout");
        require(logFormat.equals("text") || logFormat.equals("json"),
                ":log_format (FLOTILLA_LOG_FORMAT) must be text or json, got '" + logFormat + "'");
        require(cluster.nodeId().matches("[A-Za-z0-9_.-]{1,64}"),
                ":cluster: :node_id (FLOTILLA_NODE_ID) must be 1-64 letters, digits, '.', '_' or '-'");
        require(cluster.port() > 0 && cluster.port() < 65535, ":cluster: :port must be between 1 and 65534");
        require(cluster.leaseTtl().toSeconds() >= 2, ":cluster: :lease_ttl must be at least 2 seconds");
        require(!cluster.enabled() || !cluster.members().isEmpty(),
                ":cluster: :members (FLOTILLA_CLUSTER_MEMBERS) must list the members (host:port) when enabled");
    }

    /** Bundled defaults, then {@code FLOTILLA_CONFIG}'s file, then the environment. */
    public static FlotillaConfig load(Map<String, String> env) {
        ObjectNode tree = readBundledDefaults();
        String file = env.get("FLOTILLA_CONFIG");
        if (file != null && !file.isBlank()) {
            Path path = Path.of(file);
            try (InputStream in = Files.newInputStream(path)) {
                overlay(tree, normalizeKeys(YAML.readTree(in)));
            } catch (IOException | RuntimeException e) {
                throw new ConfigException("Error parsing config file " + path + ": " + e.getMessage());
            }
        }
        for (Map.Entry<String, List<String>> e : ENV_KEYS.entrySet()) {
            String value = env.get(e.getKey());
            if (value != null) {
                ObjectNode parent = tree;
                List<String> path = e.getValue();
                for (String key : path.subList(0, path.size() - 1)) {
                    parent = parent.with(key);
                }
                parent.put(path.get(path.size() - 1), value);
            }
        }
        return fromTree(tree);
    }

    public static FlotillaConfig fromTree(JsonNode tree) {
        JsonNode sim = tree.path("simulator");
        JsonNode http = tree.path("http");
        return new FlotillaConfig(
                text(tree, "host"),
                integer(tree, "port"),
                text(tree.path("db"), "url"),
                integer(tree.path("db"), "pool_size"),
                text(tree, "driver"),
                tree.path("admin_password").asText(""),
                integer(tree, "default_cooldown"),
                integer(tree, "wait_timeout"),
                text(tree, "shutdown_action"),
                integer(tree, "action_number"),
                integer(tree, "action_period"),
                text(tree, "vm_name_template"),
                integer(tree, "page_size"),
                integer(tree, "autoscaler_interval"),
                Duration.ofSeconds(integer(tree, "transient_timeout")),
                Duration.ofSeconds(integer(tree, "done_retention")),
                integer(tree, "poll_interval_ms"),
                Duration.ofSeconds(integer(tree, "resync_interval")),
                integer(tree, "max_cardinality"),
                new HttpLimits(integer(http, "request_timeout"), integer(http, "idle_timeout"),
                        integer(http, "max_connections"), integer(http, "max_header_size"),
                        integer(http, "max_uri_length"), integer(http, "body_limit"),
                        integer(http, "max_subscribers_per_user"), integer(http, "stream_buffer_bytes"),
                        integer(http, "stream_slow_seconds"), integer(http, "signin_free_failures")),
                openNebula(tree),
                integer(tree, "auth_cache_seconds"),
                new SimulatorSettings(decimal(sim, "deploy_seconds"), decimal(sim, "terminate_seconds"),
                        decimal(sim, "ready_seconds"), text(sim, "outage_mode"), integer(sim, "outage_seconds")),
                text(tree, "log_format").trim(),
                cluster(tree.path("cluster")));
    }

    private static ClusterSettings cluster(JsonNode c) {
        String enabled = text(c, "enabled").trim().toLowerCase(java.util.Locale.ROOT);
        if (!List.of("true", "false", "yes", "no", "1", "0").contains(enabled)) {
            throw new ConfigException(":cluster: :enabled (FLOTILLA_CLUSTER) must be true or false, got '" + enabled + "'");
        }
        JsonNode m = c.get("members");
        List<String> members = new java.util.ArrayList<>();
        if (m != null && m.isArray()) {
            m.forEach(x -> members.add(x.asText().trim()));
        } else if (m != null && !m.isNull()) {
            for (String x : m.asText().split(",")) {
                if (!x.isBlank()) {
                    members.add(x.trim());
                }
            }
        }
        String nodeId = c.path("node_id").asText("").trim();
        return new ClusterSettings(enabled.equals("true") || enabled.equals("yes") || enabled.equals("1"),
                nodeId.isEmpty() ? "node-1" : nodeId, List.copyOf(members), text(c, "host").trim(), integer(c, "port"),
                Duration.ofSeconds(integer(c, "lease_ttl")));
    }

    public FlotillaConfig withPort(int newPort) {
        return new FlotillaConfig(host, newPort, dbUrl, dbPoolSize, driver, adminPassword, defaultCooldown,
                waitTimeout, shutdownAction, actionNumber, actionPeriod, vmNameTemplate, pageSize, autoscalerInterval,
                transientTimeout, doneRetention, pollIntervalMs, resyncInterval, maxCardinality, http, opennebula,
                authCacheSeconds, simulator, logFormat, cluster);
    }

    @Override
    public String toString() {
        return "FlotillaConfig[host=" + host + ", port=" + port + ", db=" + dbUrl.replaceAll(":[^:@/]*@", ":***@")
                + ", driver=" + driver + ", transient_timeout=" + transientTimeout.toSeconds() + "s, simulator="
                + simulator + "]";
    }

    /**
     * The OpenNebula settings; with {@code :driver: opennebula} the server identity is read now,
     * from the file OneFlow reads it from, and a missing or malformed file stops the start.
     */
    private static OpenNebulaSettings openNebula(JsonNode tree) {
        String file = text(tree, "one_auth_file");
        String user = null;
        String password = null;
        if (text(tree, "driver").equals("opennebula")) {
            String line;
            try {
                line = Files.readAllLines(Path.of(file)).stream().filter(l -> !l.isBlank()).findFirst().orElse("");
            } catch (IOException | RuntimeException e) {
                throw new ConfigException("cannot read the server identity (serveradmin:<password>) from " + file
                        + " (ONE_CIPHER_AUTH / FLOTILLA_ONE_AUTH_FILE / :one_auth_file): " + e.getMessage());
            }
            int colon = line.indexOf(':');
            if (colon <= 0 || colon == line.length() - 1) {
                throw new ConfigException(file + " (ONE_CIPHER_AUTH / FLOTILLA_ONE_AUTH_FILE) must hold"
                        + " <server user>:<password> on its first line");
            }
            user = line.substring(0, colon).trim();
            password = line.substring(colon + 1).trim();
        }
        JsonNode endpoint = tree.get("subscriber_endpoint");
        return new OpenNebulaSettings(text(tree, "one_xmlrpc"), endpoint == null || endpoint.isNull() ? ""
                : endpoint.asText().trim(), text(tree, "core_auth"), file, user, password);
    }

    private static ObjectNode readBundledDefaults() {
        try (InputStream in = FlotillaConfig.class.getResourceAsStream("/oneflow-server.conf")) {
            return (ObjectNode) normalizeKeys(YAML.readTree(in));
        } catch (IOException e) {
            throw new ConfigException("Bundled oneflow-server.conf is unreadable: " + e.getMessage());
        }
    }

    /** OneFlow writes keys as Ruby symbols ({@code :port}); the colon is not part of the name. */
    private static JsonNode normalizeKeys(JsonNode node) {
        if (node == null || !node.isObject()) {
            return node == null ? YAML.createObjectNode() : node;
        }
        ObjectNode out = YAML.createObjectNode();
        Iterator<Map.Entry<String, JsonNode>> fields = node.fields();
        while (fields.hasNext()) {
            Map.Entry<String, JsonNode> f = fields.next();
            String key = f.getKey().startsWith(":") ? f.getKey().substring(1) : f.getKey();
            out.set(key, normalizeKeys(f.getValue()));
        }
        return out;
    }

    private static void overlay(ObjectNode base, JsonNode top) {
        if (!top.isObject()) {
            throw new ConfigException("the file must hold a YAML mapping");
        }
        top.fields().forEachRemaining(f -> {
            if (f.getValue().isObject() && base.get(f.getKey()) instanceof ObjectNode child) {
                overlay(child, f.getValue());
            } else {
                base.set(f.getKey(), f.getValue());
            }
        });
    }

    private static String text(JsonNode node, String key) {
        JsonNode v = node.get(key);
        if (v == null || v.isNull()) {
            throw new ConfigException("missing configuration key :" + key);
        }
        return v.asText();
    }

    private static int integer(JsonNode node, String key) {
        String v = text(node, key).trim();
        try {
            return Integer.parseInt(v);
        } catch (NumberFormatException e) {
            throw new ConfigException(":" + key + " must be an integer, got '" + v + "'");
        }
    }

    private static double decimal(JsonNode node, String key) {
        String v = text(node, key).trim();
        try {
            return Double.parseDouble(v);
        } catch (NumberFormatException e) {
            throw new ConfigException(":" + key + " must be a number, got '" + v + "'");
        }
    }

    private static void require(boolean condition, String message) {
        if (!condition) {
            throw new ConfigException(message);
        }
    }

    /** A configuration problem; the server prints it and exits 1. */
    public static final class ConfigException extends RuntimeException {
        public ConfigException(String message) {
            super(message);
        }
    }
}
