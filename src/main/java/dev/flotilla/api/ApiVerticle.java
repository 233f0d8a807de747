package dev.flotilla.api;

import dev.flotilla.cloud.sim.Outage;
import dev.flotilla.cloud.sim.SimulatorControl;
import dev.flotilla.config.FlotillaConfig;
import dev.flotilla.store.AutoscalerStore;
import dev.flotilla.store.Database;
import dev.flotilla.store.DocumentAdmin;
import dev.flotilla.store.IdempotencyStore;
import dev.flotilla.store.ServiceStore;
import dev.flotilla.store.SimulatorStore;
import dev.flotilla.store.TemplateStore;
import dev.flotilla.store.UserStore;
import io.vertx.core.Future;
import io.vertx.core.VerticleBase;
import io.vertx.core.http.HttpServer;
import io.vertx.core.http.HttpServerOptions;
import io.vertx.ext.web.Router;
import io.vertx.ext.web.handler.BodyHandler;
import io.vertx.ext.web.handler.StaticHandler;
import io.vertx.sqlclient.Pool;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.time.Clock;

/**
 * The OneFlow-compatible REST API. One instance per core; each owns its pool and server, and the
 * routes live in {@link TemplateRoutes}, {@link ServiceRoutes} and {@link SimulatorRoutes}.
 */
public final class ApiVerticle extends VerticleBase {
    private static final Logger LOG = LoggerFactory.getLogger(ApiVerticle.class);
    private static final long BODY_LIMIT = 1024 * 1024;

    private final FlotillaConfig config;
    private final Database database;
    private Pool pool;
    private HttpServer server;

    public ApiVerticle(FlotillaConfig config, Database database) {
        this.config = config;
        this.database = database;
    }

    @Override
    public Future<?> start() {
        pool = database.pool(vertx, config.dbPoolSize());
        Documents documents = new Documents(config.defaultCooldown());
        EngineClient engine = new EngineClient(vertx.eventBus());
        Authenticator auth = new Authenticator(vertx, new UserStore(pool));

        Router router = Router.router(vertx);
        router.route().handler(BodyHandler.create().setBodyLimit(BODY_LIMIT));
        // The web UI's files are public; it signs in with the same credentials as the API, per request.
        router.get("/").handler(ctx -> ctx.reroute("/ui/index.html"));
        router.route("/ui/*").handler(StaticHandler.create("webroot").setCachingEnabled(true));
        router.route().handler(auth::handle);
        router.route().handler(new Idempotency(new IdempotencyStore(pool))::handle);
        DocumentActions documentActions = new DocumentActions(new DocumentAdmin(pool));
        new TemplateRoutes(new TemplateStore(pool), new ServiceStore(pool), engine, documents, documentActions,
                Clock.systemUTC()).mount(router);
        new ServiceRoutes(new ServiceStore(pool), engine, documents, documentActions, new AutoscalerStore(pool),
                config.actionNumber(), config.actionPeriod()).mount(router);
        SimulatorStore sim = new SimulatorStore(pool);
        new SimulatorRoutes(sim, new SimulatorControl(sim, new Outage(vertx), Clock.systemUTC()), Clock.systemUTC())
                .mount(router);
        router.route().failureHandler(Http::failure);

        server = vertx.createHttpServer(new HttpServerOptions().setHost(config.host()).setPort(config.port()));
        // WebSocket handshakes (the /events stream) are authenticated and accepted outside the router.
        EventStream events = new EventStream(vertx, new ServiceStore(pool));
        server.webSocketHandshakeHandler(handshake -> events.handle(handshake, auth));
        return server.requestHandler(router).listen()
                .onSuccess(s -> LOG.debug("API listening on {}:{}", config.host(), s.actualPort()));
    }

    @Override
    public Future<?> stop() {
        return (server == null ? Future.succeededFuture() : server.close())
                .eventually(() -> pool == null ? Future.succeededFuture() : pool.close());
    }
}
