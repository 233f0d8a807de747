package dev.flotilla.api;

import dev.flotilla.api.Authorizer.Decision;
import dev.flotilla.cloud.CloudDriver;
import dev.flotilla.cloud.CloudDrivers;
import dev.flotilla.config.FlotillaConfig;
import dev.flotilla.view.Documents;
import dev.flotilla.web.Http;
import dev.flotilla.store.AutoscalerStore;
import dev.flotilla.store.Database;
import dev.flotilla.store.DocumentAdmin;
import dev.flotilla.store.Health;
import dev.flotilla.store.EventLog;
import dev.flotilla.store.ServiceRepository;
import dev.flotilla.store.SessionStore;
import dev.flotilla.store.TemplateStore;
import dev.flotilla.store.UserStore;
import dev.flotilla.store.VmObservations;
import io.vertx.core.Future;
import io.vertx.core.VerticleBase;
import io.vertx.core.http.HttpServer;
import io.vertx.core.http.HttpServerOptions;
import io.vertx.ext.web.Router;
import io.vertx.ext.web.RoutingContext;
import io.vertx.ext.web.handler.BodyHandler;
import io.vertx.ext.web.handler.StaticHandler;
import io.vertx.sqlclient.Pool;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.time.Clock;
import java.util.List;

import static io.vertx.core.http.HttpMethod.GET;

/**
 * The OneFlow-compatible REST API. One instance per core; each owns its pool and server, and the
 * routes live in {@link TemplateRoutes}, {@link ServiceRoutes} and {@link SimulatorRoutes}.
 */
public final class ApiVerticle extends VerticleBase {
    private static final Logger LOG = LoggerFactory.getLogger(ApiVerticle.class);

    private final FlotillaConfig config;
    private final Database database;
    private final ClientCounts clients;
    private final ServerMetrics metrics;
    private final DocumentCache documentCache;
    private Pool pool;
    private CloudDriver cloud;
    private HttpServer server;
    private Router router;

    public ApiVerticle(FlotillaConfig config, Database database, ClientCounts clients, ServerMetrics metrics,
                       DocumentCache documentCache) {
        this.config = config;
        this.documentCache = documentCache;
        this.database = database;
        this.clients = clients;
        this.metrics = metrics;
    }

    @Override
    public Future<?> start() {
        FlotillaConfig.HttpLimits limits = config.http();
        pool = database.pool(vertx, config.dbPoolSize());
        Documents documents = new Documents(config.defaultCooldown());
        EngineClient engine = new EngineClient(vertx.eventBus(), documentCache);
        cloud = CloudDrivers.create(config, pool, vertx, Clock.systemUTC());
        SessionStore sessionStore = new SessionStore(pool);
        Authenticator auth = new Authenticator(vertx, new UserStore(pool), sessionStore, cloud,
                config.authCacheSeconds(), clients.signIns);
        Sessions sessions = new Sessions(sessionStore, auth);
        ConnectionGuard guard = new ConnectionGuard(vertx, clients.connections, limits);

        router = Router.router(vertx);
        // Before anything reads the body or asks who the client is: the path, the query, the type.
        router.route().handler(new InputGate()::handle);
        // Bounded, in memory, never a file: only JSON gets this far.
        router.route().handler(BodyHandler.create(false).setBodyLimit(limits.bodyLimit()));
        router.route().handler(ctx -> {
            guard.requestRead(ctx.request().connection());
            ctx.addEndHandler(ar -> guard.awaitRequest(ctx.request().connection()));
            ctx.next();
        });
        Authorizer authorizer = new Authorizer(new DocumentAdmin(pool), documentCache);
        // The web UI's files are public; it signs in with POST /session and then sends its cookie.
        authorizer.mount(router, GET, "/", Decision.publicRoute(), ctx -> ctx.reroute("/ui/index.html"));
        // Browsers ask for it on their own; without a route it would be a 401 in every console.
        authorizer.mount(router, GET, "/favicon.ico", Decision.publicRoute(), ctx -> ctx.reroute("/ui/favicon.svg"));
        HealthRoute health = new HealthRoute(new Health(pool), cloud, config.driver(), vertx.eventBus());
        authorizer.mount(router, GET, "/health", Decision.publicRoute(), health::handle);
        authorizer.mount(router, GET, "/health/ready", Decision.publicRoute(), health::handle);
        authorizer.mount(router, GET, "/health/live", Decision.publicRoute(), health::live);
        new OpenApiRoutes().mount(router, authorizer);
        // The console's chart library, served from its WebJar (no CDN); public like the UI's own files.
        authorizer.mount(router, GET, "/ui/lib/*", Decision.publicRoute(),
                StaticHandler.create("META-INF/resources/webjars/uplot/1.6.30/dist").setCachingEnabled(true));
        authorizer.mount(router, null, "/ui/*", Decision.publicRoute(),
                StaticHandler.create("webroot").setCachingEnabled(true));
        sessions.mountSignIn(router, authorizer);
        router.route().handler(auth::handle);
        sessions.mountSignedIn(router, authorizer);
        ServiceRepository services = new ServiceRepository(pool);
        TemplateStore templates = new TemplateStore(pool);
        Answers answers = new Answers(services, documentCache, templates, documents);
        new TemplateRoutes(templates, engine, documents, answers).mount(router, authorizer);
        new ServiceRoutes(services, documentCache, engine, documents, answers, new AutoscalerStore(pool),
                config.actionNumber(), config.actionPeriod(), config.maxCardinality()).mount(router, authorizer);
        authorizer.mount(router, GET, "/metrics", Decision.admin("Only oneadmin may read the metrics"),
                new MetricsRoute(metrics, new Health(pool))::handle);
        authorizer.mount(router, GET, "/drift", Decision.admin("Only oneadmin may see the drift report"),
                new DriftRoute(new VmObservations(pool), cloud)::handle);
        authorizer.mount(router, null, "/sim/*", Decision.admin("Only oneadmin may use the simulator API"),
                RoutingContext::next);
        if (config.driver().equals("simulator")) {
            new SimulatorUsers(new UserStore(pool), vertx).mount(router);
        }
        CloudDrivers.mountAdminRoutes(config, router, pool, vertx, Clock.systemUTC());
        List<String> undecided = authorizer.undecided(router);
        if (!undecided.isEmpty()) {
            return Future.failedFuture(new IllegalStateException("Routes without an access decision: " + undecided));
        }
        router.route().failureHandler(Http::failure);
        // What the router answers by itself (no route, no such method) has a body like any other error.
        for (int status : new int[]{400, 404, 405, 413, 415, 500}) {
            router.errorHandler(status, Http::failure);
        }

        server = vertx.createHttpServer(new HttpServerOptions()
                .setHost(config.host())
                .setPort(config.port())
                // Without h2c detection the HTTP/1 connection exists from its first byte, so the
                // request timeout also covers a client that never finishes its headers.
                .setHttp2ClearTextEnabled(false)
                .setIdleTimeout(limits.idleTimeout())
                .setMaxHeaderSize(limits.maxHeaderSize())
                .setMaxInitialLineLength(limits.maxUriLength())
                .setMaxWebSocketFrameSize(64 * 1024)
                .setMaxWebSocketMessageSize(64 * 1024)
                .setWebSocketClosingTimeout(limits.streamSlowSeconds() * 3));
        server.connectionHandler(guard::opened);
        server.invalidRequestHandler(Http::invalidRequest);
        // WebSocket handshakes (the /events stream) are authenticated and accepted outside the router.
        EventStream events = new EventStream(vertx, new EventLog(pool), new DocumentAdmin(pool), clients,
                limits, config.cluster().enabled());
        server.webSocketHandshakeHandler(handshake -> {
            guard.handshakeRead(handshake.remoteAddress());
            events.handle(handshake, auth);
        });
        return server.requestHandler(router).listen()
                .onSuccess(s -> LOG.debug("API listening on {}:{}", config.host(), s.actualPort()));
    }

    /** The routes as mounted (OpenApiIT compares them with the OpenAPI document). */
    Router router() {
        return router;
    }

    @Override
    public Future<?> stop() {
        if (cloud != null) {
            cloud.close();
        }
        return (server == null ? Future.succeededFuture() : server.close())
                .eventually(() -> pool == null ? Future.succeededFuture() : pool.close());
    }
}
