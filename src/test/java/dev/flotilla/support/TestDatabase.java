package dev.flotilla.support;

import dev.flotilla.store.Database;
import org.testcontainers.DockerClientFactory;
import org.testcontainers.postgresql.PostgreSQLContainer;

import java.util.UUID;

/**
 * A fresh, empty database for one test class. PostgreSQL comes from Testcontainers when a Docker
 * engine is reachable, otherwise from {@code FLOTILLA_TEST_DB_URL} (default: the local server at
 * 127.0.0.1:5432 as user postgres).
 */
public final class TestDatabase implements AutoCloseable {
    private static final String LOCAL_DEFAULT = "postgresql://postgres@127.0.0.1:5432/postgres";
    private static String serverUrl;
    private static PostgreSQLContainer container;

    private final String url;

    private TestDatabase(String url) {
        this.url = url;
    }

    public static synchronized TestDatabase fresh() {
        String base = server();
        String name = "flotilla_it_" + UUID.randomUUID().toString().replace("-", "").substring(0, 12);
        String url = base.substring(0, base.lastIndexOf('/') + 1) + name;
        return new TestDatabase(url);
    }

    /** The connection URL (postgresql://user[:password]@host:port/db) of this class's database. */
    public String url() {
        return url;
    }

    @Override
    public void close() {
        new Database(url).drop();
    }

    private static String server() {
        if (serverUrl != null) {
            return serverUrl;
        }
        if (dockerReachable()) {
            container = new PostgreSQLContainer("postgres:16-alpine");
            container.start();
            serverUrl = "postgresql://" + container.getUsername() + ":" + container.getPassword() + "@"
                    + container.getHost() + ":" + container.getMappedPort(5432) + "/postgres";
        } else {
            String env = System.getenv("FLOTILLA_TEST_DB_URL");
            serverUrl = env == null || env.isBlank() ? LOCAL_DEFAULT : env;
        }
        return serverUrl;
    }

    private static boolean dockerReachable() {
        try {
            return DockerClientFactory.instance().isDockerAvailable();
        } catch (RuntimeException | LinkageError e) {
            return false;
        }
    }
}
