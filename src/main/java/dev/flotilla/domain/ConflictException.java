package dev.flotilla.domain;

/** A request that is not valid in the service's current state (HTTP 409); the message keeps OneFlow's wording. */
public final class ConflictException extends RuntimeException {
    private final String currentState;

    public ConflictException(String message, String currentState) {
        super(message);
        this.currentState = currentState;
    }

    public String currentState() {
        return currentState;
    }
}
