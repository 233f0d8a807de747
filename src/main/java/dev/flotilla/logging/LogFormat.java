package dev.flotilla.logging;

/**
 * How log lines are written: {@code text} (slf4j-simple's own lines, the default) or {@code json}
 * (one object a line, {@link JsonLogLine}); {@code :log_format:} / {@code FLOTILLA_LOG_FORMAT}.
 * One setting for the whole process, set by {@code Main} once the configuration is read.
 */
public final class LogFormat {
    /** The provider {@code Main} names in {@code slf4j.provider} (it is not registered as a service). */
    public static final String PROVIDER = FlotillaLogProvider.class.getName();

    private static volatile boolean json;

    private LogFormat() {
    }

    /** {@code "text"} or {@code "json"} (the configuration has checked which). */
    public static void use(String format) {
        json = "json".equals(format);
    }

    static boolean json() {
        return json;
    }
}
