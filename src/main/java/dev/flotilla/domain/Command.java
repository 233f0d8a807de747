package dev.flotilla.domain;

import com.fasterxml.jackson.annotation.JsonSubTypes;
import com.fasterxml.jackson.annotation.JsonTypeName;
import com.fasterxml.jackson.annotation.JsonTypeInfo;
import com.fasterxml.jackson.databind.node.ObjectNode;

import java.util.List;

/**
 * Everything a client can ask Flotilla to change, as data. The API turns a request into one
 * command; the engine runs it (in its service's lane when it has one), and its effect, its
 * journal row and its events commit in one transaction before the answer is sent. The JSON form
 * (with {@code kind}) is what the journal keeps and what the event bus carries between nodes.
 */
@JsonTypeInfo(use = JsonTypeInfo.Id.NAME, property = "kind")
@JsonSubTypes({
        @JsonSubTypes.Type(Command.Instantiate.class),
        @JsonSubTypes.Type(Command.Undeploy.class),
        @JsonSubTypes.Type(Command.Recover.class),
        @JsonSubTypes.Type(Command.Release.class),
        @JsonSubTypes.Type(Command.Scale.class),
        @JsonSubTypes.Type(Command.AddRole.class),
        @JsonSubTypes.Type(Command.RemoveRole.class),
        @JsonSubTypes.Type(Command.RoleAction.class),
        @JsonSubTypes.Type(Command.CancelAction.class),
        @JsonSubTypes.Type(Command.UpdateService.class),
        @JsonSubTypes.Type(Command.ChangeService.class),
        @JsonSubTypes.Type(Command.PurgeDone.class),
        @JsonSubTypes.Type(Command.CreateTemplate.class),
        @JsonSubTypes.Type(Command.ReplaceTemplate.class),
        @JsonSubTypes.Type(Command.DeleteTemplate.class),
        @JsonSubTypes.Type(Command.CloneTemplate.class),
        @JsonSubTypes.Type(Command.ChangeTemplate.class),
})
public sealed interface Command {

    /** The command's name in the journal, the logs and its JSON form. */
    default String kind() {
        return getClass().getAnnotation(JsonTypeName.class).value();
    }

    /** A dry run answers what would happen and changes nothing. */
    default boolean dryRun() {
        return false;
    }

    /** A command on one existing service: it runs in that service's lane. */
    sealed interface OnService extends Command {
        int serviceId();
    }

    /** A command on one service template. */
    sealed interface OnTemplate extends Command {
        int templateId();
    }

    // ---- services ------------------------------------------------------------------------------

    /** A new service from a template, owned by the caller; {@code mergeTemplate} may be null. */
    @JsonTypeName("instantiate")
    record Instantiate(int templateId, ObjectNode mergeTemplate) implements Command {
    }

    /** {@code oneflow delete}. */
    @JsonTypeName("undeploy")
    record Undeploy(int serviceId) implements OnService {
    }

    /** {@code oneflow recover [--delete]}. */
    @JsonTypeName("recover")
    record Recover(int serviceId, boolean delete, boolean dryRun) implements OnService {
    }

    /** {@code oneflow release}: roles on hold go on. */
    @JsonTypeName("release")
    record Release(int serviceId, boolean dryRun) implements OnService {
    }

    @JsonTypeName("scale")
    record Scale(int serviceId, String role, int cardinality, boolean force, boolean dryRun) implements OnService {
    }

    /** {@code role} is the role's template, validated by the engine. */
    @JsonTypeName("add_role")
    record AddRole(int serviceId, ObjectNode role) implements OnService {
    }

    @JsonTypeName("remove_role")
    record RemoveRole(int serviceId, String role) implements OnService {
    }

    /**
     * One of the 19 VM actions on a role ({@code role} null = every role), in batches of
     * {@code number} VMs every {@code period} seconds; {@code vmIds} (may be null) narrows it.
     */
    @JsonTypeName("role_action")
    record RoleAction(int serviceId, String role, String action, String args, int number, int period,
                      List<Integer> vmIds, boolean dryRun) implements OnService {
        public RoleAction {
            vmIds = vmIds == null ? null : List.copyOf(vmIds);
        }
    }

    /** Cancels the batches of a role action not yet run ({@code role} may be null). */
    @JsonTypeName("cancel_action")
    record CancelAction(int serviceId, String role, long schedId) implements OnService {
    }

    /** {@code PUT /service/:id}: the edited body, or {@code {"append": true, "template": ...}}. */
    @JsonTypeName("update_service")
    record UpdateService(int serviceId, ObjectNode request) implements OnService {
    }

    /** chown, chgrp, chmod or rename of a service. */
    @JsonTypeName("change_service")
    record ChangeService(int serviceId, DocumentChange change) implements OnService {
    }

    /** Removes every DONE service and its history. */
    @JsonTypeName("purge_done")
    record PurgeDone() implements Command {
    }

    // ---- service templates -----------------------------------------------------------------------

    /** A new template owned by the caller; {@code body} is validated by the engine. */
    @JsonTypeName("create_template")
    record CreateTemplate(ObjectNode body) implements Command {
    }

    /** A new body ({@code append}: merged over the stored one); NAME and registration_time are kept. */
    @JsonTypeName("replace_template")
    record ReplaceTemplate(int templateId, ObjectNode body, boolean append) implements OnTemplate {
    }

    @JsonTypeName("delete_template")
    record DeleteTemplate(int templateId) implements OnTemplate {
    }

    /** A copy named {@code name}, owned by the caller. */
    @JsonTypeName("clone_template")
    record CloneTemplate(int templateId, String name) implements OnTemplate {
    }

    /** chown, chgrp, chmod or rename of a template. */
    @JsonTypeName("change_template")
    record ChangeTemplate(int templateId, DocumentChange change) implements OnTemplate {
    }
}
