package dev.flotilla.cloud;

/** The cloud answered and said no (as opposed to not answering); the message is the cloud's. */
public final class CloudRefusedException extends RuntimeException {
    public CloudRefusedException(String message) {
        super(message, null, false, false);
    }

    /** With the driver's own account of the refusal (an OpenNebula error code, say). */
    public CloudRefusedException(String message, Throwable cause) {
        super(message, cause, false, false);
    }
}
