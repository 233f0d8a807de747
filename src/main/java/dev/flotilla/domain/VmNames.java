package dev.flotilla.domain;

/** OneFlow's {@code vm_name_template} placeholders, replaced in OneFlow's order (templates.md §6.3). */
public final class VmNames {
    public static final String DEFAULT_TEMPLATE = "$ROLE_NAME_$VM_NUMBER_(service_$SERVICE_ID)";

    private VmNames() {
    }

    public static String render(String template, int serviceId, String serviceName, String roleName, int vmNumber) {
        return template
                .replace("$SERVICE_ID", Integer.toString(serviceId))
                .replace("$SERVICE_NAME", serviceName)
                .replace("$ROLE_NAME", roleName)
                .replace("$VM_NUMBER", Integer.toString(vmNumber));
    }
}
