package dev.flotilla.bus;

import com.fasterxml.jackson.databind.JsonNode;

/**
 * The engine's answer to an accepted command, made after its transaction committed: the HTTP
 * status and either the body (a dry run's plan, or — for a request with an Idempotency-Key — the
 * document exactly as committed and journaled, so a retry gets the same bytes) or the document to
 * show, by kind ("service", "template") and id, which the API reads after the commit. None for 204.
 * {@code replayed} when the answer comes from the journal for a retried key.
 */
public record CommandReply(int status, JsonNode body, String shows, Integer id, boolean replayed) {

    public static CommandReply noContent() {
        return new CommandReply(204, null, null, null, false);
    }

    public static CommandReply of(int status, JsonNode body) {
        return new CommandReply(status, body, null, null, false);
    }

    public static CommandReply showing(int status, String kind, int id) {
        return new CommandReply(status, null, kind, id, false);
    }

    public CommandReply replayed(boolean replayed) {
        return new CommandReply(status, body, shows, id, replayed);
    }
}
