package dev.flotilla.domain;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import org.junit.jupiter.api.Test;

import java.util.List;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

class RoleRulesTest {
    private static final ObjectMapper JSON = new ObjectMapper();

    private static ObjectNode obj(String json) throws Exception {
        return (ObjectNode) JSON.readTree(json);
    }

    @Test
    void defaultsComeFromTheServiceThenTheServerAndNeverOverrideTheRole() throws Exception {
        ObjectNode bare = obj("{\"name\": \"web\"}");
        RoleRules.fillDefaults(bare, obj("{\"cooldown\": 30}"), 300);
        assertEquals(30, bare.get("cooldown").asInt());
        assertFalse(bare.get("on_hold").asBoolean());
        ObjectNode fromServer = obj("{\"name\": \"web\"}");
        RoleRules.fillDefaults(fromServer, obj("{}"), 300);
        assertEquals(300, fromServer.get("cooldown").asInt());
        ObjectNode own = obj("{\"name\": \"web\", \"cooldown\": 5, \"on_hold\": true}");
        RoleRules.fillDefaults(own, obj("{\"cooldown\": 30}"), 300);
        assertEquals(5, own.get("cooldown").asInt());
        assertTrue(own.get("on_hold").asBoolean());
    }

    @Test
    void theShutdownActionOfTheRoleWinsThenTheServiceThenTheServer() throws Exception {
        JsonNode none = obj("{}");
        assertTrue(RoleRules.terminateHard(obj("{\"shutdown_action\": \"terminate-hard\"}"),
                obj("{\"shutdown_action\": \"terminate\"}"), "terminate"));
        assertFalse(RoleRules.terminateHard(obj("{\"shutdown_action\": \"terminate\"}"),
                obj("{\"shutdown_action\": \"terminate-hard\"}"), "terminate-hard"));
        assertTrue(RoleRules.terminateHard(none, obj("{\"shutdown_action\": \"shutdown-hard\"}"), "terminate"),
                "the legacy name is a hard terminate");
        assertTrue(RoleRules.terminateHard(none, none, "terminate-hard"));
        assertFalse(RoleRules.terminateHard(none, none, "terminate"));
    }

    @Test
    void selfHealingIsTheRolesWhenItSaysElseTheServices() throws Exception {
        assertFalse(RoleRules.selfHealing(obj("{\"self_healing\": false}"), obj("{\"self_healing\": true}")));
        assertTrue(RoleRules.selfHealing(obj("{}"), obj("{\"self_healing\": true}")));
        assertFalse(RoleRules.selfHealing(obj("{}"), obj("{}")));
    }

    private static ServiceSnapshot service(ServiceState state) {
        RoleSnapshot db = new RoleSnapshot("db", RoleState.RUNNING, 1, 0, List.of(), 1, false, List.of(
                new VmSnapshot(1, "db", 0, "db_0", "k1", 41, 3, 3, false, null, false, false, null)));
        RoleSnapshot gone = new RoleSnapshot("old", RoleState.DONE, 0, 0, List.of(), 0, false, List.of());
        return new ServiceSnapshot(9, "svc", state, Deployment.NONE, false, false, null, 3, List.of(db, gone));
    }

    @Test
    void anAddedRoleNeedsARunningServiceANewNameAndKnownParents() throws Exception {
        ObjectNode body = obj("{\"cooldown\": 10}");
        ObjectNode role = obj("{\"name\": \"web\", \"type\": \"vm\", \"template_id\": 0, \"parents\": [\"db\"]}");
        RoleRules.checkNewRole(service(ServiceState.RUNNING), body, role, 1000, 300);
        assertEquals(10, role.get("cooldown").asInt(), "completed with its defaults");

        ConflictException moving = assertThrows(ConflictException.class, () -> RoleRules.checkNewRole(
                service(ServiceState.DEPLOYING), body, obj("{\"name\": \"w\", \"type\": \"vm\", \"template_id\": 0}"),
                1000, 300));
        assertEquals("DEPLOYING", moving.currentState());
        assertThrows(ConflictException.class, () -> RoleRules.checkNewRole(service(ServiceState.RUNNING), body,
                obj("{\"name\": \"db\", \"type\": \"vm\", \"template_id\": 0}"), 1000, 300));
        ValidationException parent = assertThrows(ValidationException.class, () -> RoleRules.checkNewRole(
                service(ServiceState.RUNNING), body,
                obj("{\"name\": \"w\", \"type\": \"vm\", \"template_id\": 0, \"parents\": [\"nope\"]}"), 1000, 300));
        assertEquals("parents", parent.field());
        ValidationException big = assertThrows(ValidationException.class, () -> RoleRules.checkNewRole(
                service(ServiceState.RUNNING), body,
                obj("{\"name\": \"w\", \"type\": \"vm\", \"template_id\": 0, \"cardinality\": 1001}"), 1000, 300));
        assertEquals("roles.w.cardinality", big.field());
    }

    @Test
    void aRoleActionTargetsLiveRolesAndOnlyTheirVms() {
        ServiceSnapshot s = service(ServiceState.RUNNING);
        assertEquals(List.of(new RoleRules.Target("db", List.of(41))), RoleRules.actionTargets(s, null, null),
                "every role but the DONE one");
        assertEquals(List.of(new RoleRules.Target("db", List.of(41))), RoleRules.actionTargets(s, "db", List.of(41)));
        assertThrows(UnknownRoleException.class, () -> RoleRules.actionTargets(s, "web", null));
        assertThrows(ConflictException.class, () -> RoleRules.actionTargets(s, "old", null));
        ValidationException foreign = assertThrows(ValidationException.class,
                () -> RoleRules.actionTargets(s, "db", List.of(41, 99)));
        assertEquals("action.params.vm_ids", foreign.field());
        assertTrue(foreign.getMessage().contains("[99]"), foreign.getMessage());
    }
}
