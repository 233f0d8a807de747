package dev.flotilla.cloud;

import com.fasterxml.jackson.databind.node.ObjectNode;

/**
 * What to instantiate: the VM template, the VM name, whether on hold, the role's
 * {@code template_contents} merged over the template, the service/role it belongs to, who owns it
 * (the service's owner and group: the VM is created as them), and whether this create is made
 * {@code again} (after a crash it may already exist under its request key).
 */
public record VmRequest(String requestKey, int templateId, String name, boolean hold, int serviceId, String roleName,
                        ObjectNode templateContents, String ownerName, int ownerGid, boolean again) {
}
