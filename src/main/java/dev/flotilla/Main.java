package dev.flotilla;

import dev.flotilla.config.FlotillaConfig;
import dev.flotilla.logging.LogFormat;

import java.nio.file.Path;

/** {@code oneflow-server}: load config, migrate, start the verticles, print where it listens. */
public final class Main {
    private Main() {
    }

    public static void main(String[] args) {
        // Before the first logger: slf4j-simple's, able to write JSON lines (:log_format:); SLF4J's
        // note that it was asked for would be the one line of the log in neither format.
        System.setProperty("slf4j.provider", LogFormat.PROVIDER);
        if (System.getProperty("slf4j.internal.verbosity") == null) {
            System.setProperty("slf4j.internal.verbosity", "WARN");
        }
        FlotillaConfig config;
        try {
            config = FlotillaConfig.load(System.getenv());
        } catch (FlotillaConfig.ConfigException e) {
            System.err.println(e.getMessage());
            System.exit(1);
            return;
        }
        LogFormat.use(config.logFormat());
        String home = System.getenv().getOrDefault("HOME", System.getProperty("user.home"));
        Path oneAuth = Path.of(home, ".one", "one_auth");
        FlotillaServer server;
        try {
            server = FlotillaServer.start(config, oneAuth);
        } catch (Throwable e) {
            System.err.println("Flotilla could not start: " + e.getMessage());
            System.exit(1);
            return;
        }
        server.generatedPassword().ifPresent(password -> System.out.println(
                "Generated password for oneadmin (shown once): " + password
                        + "\n  written to " + oneAuth + " unless that file already existed"));
        System.out.println("Flotilla listening on http://" + config.host() + ":" + config.port()
                + " (driver " + config.driver() + ", database " + config.dbUrl().replaceAll(":[^:@/]*@", ":***@") + ")");
        Runtime.getRuntime().addShutdownHook(new Thread(server::close, "flotilla-shutdown"));
    }
}
