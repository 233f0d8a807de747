package dev.flotilla.domain;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

class InstantiationTest {
    private static final ObjectMapper JSON = new ObjectMapper();
    private static final String WITH_INPUTS = """
            {"name": "shop", "user_inputs": {"DB_PASSWORD": "M|password|Database password||"},
             "roles": [{"name": "db", "type": "vm", "template_id": 1, "cardinality": 1,
                        "template_contents": {"MEMORY": "512"}},
                       {"name": "web", "type": "vm", "template_id": 2, "cardinality": 2}]}
            """;

    private static ObjectNode obj(String json) throws Exception {
        return (ObjectNode) JSON.readTree(json);
    }

    @Test
    void mergeTemplateNamesTheServiceAndOverridesRolesByName() throws Exception {
        ObjectNode body = Instantiation.serviceBody(obj(WITH_INPUTS), obj("""
                {"name": "shop-1", "user_inputs_values": {"DB_PASSWORD": "s3cret"}, "description": "blue",
                 "roles": [{"name": "web", "cardinality": 3}, {"name": "ghost", "cardinality": 9}]}
                """), 1000);
        assertEquals("shop-1", body.get("name").asText());
        assertEquals("blue", body.get("description").asText());
        assertEquals(3, body.get("roles").get(1).get("cardinality").asInt());
        assertEquals(2, body.get("roles").size(), "entries naming unknown roles are ignored");
    }

    @Test
    void userInputsBecomeVmAttributesAndContext() throws Exception {
        ObjectNode body = Instantiation.serviceBody(obj(WITH_INPUTS),
                obj("{\"custom_attrs_values\": {\"DB_PASSWORD\": \"s3cret\"}}"), 1000);
        ObjectNode contents = (ObjectNode) body.get("roles").get(0).get("template_contents");
        assertEquals("s3cret", contents.get("DB_PASSWORD").asText());
        assertEquals("$DB_PASSWORD", contents.get("CONTEXT").get("DB_PASSWORD").asText());
        assertEquals("512", contents.get("MEMORY").asText());
    }

    @ParameterizedTest(name = "{0}")
    @CsvSource(delimiter = '|', value = {
        "{}|The Service template specifies User Inputs but no values have been found",
        "{\"user_inputs_values\": [1]}|Wrong User Inputs or User Inputs Values format",
        "{\"user_inputs_values\": {\"OTHER\": \"x\"}}|Verify that every User Input have its corresponding value defined"})
    void missingUserInputsAre400(String merge, String message) throws Exception {
        ValidationException e = assertThrows(ValidationException.class,
                () -> Instantiation.serviceBody(obj(WITH_INPUTS), obj(merge), 1000));
        assertEquals(message, e.getMessage());
    }

    @Test
    void networkDefaultsComeFromTheDeclaration() throws Exception {
        ObjectNode body = Instantiation.serviceBody(obj("""
                {"name": "n", "networks": {"public": "M|network|Public||id:0"},
                 "roles": [{"name": "r", "type": "vm", "template_id": 0}]}
                """), null, 1000);
        assertEquals("0", body.get("networks_values").get(0).get("public").get("id").asText());
    }

    @Test
    void anInvalidMergedResultIsRejected() throws Exception {
        ValidationException e = assertThrows(ValidationException.class, () -> Instantiation.serviceBody(
                obj(WITH_INPUTS), obj("{\"user_inputs_values\": {\"DB_PASSWORD\": \"x\"}, \"deployment\": \"fast\"}"), 1000));
        assertEquals("deployment", e.field());
    }
}
