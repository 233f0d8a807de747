package dev.flotilla.domain;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

import java.util.stream.Stream;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

class TemplateValidatorTest {
    private static final ObjectMapper JSON = new ObjectMapper();

    static Stream<Arguments> invalidTemplates() {
        String role = "{\"name\":\"web\",\"type\":\"vm\",\"template_id\":0,\"cardinality\":1%s}";
        return Stream.of(
                bad("{\"roles\":[" + role.formatted("") + "]}", "name",
                        "Mandatory document key 'name (string)' is missing from {\"roles\":"),
                bad("{\"name\":\"x\"}", "roles", "Mandatory document key 'roles (array)' is missing"),
                bad("{\"name\":\"x\",\"roles\":[]}", "roles", "KEY: 'roles' must contain at least one role;"),
                bad("{\"name\":\"x\",\"roles\":{}}", "roles", "KEY: 'roles' must be an Array;"),
                bad("{\"name\":\"x\",\"roles\":[1]}", "roles", "KEY: 'roles' must be an Object;"),
                bad("{\"name\":7,\"roles\":[" + role.formatted("") + "]}", "name", "KEY: 'name' must be a String;"),
                bad("{\"name\":\"x\",\"deployment\":\"fast\",\"roles\":[" + role.formatted("") + "]}", "deployment",
                        "KEY: 'deployment' must be one of none, straight;"),
                bad("{\"name\":\"x\",\"ready_status_gate\":\"yes\",\"roles\":[" + role.formatted("") + "]}",
                        "ready_status_gate", "KEY: 'ready_status_gate' is not allowed in"),
                bad("{\"name\":\"x\",\"shutdown_action\":\"halt\",\"roles\":[" + role.formatted("") + "]}",
                        "shutdown_action", "KEY: 'shutdown_action' must be one of terminate, terminate-hard"),
                bad("{\"name\":\"x\",\"roles\":[{\"name\":\"web\",\"type\":\"vm\",\"cardinality\":1}]}",
                        "template_id", "Mandatory document key 'template_id (integer)' is missing"),
                bad("{\"name\":\"x\",\"roles\":[" + role.formatted(",\"cardinality\":\"two\"") + "]}",
                        "cardinality", "KEY: 'cardinality' must be an Integer;"),
                bad("{\"name\":\"x\",\"roles\":[{\"name\":\"web\",\"type\":\"vm\",\"template_id\":0,\"cardinality\":-1}]}",
                        "cardinality", "KEY: 'cardinality' must be greater than or equal to 0;"),
                bad("{\"name\":\"x\",\"roles\":[{\"name\":\"we b\",\"type\":\"vm\",\"template_id\":0}]}",
                        "name", "KEY: 'name' must match regexp /^\\w+$/;"),
                bad("{\"name\":\"x\",\"roles\":[{\"name\":\"a\\nb\",\"type\":\"vm\",\"template_id\":0}]}",
                        "name", "must match regexp"),
                bad("{\"name\":\"x\",\"roles\":[{\"name\":\"r\",\"type\":\"container\",\"template_id\":0}]}",
                        "type", "Unsupported role type \"container\""),
                bad("{\"name\":\"x\",\"roles\":[" + role.formatted("") + "," + role.formatted("") + "]}",
                        "roles.web.name", "Role name 'web' is repeated"),
                bad("{\"name\":\"x\",\"roles\":[" + role.formatted(",\"min_vms\":2") + "]}",
                        "roles.web.cardinality", "Role 'web' 'cardinality' must be greater than or equal to 'min_vms'"),
                bad("{\"name\":\"x\",\"roles\":[" + role.formatted(",\"max_vms\":0") + "]}",
                        "roles.web.cardinality", "Role 'web' 'cardinality' must be lower than or equal to 'max_vms'"),
                bad("{\"name\":\"x\",\"roles\":[" + role.formatted(",\"elasticity_policies\":[{\"type\":\"CHANGE\","
                        + "\"adjust\":1,\"expression\":\"CPU > 80\"}]") + "]}", "roles.web.min_vms",
                        "Role 'web' with  'elasticity_policies' or 'scheduled_policies'must define both 'min_vms' and 'max_vms'"),
                bad("{\"name\":\"x\",\"roles\":[" + role.formatted(",\"min_vms\":0,\"max_vms\":3,"
                        + "\"elasticity_policies\":[{\"type\":\"CHANGE\",\"adjust\":1,\"expression\":\" \"}]") + "]}",
                        "roles.web.elasticity_policies.0.expression",
                        "Role 'web', elasticity policy #0 'expression' cannot be empty"),
                bad("{\"name\":\"x\",\"roles\":[" + role.formatted(",\"min_vms\":0,\"max_vms\":3,"
                        + "\"elasticity_policies\":[{\"type\":\"CHANGE\",\"adjust\":1,\"expression\":\"CPU > 80 &&\"}]")
                        + "]}", "roles.web.elasticity_policies.0.expression",
                        "Role 'web', elasticity policy #0 'expression' parse error: "),
                bad("{\"name\":\"x\",\"roles\":[" + role.formatted(",\"min_vms\":0,\"max_vms\":3,"
                        + "\"elasticity_policies\":[{\"type\":\"MORE\",\"adjust\":1,\"expression\":\"CPU>1\"}]") + "]}",
                        "type", "KEY: 'type' must be one of CHANGE, CARDINALITY, PERCENTAGE_CHANGE;"),
                bad("{\"name\":\"x\",\"roles\":[" + role.formatted(",\"min_vms\":0,\"max_vms\":3,"
                        + "\"scheduled_policies\":[{\"type\":\"CHANGE\",\"adjust\":1}]") + "]}",
                        "roles.web.scheduled_policies.0",
                        "Role 'web', scheduled policy #0 needs to define either 'start_time' or 'recurrence'"),
                bad("{\"name\":\"x\",\"roles\":[" + role.formatted(",\"min_vms\":0,\"max_vms\":3,"
                        + "\"scheduled_policies\":[{\"type\":\"CHANGE\",\"adjust\":1,\"recurrence\":\"0 22 * *\"}]")
                        + "]}", "roles.web.scheduled_policies.0.recurrence",
                        "Role 'web', scheduled policy #0 'recurrence' is not a valid cron expression"),
                bad("{\"name\":\"x\",\"roles\":[" + role.formatted(",\"min_vms\":0,\"max_vms\":3,"
                        + "\"scheduled_policies\":[{\"type\":\"CHANGE\",\"adjust\":1,\"start_time\":\"someday\"}]")
                        + "]}", "roles.web.scheduled_policies.0.start_time", "'start_time' is not a valid Time"),
                bad("{\"name\":\"x\",\"roles\":[" + role.formatted(",\"parents\":[\"db\"]") + "]}",
                        "roles.web.parents", "Role 'web' has unknown parent 'db'"),
                bad("{\"name\":\"x\",\"roles\":[" + role.formatted(",\"parents\":[\"web\"]") + "]}",
                        "roles.web.parents", "Role 'web' has unknown parent 'web'"),
                bad("{\"name\":\"x\",\"roles\":["
                        + "{\"name\":\"a\",\"type\":\"vm\",\"template_id\":0,\"parents\":[\"b\"]},"
                        + "{\"name\":\"b\",\"type\":\"vm\",\"template_id\":0,\"parents\":[\"c\"]},"
                        + "{\"name\":\"c\",\"type\":\"vm\",\"template_id\":0,\"parents\":[\"a\"]}]}",
                        "roles.a.parents", "Roles have a dependency cycle: a -> b -> c -> a"),
                bad("{\"name\":\"x\",\"networks_values\":[{\"n\":{\"reserve_from\":\"1\",\"template_id\":\"2\",\"extra\":\"SIZE=1\"}}],\"roles\":["
                        + role.formatted("") + "]}", "networks_values", "Wrong networks_values format"));
    }

    private static Arguments bad(String json, String field, String messageStart) {
        return Arguments.of(json, field, messageStart);
    }

    @ParameterizedTest(name = "{1}: {2}")
    @MethodSource("invalidTemplates")
    void invalidTemplatesNameTheFieldAndTheReason(String json, String field, String message) throws Exception {
        ObjectNode body = (ObjectNode) JSON.readTree(json);
        ValidationException e = assertThrows(ValidationException.class, () -> TemplateValidator.validateTemplate(body, 1000));
        assertEquals(field, e.field());
        assertTrue(e.getMessage().startsWith(message) || e.getMessage().contains(message),
                "expected '" + message + "' in '" + e.getMessage() + "'");
    }

    @Test
    void defaultsAndIntegerStringsAreNormalized() throws Exception {
        ObjectNode body = (ObjectNode) JSON.readTree("""
                {"name": "x", "roles": [{"name": "r", "type": "vm", "template_id": "3", "min_vms": "1",
                 "cardinality": 2.0, "custom": {"kept": true}}], "logo": "a.png"}
                """);
        TemplateValidator.validateTemplate(body, 1000);
        assertEquals("none", body.get("deployment").asText());
        assertEquals("", body.get("description").asText());
        assertEquals(3, body.get("roles").get(0).get("template_id").asInt());
        assertTrue(body.get("roles").get(0).get("template_id").isInt());
        assertEquals(2, body.get("roles").get(0).get("cardinality").asInt());
        assertTrue(body.get("roles").get(0).get("custom").get("kept").asBoolean(), "unknown keys are preserved");
        assertEquals("a.png", body.get("logo").asText());
    }

    @Test
    void cardinalityDefaultsToZero() throws Exception {
        ObjectNode body = (ObjectNode) JSON.readTree("{\"name\":\"x\",\"roles\":[{\"name\":\"r\",\"type\":\"vm\","
                + "\"template_id\":0}]}");
        TemplateValidator.validateTemplate(body, 1000);
        assertEquals(0, body.get("roles").get(0).get("cardinality").asInt());
    }

    @Test
    void theSeedsSixXRoleIsConvertedToSevenX() throws Exception {
        ObjectNode body = (ObjectNode) JSON.readTree("""
                {"name": "x", "custom_attrs": {"A": "M|text|a||"}, "roles": [
                  {"name":"MASTER","cardinality":1,"vm_template":0,"min_vms":1,"max_vms":2,
                   "elasticity_policies":[],"scheduled_policies":[]},
                  {"name":"other","type":"vm","template_id":4,
                   "vm_template_contents":"MEMORY = \\"512\\"\\nNIC = [ NETWORK_ID = \\"$net\\", NAME = \\"NIC0\\" ]"}]}
                """);
        TemplateValidator.validateTemplate(body, 1000);
        ObjectNode master = (ObjectNode) body.get("roles").get(0);
        assertEquals(0, master.get("template_id").asInt());
        assertEquals("vm", master.get("type").asText());
        assertTrue(!master.has("vm_template"));
        assertTrue(body.has("user_inputs") && !body.has("custom_attrs"));
        ObjectNode contents = (ObjectNode) body.get("roles").get(1).get("template_contents");
        assertEquals("512", contents.get("MEMORY").asText());
        assertEquals("$net", contents.get("NIC").get(0).get("NETWORK_ID").asText());
    }

    @Test
    void roleSchemaAloneAcceptsTheSeedsRoleFile() throws Exception {
        ObjectNode role = (ObjectNode) JSON.readTree("{\"name\":\"MASTER\",\"cardinality\":1,\"vm_template\":0,"
                + "\"min_vms\":1,\"max_vms\":2,\"elasticity_policies\":[],\"scheduled_policies\":[]}");
        TemplateValidator.validateRoleSchema(role, 1000);
        assertEquals("vm", role.get("type").asText());
    }
}
