package dev.flotilla.cloud.opennebula;

/**
 * What oned answered {@code [false, message, code]} with: its message kept word for word (the
 * user and the log see it) and its error code (opennebula-integration.md: 0x0100 authentication,
 * 0x0200 authorization, 0x0400 no such object, 0x0800 action not allowed, ...).
 */
final class OneError extends RuntimeException {
    static final int AUTHENTICATION = 0x0100;
    static final int AUTHORIZATION = 0x0200;
    static final int NO_EXISTS = 0x0400;
    static final int ACTION = 0x0800;

    private final int code;

    OneError(String message, int code) {
        super(message, null, false, false);
        this.code = code;
    }

    int code() {
        return code;
    }

    boolean isNoSuchObject() {
        return code == NO_EXISTS;
    }
}
