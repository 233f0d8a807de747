package dev.flotilla.bus;

import dev.flotilla.domain.Command;
import dev.flotilla.domain.Permissions;

import java.util.List;
import java.util.Set;

/**
 * A command on its way from the API to the engine ({@code engine.command}): who asks (id, name,
 * primary group, every group), and, when the client sent an {@code Idempotency-Key}, the key and
 * the hash of the request it came with. The API has checked the caller's rights on the document;
 * the engine uses them only where a command reaches further (purge-done).
 */
public record CommandRequest(Command command, int uid, String user, int gid, List<Integer> groups,
                             String idempotencyKey, String requestHash) {
    public CommandRequest {
        groups = List.copyOf(groups);
    }

    public Permissions.Caller caller() {
        return new Permissions.Caller(uid, Set.copyOf(groups));
    }
}
