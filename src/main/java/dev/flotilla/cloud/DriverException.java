package dev.flotilla.cloud;

/** The cloud refused or failed a call; the message is the cloud's own. */
public final class DriverException extends RuntimeException {
    public DriverException(String message) {
        super(message);
    }
}
