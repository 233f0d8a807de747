package dev.flotilla.support;

import dev.flotilla.store.Database;

import java.io.File;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.ServerSocket;
import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.ResultSet;
import java.sql.Statement;
import java.time.Duration;
import java.util.HashMap;
import java.util.Map;

import static org.awaitility.Awaitility.await;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * The packaged server as a process of its own, so a test can SIGKILL it (no shutdown hook, no
 * flush) and start it again on the same database and port. Its output goes to
 * {@code target/<name>-server.log}.
 */
public final class ServerProcess implements AutoCloseable {
    public static final String PASSWORD = "crash-secret";
    private static final Path JAR = Path.of("target", "flotilla.jar");

    private final TestDatabase db;
    private final String name;
    private final Map<String, String> env;
    private final int port;
    private final ApiClient api;
    private Process process;
    private int kills;

    public ServerProcess(TestDatabase db, String name, Map<String, String> env) {
        this.db = db;
        this.name = name;
        this.env = Map.copyOf(env);
        try (ServerSocket socket = new ServerSocket(0)) {
            this.port = socket.getLocalPort();
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        this.api = new ApiClient("http://127.0.0.1:" + port, "oneadmin", PASSWORD);
    }

    public ApiClient api() {
        return api;
    }

    public int kills() {
        return kills;
    }

    /** Starts the server (with {@code extraEnv} this time only) and waits until it answers. */
    public void start(Map<String, String> extraEnv) {
        assertTrue(Files.exists(JAR), "the packaged server jar is needed: " + JAR.toAbsolutePath());
        ProcessBuilder pb = new ProcessBuilder(Path.of(System.getProperty("java.home"), "bin", "java").toString(),
                "-jar", JAR.toString());
        Map<String, String> all = new HashMap<>();
        all.put("FLOTILLA_DB_URL", db.url());
        all.put("FLOTILLA_HOST", "127.0.0.1");
        all.put("FLOTILLA_PORT", Integer.toString(port));
        all.put("FLOTILLA_ADMIN_PASSWORD", PASSWORD);
        all.put("FLOTILLA_POLL_INTERVAL_MS", "100");
        all.put("FLOTILLA_RESYNC_INTERVAL", "1");
        all.putAll(env);
        all.putAll(extraEnv);
        pb.environment().putAll(all);
        pb.redirectErrorStream(true);
        pb.redirectOutput(ProcessBuilder.Redirect.appendTo(new File("target/" + name + "-server.log")));
        try {
            process = pb.start();
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        // Any HTTP answer means it listens (with the OpenNebula driver the users are oned's, not ours).
        await().atMost(Duration.ofSeconds(60)).pollInterval(Duration.ofMillis(100)).ignoreExceptions()
                .until(() -> api.send("GET", "/service_template", null, null).status() / 100 == 2
                        || api.send("GET", "/service_template", null, null).status() == 401);
    }

    public void start() {
        start(Map.of());
    }

    /** SIGKILL: no shutdown hook, no flush, nothing graceful. */
    public void kill() {
        process.destroyForcibly();
        awaitExit();
        kills++;
    }

    /** Waits for the process to end by itself (a fault point halted it). */
    public void awaitExit() {
        try {
            process.waitFor();
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }

    /** SIGSTOP / SIGCONT: a process that stops answering without dying (a long GC pause, a frozen VM). */
    public void pause(boolean paused) {
        try {
            new ProcessBuilder("kill", paused ? "-STOP" : "-CONT", Long.toString(process.pid())).start().waitFor();
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }

    /** What the process wrote so far (its log file). */
    public String log() {
        try {
            return Files.readString(Path.of("target", name + "-server.log"));
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    public boolean isAlive() {
        return process != null && process.isAlive();
    }

    /** A count read from the database directly: the truth, whatever state the server is in. */
    public long count(String sql) {
        Database database = new Database(db.url());
        try (Connection c = DriverManager.getConnection(database.jdbcUrl(), database.connectOptions().getUser(),
                database.connectOptions().getPassword());
             Statement s = c.createStatement(); ResultSet rs = s.executeQuery(sql)) {
            rs.next();
            return rs.getLong(1);
        } catch (java.sql.SQLException e) {
            throw new IllegalStateException(e);
        }
    }

    @Override
    public void close() {
        if (process != null) {
            process.destroyForcibly();
            awaitExit();
        }
    }
}
