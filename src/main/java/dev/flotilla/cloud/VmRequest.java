package dev.flotilla.cloud;

import com.fasterxml.jackson.databind.node.ObjectNode;

/**
 * What to instantiate: the VM template, the VM name, whether on hold, the role's
 * {@code template_contents} merged over the template, and the service/role it belongs to.
 */
public record VmRequest(String requestKey, int templateId, String name, boolean hold, int serviceId, String roleName,
                        ObjectNode templateContents) {
}
