package dev.flotilla.cloud;

import dev.flotilla.cloud.opennebula.OpenNebulaDriver;
import dev.flotilla.cloud.sim.Outage;
import dev.flotilla.cloud.sim.SimulatorApi;
import dev.flotilla.cloud.sim.SimulatorControl;
import dev.flotilla.cloud.sim.SimulatorDriver;
import io.vertx.ext.web.Router;
import dev.flotilla.config.FlotillaConfig;
import dev.flotilla.cloud.sim.SimulatorRepository;
import io.vertx.core.Vertx;
import io.vertx.sqlclient.Pool;

import java.time.Clock;

/** Builds the driver the config names; each verticle builds its own over its own pool. */
public final class CloudDrivers {
    private CloudDrivers() {
    }

    public static CloudDriver create(FlotillaConfig config, Pool pool, Vertx vertx, Clock clock) {
        if (config.driver().equals("opennebula")) {
            return OpenNebulaDriver.create(vertx, config.opennebula(), clock);
        }
        return new SimulatorDriver(new SimulatorRepository(pool), config.simulator(), new Outage(vertx), clock);
    }

    /**
     * The driver's own admin routes (the simulator's {@code /sim/*}), mounted by the API behind
     * its authentication and admin check; a real cloud has none.
     */
    public static void mountAdminRoutes(FlotillaConfig config, Router router, Pool pool, Vertx vertx, Clock clock) {
        if (config.driver().equals("simulator")) {
            SimulatorRepository sim = new SimulatorRepository(pool);
            new SimulatorApi(sim, new SimulatorControl(sim, new Outage(vertx), clock), clock).mount(router);
        }
    }
}
