package dev.flotilla;

import dev.flotilla.api.ApiVerticle;
import dev.flotilla.api.DocumentCache;
import dev.flotilla.api.EventTail;
import dev.flotilla.view.Documents;
import dev.flotilla.api.ClientCounts;
import dev.flotilla.bus.LocalCodec;
import dev.flotilla.cluster.Membership;
import dev.flotilla.cloud.CloudDriver;
import dev.flotilla.cloud.CloudDrivers;
import dev.flotilla.cloud.opennebula.OpenNebulaDriver;
import dev.flotilla.autoscaler.AutoscalerVerticle;
import dev.flotilla.api.Passwords;
import dev.flotilla.cloud.sim.Outage;
import dev.flotilla.config.FlotillaConfig;
import dev.flotilla.engine.EngineVerticle;
import dev.flotilla.poller.PollerVerticle;
import dev.flotilla.store.Database;
import dev.flotilla.store.UserStore;
import dev.flotilla.api.ServerMetrics;
import io.vertx.core.VertxOptions;
import io.vertx.micrometer.MicrometerMetricsFactory;
import io.vertx.micrometer.MicrometerMetricsOptions;
import io.vertx.core.Context;
import io.vertx.core.DeploymentOptions;
import io.vertx.core.Future;
import io.vertx.core.Vertx;
import io.vertx.sqlclient.Pool;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.Optional;

/**
 * A running server: the database is created and migrated (blocking, before any verticle), the
 * admin password settled, then the engine, poller and API verticles deployed.
 */
public final class FlotillaServer implements AutoCloseable {
    private static final org.slf4j.Logger LOG = org.slf4j.LoggerFactory.getLogger(FlotillaServer.class);
    private final Vertx vertx;
    private final FlotillaConfig config;
    private final Optional<String> generatedPassword;
    private final ClientCounts clients;

    private FlotillaServer(Vertx vertx, FlotillaConfig config, Optional<String> generatedPassword,
                           ClientCounts clients) {
        this.vertx = vertx;
        this.config = config;
        this.generatedPassword = generatedPassword;
        this.clients = clients;
    }

    /** A start that did not happen, with a message for the operator (no stack trace needed). */
    public static final class StartFailure extends RuntimeException {
        StartFailure(String message, Throwable cause) {
            super(message, cause);
        }
    }

    /**
     * Blocks the calling (non-Vert.x) thread until the server listens; any failure (the database,
     * the port) is a {@link StartFailure} and leaves nothing running.
     */
    public static FlotillaServer start(FlotillaConfig config, Path oneAuthFile) {
        if (Context.isOnVertxThread()) {
            // Every await() below would block a Vert.x thread; Main and the tests call this from plain threads.
            throw new IllegalStateException("FlotillaServer.start blocks: call it from a non-Vert.x thread");
        }
        Database database = new Database(config.dbUrl());
        try {
            database.createAndMigrate();
        } catch (RuntimeException e) {
            throw new StartFailure("cannot prepare the database (:db: :url, FLOTILLA_DB_URL): " + e.getMessage(), e);
        }
        ClientCounts clients = new ClientCounts(config.http().signInFreeFailures());
        ServerMetrics metrics = new ServerMetrics(clients);
        VertxOptions options = new VertxOptions().setMetricsOptions(new MicrometerMetricsOptions().setEnabled(true)
                .setJvmMetricsEnabled(true));
        var builder = Vertx.builder().with(options).withMetrics(new MicrometerMetricsFactory(metrics.registry()));
        Vertx vertx;
        if (config.cluster().enabled()) {
            FlotillaConfig.ClusterSettings cluster = config.cluster();
            options.getEventBusOptions().setHost(cluster.host()).setPort(cluster.port() + 1);
            try {
                vertx = builder.withClusterManager(Cluster.manager(cluster)).buildClustered().await();
            } catch (Throwable e) {
                throw new StartFailure("cannot join the cluster (:cluster:, FLOTILLA_CLUSTER_*): " + e.getMessage(), e);
            }
        } else {
            vertx = builder.build();
        }
        LocalCodec.registerAll(vertx.eventBus());
        try {
            Optional<String> generated = Optional.empty();
            if (config.driver().equals("opennebula")) {
                checkOned(vertx, database, config);
            } else {
                generated = settleAdminPassword(vertx, database, config, oneAuthFile).await();
            }
            if (config.simulator().outageSeconds() > 0) {
                new Outage(vertx).start(Outage.Mode.valueOf(config.simulator().outageMode().toUpperCase()),
                        config.simulator().outageSeconds());
            }
            int apiInstances = Math.max(1, Runtime.getRuntime().availableProcessors());
            // This node's lease and the services it owns (a single node is a cluster of one).
            Membership membership = new Membership(config.cluster().nodeId(), config.cluster().enabled());
            // One copy of the documents for all API verticles, told of every committed change.
            DocumentCache documentCache = new DocumentCache(new Documents(config.defaultCooldown()),
                    config.cluster().enabled());
            documentCache.listen(vertx.eventBus());
            Future.succeededFuture()
                    .compose(v -> vertx.deployVerticle(new EngineVerticle(config, database, metrics.registry(),
                            membership)))
                    .compose(v -> vertx.deployVerticle(new PollerVerticle(config, database, membership)))
                    .compose(v -> vertx.deployVerticle(new AutoscalerVerticle(config, database, metrics.registry(),
                            membership)))
                    .compose(v -> config.cluster().enabled()
                            ? vertx.deployVerticle(new EventTail(config, database)) : Future.succeededFuture())
                    .compose(v -> vertx.deployVerticle(() -> new ApiVerticle(config, database, clients, metrics,
                                    documentCache),
                                    new DeploymentOptions().setInstances(apiInstances))
                            .recover(e -> Future.failedFuture(new StartFailure("cannot listen on " + config.host()
                                    + ":" + config.port() + " (:host/:port, FLOTILLA_HOST/FLOTILLA_PORT): "
                                    + e.getMessage(), e))))
                    .await();
            return new FlotillaServer(vertx, config, generated, clients);
        } catch (Throwable e) {
            // await() rethrows checked causes (a BindException) unchecked: catch them all, stop everything.
            vertx.close().await();
            if (e instanceof StartFailure s) {
                throw s;
            }
            throw new StartFailure(String.valueOf(e.getMessage()), e);
        }
    }

    /**
     * A wrong server identity stops the start (nothing would work); an oned that does not answer
     * yet does not: it is said once, clearly, and the server keeps trying (see {@code /health}).
     */
    private static void checkOned(Vertx vertx, Database database, FlotillaConfig config) {
        Pool pool = database.pool(vertx, 1);
        CloudDriver probe = CloudDrivers.create(config, pool, vertx, java.time.Clock.systemUTC());
        try {
            String problem = probe.health().await();
            if (problem != null && problem.startsWith(OpenNebulaDriver.IDENTITY_REFUSED)) {
                throw new StartFailure(problem + " (the server identity comes from " + config.opennebula().authFile()
                        + ": ONE_CIPHER_AUTH / FLOTILLA_ONE_AUTH_FILE)", null);
            }
            if (problem != null) {
                LOG.warn("{} at {} (:one_xmlrpc, FLOTILLA_ONE_XMLRPC); Flotilla starts and keeps trying", problem,
                        config.opennebula().xmlrpc());
            }
        } finally {
            probe.close();
            pool.close();
        }
    }

    /**
     * A configured password always wins. Without one, oneadmin keeps the password it has; on the
     * very first start one is generated, returned to be printed once, and written to
     * {@code ~/.one/one_auth} unless that file exists.
     */
    private static Future<Optional<String>> settleAdminPassword(Vertx vertx, Database database, FlotillaConfig config,
                                                                Path oneAuthFile) {
        Pool pool = database.pool(vertx, 1);
        UserStore users = new UserStore(pool);
        Future<Optional<String>> settled;
        if (!config.adminPassword().isEmpty()) {
            settled = vertx.executeBlocking(() -> Passwords.hash(config.adminPassword()))
                    .compose(hash -> users.setPasswordHash("oneadmin", hash))
                    .map(Optional.empty());
        } else {
            settled = users.find("oneadmin").compose(admin -> {
                if (admin.isPresent() && admin.get().passwordHash() != null) {
                    return Future.succeededFuture(Optional.<String>empty());
                }
                String password = Passwords.generate();
                return vertx.executeBlocking(() -> {
                            writeOneAuth(oneAuthFile, password);
                            return Passwords.hash(password);
                        })
                        .compose(hash -> users.setPasswordHash("oneadmin", hash))
                        .map(Optional.of(password));
            });
        }
        return settled.eventually(pool::close);
    }

    private static void writeOneAuth(Path file, String password) throws IOException {
        if (file == null || Files.exists(file)) {
            return;
        }
        Files.createDirectories(file.getParent());
        Files.writeString(file, "oneadmin:" + password + "\n");
        try {
            Files.setPosixFilePermissions(file, PosixFilePermissions.fromString("rw-------"));
        } catch (UnsupportedOperationException ignored) {
            // not a POSIX file system; the file is still written
        }
    }

    public FlotillaConfig config() {
        return config;
    }

    public Optional<String> generatedPassword() {
        return generatedPassword;
    }

    public ClientCounts clients() {
        return clients;
    }

    public Vertx vertx() {
        return vertx;
    }

    @Override
    public void close() {
        vertx.close().await();
    }
}
