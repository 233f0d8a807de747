package dev.flotilla.cloud;

import dev.flotilla.domain.NetworkSource;

/**
 * A service network to make: from network template {@code sourceId} ({@link NetworkSource#TEMPLATE})
 * or reserved from network {@code sourceId} ({@link NetworkSource#RESERVE}), named {@code name}
 * ({@code <net>-<service id>}), with the user's {@code extra} template text (OpenNebula syntax, may be
 * empty), made as the service's owner and group, idempotent by {@code requestKey}; {@code again}
 * when it was asked for before (after a crash it may already exist under that key).
 */
public record NetworkRequest(String requestKey, NetworkSource source, int sourceId, String name, String extra,
                             int serviceId, String ownerName, int ownerGid, boolean again) {
}
