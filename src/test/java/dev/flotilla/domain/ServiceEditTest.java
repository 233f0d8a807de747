package dev.flotilla.domain;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import org.junit.jupiter.api.Test;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

/** {@code PUT /service/:id}'s rules: when a service may be edited and what may not change. */
class ServiceEditTest {
    private static final ObjectMapper JSON = new ObjectMapper();
    private static final String CURRENT = """
            {"name": "s", "deployment": "none", "description": "", "state": 2, "start_time": 1,
             "roles": [{"name": "web", "type": "vm", "template_id": 0, "cardinality": 1, "state": 2,
                        "parents": [], "last_vmname": 1, "nodes": [], "min_vms": 1, "max_vms": 3}], "log": []}
            """;

    private static ObjectNode obj(String json) throws Exception {
        return (ObjectNode) JSON.readTree(json);
    }

    @Test
    void aServiceOnItsWayOrFailedCannotBeEdited() throws Exception {
        for (ServiceState state : new ServiceState[]{ServiceState.DEPLOYING, ServiceState.COOLDOWN,
                ServiceState.FAILED_DEPLOYING}) {
            ConflictException e = assertThrows(ConflictException.class, () -> ServiceEdit.apply(state,
                    obj("{\"name\": \"s\"}"), obj(CURRENT), obj("{\"append\": true, \"template\": {}}"), 1000));
            assertEquals("Service cannot be updated in state: " + state.name(), e.getMessage());
        }
    }

    @Test
    void appendMergesServiceFieldsAndRefusesImmutableOnes() throws Exception {
        ServiceEdit.Result r = ServiceEdit.apply(ServiceState.RUNNING, obj("{\"name\": \"s\", \"description\": \"a\"}"),
                obj(CURRENT), obj("{\"append\": true, \"template\": {\"description\": \"b\"}}"), 1000);
        assertEquals("b", r.serviceBody().get("description").asText());
        ValidationException e = assertThrows(ValidationException.class, () -> ServiceEdit.apply(ServiceState.RUNNING,
                obj("{\"name\": \"s\"}"), obj(CURRENT), obj("{\"append\": true, \"template\": {\"name\": \"t\"}}"),
                1000));
        assertEquals("service/name", e.field());
    }

    @Test
    void aReplacedBodyMayChangeBoundsButNotCardinality() throws Exception {
        ObjectNode edited = obj(CURRENT);
        ((ObjectNode) edited.get("roles").get(0)).put("max_vms", 5);
        ServiceEdit.Result r = ServiceEdit.apply(ServiceState.RUNNING, obj("{\"name\": \"s\"}"), obj(CURRENT), edited,
                1000);
        assertEquals(5, r.roleBodies().get("web").get("max_vms").asInt());
        ((ObjectNode) edited.get("roles").get(0)).put("cardinality", 2);
        ValidationException e = assertThrows(ValidationException.class, () -> ServiceEdit.apply(ServiceState.RUNNING,
                obj("{\"name\": \"s\"}"), obj(CURRENT), edited, 1000));
        assertEquals("role/cardinality", e.field());
    }
}
