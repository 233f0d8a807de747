package dev.flotilla.cloud;

/** The cloud answered and said no (as opposed to not answering); the message is the cloud's. */
public final class CloudRefusedException extends RuntimeException {
    public CloudRefusedException(String message) {
        super(message, null, false, false);
    }
}
