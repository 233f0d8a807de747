package dev.flotilla.cloud.sim;

import com.fasterxml.jackson.databind.node.ObjectNode;

/** A simulated VM template: a name and attributes (SIM_DEPLOY_SECONDS etc. set its VMs' timings). */
public record SimTemplate(int id, String name, ObjectNode attributes) {
}
