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

    private static final String TYPED = """
            {"name": "typed", "user_inputs": {"DB_PASSWORD": "M|password|Database password||",
              "SIZE": "O|number|Size||5", "RATIO": "O|number-float|Ratio||", "CPUS": "M|range|CPUs|1..8|2",
              "MODE": "O|list|Mode|fast,safe|safe", "NOTE": "O|text|Note||"},
             "roles": [{"name": "r", "type": "vm", "template_id": 0, "cardinality": 1}]}
            """;

    /** The values the web console sends for TYPED when the user fills in nothing but the password. */
    private static String typedValues(String key, String value) {
        java.util.Map<String, String> values = new java.util.LinkedHashMap<>(java.util.Map.of("DB_PASSWORD", "pw",
                "SIZE", "5", "RATIO", "", "CPUS", "2", "MODE", "safe", "NOTE", ""));
        values.put(key, value);
        StringBuilder json = new StringBuilder("{\"user_inputs_values\": {");
        values.forEach((k, v) -> json.append('"').append(k).append("\": \"").append(v).append("\", "));
        return json.substring(0, json.length() - 2) + "}}";
    }

    @ParameterizedTest(name = "{0}={1}")
    @CsvSource(delimiter = '|', value = {
        "DB_PASSWORD||User input DB_PASSWORD is mandatory: give it a value",
        "DB_PASSWORD|   |User input DB_PASSWORD is mandatory: give it a value",
        "CPUS||User input CPUS is mandatory: give it a value",
        "SIZE|abc|User input SIZE must be an integer number, not 'abc'",
        "SIZE|1.5|User input SIZE must be an integer number, not '1.5'",
        "RATIO|x1|User input RATIO must be a number, not 'x1'",
        "CPUS|9|User input CPUS must be from 1 to 8, not 9",
        "CPUS|0|User input CPUS must be from 1 to 8, not 0",
        "MODE|slow|User input MODE must be one of [fast, safe], not 'slow'"})
    void userInputValuesTheConsoleWouldRefuseAre400NamingTheField(String key, String value, String message)
            throws Exception {
        ValidationException e = assertThrows(ValidationException.class,
                () -> Instantiation.serviceBody(obj(TYPED), obj(typedValues(key, value == null ? "" : value)), 1000));
        assertEquals(message, e.getMessage());
        assertEquals("user_inputs_values." + key, e.field());
    }

    @ParameterizedTest(name = "{0}={1}")
    @CsvSource(delimiter = '|', value = {"SIZE|-3", "SIZE|", "RATIO|0.25", "RATIO|-1e3", "CPUS|8", "MODE|fast",
        "NOTE|anything at all"})
    void valuesOfTheRightTypeAndEmptyOptionalOnesPass(String key, String value) throws Exception {
        ObjectNode body = Instantiation.serviceBody(obj(TYPED), obj(typedValues(key, value == null ? "" : value)), 1000);
        assertEquals(value == null ? "" : value, body.get("user_inputs_values").get(key).asText());
    }

    @Test
    void aNumberMayComeAsAJsonNumberAndRoleInputsAreCheckedTheSameWay() throws Exception {
        ObjectNode body = Instantiation.serviceBody(obj(TYPED), obj("""
                {"user_inputs_values": {"DB_PASSWORD": "pw", "SIZE": 7, "RATIO": 0.5, "CPUS": 3, "MODE": "fast",
                 "NOTE": ""}}"""), 1000);
        assertEquals(7, body.get("user_inputs_values").get("SIZE").asInt());
        ValidationException e = assertThrows(ValidationException.class, () -> Instantiation.serviceBody(obj("""
                {"name": "role-inputs", "roles": [{"name": "r", "type": "vm", "template_id": 0, "cardinality": 1,
                  "user_inputs": {"KEY": "M|text|Key||"}}]}"""),
                obj("{\"roles\": [{\"name\": \"r\", \"user_inputs_values\": {\"KEY\": \"\"}}]}"), 1000));
        assertEquals("user_inputs_values.KEY", e.field());
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
