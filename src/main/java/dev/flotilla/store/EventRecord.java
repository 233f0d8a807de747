package dev.flotilla.store;

import com.fasterxml.jackson.databind.JsonNode;

import java.time.Instant;

/** One stored entry of a service's timeline. */
public record EventRecord(long seq, int serviceId, Instant at, String kind, char severity, String message,
                          JsonNode data) {
}
