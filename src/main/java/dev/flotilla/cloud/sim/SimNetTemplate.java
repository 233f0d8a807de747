package dev.flotilla.cloud.sim;

import com.fasterxml.jackson.databind.node.ObjectNode;

/** A simulated network template: a name and attributes (SIM_NET_* set its networks' timings and faults). */
public record SimNetTemplate(int id, String name, ObjectNode attributes) {
}
