package dev.flotilla.store;

import io.vertx.core.Vertx;
import io.vertx.pgclient.PgBuilder;
import io.vertx.pgclient.PgConnectOptions;
import io.vertx.sqlclient.Pool;
import io.vertx.sqlclient.PoolOptions;
import org.flywaydb.core.Flyway;

import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.util.Properties;

/**
 * Where the database comes from: creates it when missing and migrates it with Flyway (both
 * blocking, called once from {@code Main} before any verticle), and builds reactive pools.
 */
public final class Database {
    private static final java.util.concurrent.atomic.AtomicInteger POOLS = new java.util.concurrent.atomic.AtomicInteger();
    private final PgConnectOptions options;

    public Database(String url) {
        this.options = PgConnectOptions.fromUri(url);
    }

    public PgConnectOptions connectOptions() {
        return options;
    }

    public String jdbcUrl() {
        return "jdbc:postgresql://" + options.getHost() + ":" + options.getPort() + "/" + options.getDatabase();
    }

    /** Blocking: creates the database if it does not exist, then applies the migrations. */
    public void createAndMigrate() {
        createIfMissing();
        Flyway.configure()
                .dataSource(jdbcUrl(), options.getUser(), options.getPassword())
                .locations("classpath:db/migration")
                .load()
                .migrate();
    }

    private void createIfMissing() {
        String adminUrl = "jdbc:postgresql://" + options.getHost() + ":" + options.getPort() + "/postgres";
        Properties props = new Properties();
        props.setProperty("user", options.getUser());
        if (options.getPassword() != null) {
            props.setProperty("password", options.getPassword());
        }
        try (Connection c = DriverManager.getConnection(adminUrl, props);
             PreparedStatement exists = c.prepareStatement("SELECT 1 FROM pg_database WHERE datname = ?")) {
            exists.setString(1, options.getDatabase());
            try (ResultSet rs = exists.executeQuery()) {
                if (rs.next()) {
                    return;
                }
            }
            try (Statement create = c.createStatement()) {
                create.execute("CREATE DATABASE \"" + options.getDatabase().replace("\"", "\"\"") + "\"");
            }
        } catch (SQLException e) {
            // Another process may have created it between the check and the create.
            if (!"42P04".equals(e.getSQLState())) {
                throw new IllegalStateException("Cannot create database " + options.getDatabase() + " at "
                        + options.getHost() + ":" + options.getPort() + ": " + e.getMessage(), e);
            }
        }
    }

    /** Blocking: drops the database (tests only use this for their throw-away databases). */
    public void drop() {
        String adminUrl = "jdbc:postgresql://" + options.getHost() + ":" + options.getPort() + "/postgres";
        try (Connection c = DriverManager.getConnection(adminUrl, options.getUser(), options.getPassword());
             Statement s = c.createStatement()) {
            s.execute("DROP DATABASE IF EXISTS \"" + options.getDatabase().replace("\"", "\"\"") + "\" WITH (FORCE)");
        } catch (SQLException e) {
            throw new IllegalStateException("Cannot drop database " + options.getDatabase() + ": " + e.getMessage(), e);
        }
    }

    /**
     * A pool bound to the calling verticle's context; the verticle closes it when it stops. Every
     * statement of ours is a constant string, so each connection prepares it once: parsing and
     * planning the document queries cost more than running them.
     */
    public Pool pool(Vertx vertx, int maxSize) {
        return PgBuilder.pool()
                // A name of its own, so each pool is its own series in /metrics.
                .with(new PoolOptions().setMaxSize(maxSize).setName("flotilla-pool-" + POOLS.incrementAndGet()))
                .connectingTo(new PgConnectOptions(options).setPipeliningLimit(256)
                        .setCachePreparedStatements(true).setPreparedStatementCacheMaxSize(512)
                        // The document queries are longer than the default 2048-character limit.
                        .setPreparedStatementCacheSqlLimit(65_536))
                .using(vertx)
                .build();
    }
}
