package dev.flotilla.logging;

import org.slf4j.ILoggerFactory;
import org.slf4j.simple.SimpleLogger;
import org.slf4j.simple.SimpleLoggerFactory;
import org.slf4j.simple.SimpleServiceProvider;

/**
 * slf4j-simple with one difference: with {@code :log_format: json} each line is written as JSON
 * ({@link JsonLogLine}). Levels and every other setting stay slf4j-simple's
 * ({@code simplelogger.properties}). Not registered as a service: {@code Main} names it in
 * {@code slf4j.provider}, so the server uses it and everything else (tests, the CLI) finds only
 * slf4j-simple's, without SLF4J having to choose between two.
 */
public final class FlotillaLogProvider extends SimpleServiceProvider {
    private ILoggerFactory factory;

    @Override
    public void initialize() {
        super.initialize();
        factory = new Factory();
    }

    @Override
    public ILoggerFactory getLoggerFactory() {
        return factory;
    }

    private static final class Factory extends SimpleLoggerFactory {
        @Override
        protected org.slf4j.Logger createLogger(String name) {
            return new Logger(name);
        }
    }

    /** slf4j-simple's logger; a JSON line instead of its text when the format says so. */
    private static final class Logger extends SimpleLogger {
        private static final long serialVersionUID = 1L;

        Logger(String name) {
            super(name);
        }

        @Override
        protected void handleNormalizedLoggingCall(org.slf4j.event.Level level, org.slf4j.Marker marker,
                                                   String messagePattern, Object[] arguments, Throwable throwable) {
            if (!LogFormat.json()) {
                super.handleNormalizedLoggingCall(level, marker, messagePattern, arguments, throwable);
                return;
            }
            String line = JsonLogLine.of(java.time.Instant.now(), level.name(), name,
                    org.slf4j.helpers.MessageFormatter.basicArrayFormat(messagePattern, arguments), throwable);
            java.io.PrintStream err = System.err;
            synchronized (JsonLogLine.class) {
                err.println(line);
                err.flush();
            }
        }
    }
}
