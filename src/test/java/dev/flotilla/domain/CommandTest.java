package dev.flotilla.domain;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import org.junit.jupiter.api.Test;

import java.util.List;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** Commands travel and are journaled as JSON: every one comes back equal, named by its kind. */
class CommandTest {
    private static final ObjectMapper JSON = new ObjectMapper();

    @Test
    void everyCommandSurvivesItsJsonFormAndIsNamedByItsKind() throws Exception {
        ObjectNode role = JSON.createObjectNode().put("name", "extra").put("template_id", 0);
        List<Command> all = List.of(
                new Command.Instantiate(3, JSON.createObjectNode().put("name", "shop")),
                new Command.Instantiate(3, null),
                new Command.Undeploy(7),
                new Command.Recover(7, true, false),
                new Command.Release(7, true),
                new Command.Scale(7, "web", 4, false, false),
                new Command.AddRole(7, role),
                new Command.RemoveRole(7, "extra"),
                new Command.RoleAction(7, "web", "reboot", null, 1, 60, List.of(4, 5), false),
                new Command.RoleAction(7, null, "poweroff", "x", 0, 0, null, true),
                new Command.CancelAction(7, "web", 12L),
                new Command.UpdateService(7, JSON.createObjectNode().put("append", true)),
                new Command.ChangeService(7, new DocumentChange.Chown(1, -1)),
                new Command.PurgeDone(),
                new Command.CreateTemplate(JSON.createObjectNode().put("name", "t")),
                new Command.ReplaceTemplate(3, JSON.createObjectNode().put("name", "t"), true),
                new Command.DeleteTemplate(3),
                new Command.CloneTemplate(3, "copy"),
                new Command.ChangeTemplate(3, new DocumentChange.Chmod(0640)),
                new Command.ChangeTemplate(3, new DocumentChange.Rename("renamed")));
        for (Command command : all) {
            String json = JSON.writeValueAsString(command);
            assertTrue(json.contains("\"kind\":\"" + command.kind() + "\""), json);
            assertEquals(command, JSON.readValue(json, Command.class), json);
        }
        assertEquals("add_role", new Command.AddRole(1, role).kind());
        assertTrue(new Command.Scale(1, "web", 2, false, true).dryRun());
        assertFalse(new Command.Undeploy(1).dryRun());
    }

    @Test
    void documentChangesCheckWhatTheDatabaseWould() {
        assertThrows(ValidationException.class, () -> new DocumentChange.Chmod(01000));
        assertThrows(ValidationException.class, () -> new DocumentChange.Rename("n".repeat(129)));
        assertEquals(128, new DocumentChange.Rename("n".repeat(128)).name().length());
    }
}
