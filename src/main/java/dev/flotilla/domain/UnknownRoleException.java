package dev.flotilla.domain;

/** A request names a role the service does not have (HTTP 404); the message keeps OneFlow's wording. */
public final class UnknownRoleException extends RuntimeException {
    public UnknownRoleException(String message) {
        super(message);
    }
}
