package dev.flotilla.domain;

/** Invalid input (HTTP 400): names the offending field and keeps OneFlow's message text. */
public final class ValidationException extends RuntimeException {
    private final String field;

    public ValidationException(String field, String message) {
        super(message);
        this.field = field;
    }

    public String field() {
        return field;
    }
}
