package dev.flotilla.cli;

/** Ends a command: the message goes to stderr (or stdout when {@code toStdout}) and the process exits with {@code code}. */
final class CliException extends RuntimeException {
    final int code;
    final boolean toStdout;

    CliException(int code, String message) {
        this(code, message, false);
    }

    CliException(int code, String message, boolean toStdout) {
        super(message, null, false, false);
        this.code = code;
        this.toStdout = toStdout;
    }
}
