package dev.flotilla.bus;

import com.fasterxml.jackson.databind.JsonNode;

/**
 * The engine's answer to an accepted command, made after its transaction committed and kept in
 * the journal with it: the HTTP status and the body (the document the command made or changed,
 * as the commit left it, or a dry run's plan; none for 204). {@code replayed} when it comes from
 * the journal for a retried Idempotency-Key.
 */
public record CommandReply(int status, JsonNode body, boolean replayed) {

    public static CommandReply noContent() {
        return new CommandReply(204, null, false);
    }

    public static CommandReply of(int status, JsonNode body) {
        return new CommandReply(status, body, false);
    }
}
