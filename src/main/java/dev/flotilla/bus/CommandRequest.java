package dev.flotilla.bus;

import dev.flotilla.domain.Command;

/**
 * A command on its way from the API to the engine ({@code engine.command}): who asks (id, name,
 * group), and, when the client sent an {@code Idempotency-Key}, the key and the hash of the
 * request it came with.
 */
public record CommandRequest(Command command, int uid, String user, int gid, String idempotencyKey,
                             String requestHash) {
}
