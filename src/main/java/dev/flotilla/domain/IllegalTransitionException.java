package dev.flotilla.domain;

/** A state change the transition table does not allow; it names the current state. */
public final class IllegalTransitionException extends RuntimeException {
    private final String currentState;

    public IllegalTransitionException(String what, String from, String to) {
        super("Illegal " + what + " transition " + from + " -> " + to);
        this.currentState = from;
    }

    public String currentState() {
        return currentState;
    }
}
