package dev.flotilla.support;

import org.junit.jupiter.api.Test;
import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;

import java.util.List;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** The check every IT's responses go through: it passes what the document says and catches what it does not. */
class OpenApiValidatorTest {
    private static final OpenApiValidator VALIDATOR = OpenApiValidator.get();
    private static final String JSON = "application/json; charset=utf-8";

    private static String example() {
        return VALIDATOR.document().at("/components/examples/ServiceDocument/value").toString();
    }

    private static ObjectNode exampleTree() {
        try {
            return (ObjectNode) new ObjectMapper().readTree(example());
        } catch (JsonProcessingException e) {
            throw new IllegalStateException(e);
        }
    }

    @Test
    void theDocumentsOwnExampleIsAValidService() {
        assertEquals(List.of(), VALIDATOR.problems("GET", "/service/42", 200, JSON, example()));
        assertEquals(List.of(), VALIDATOR.problems("GET", "/service/42?x=1", 304, "", ""));
    }

    @Test
    void aStateOutsideTheEnumOrAMissingFieldIsCaught() {
        ObjectNode wrongState = exampleTree();
        ((ObjectNode) wrongState.at("/DOCUMENT/TEMPLATE/BODY")).put("state", 99);
        List<String> problems = VALIDATOR.problems("GET", "/service/42", 200, JSON, wrongState.toString());
        assertTrue(problems.stream().anyMatch(p -> p.contains("DOCUMENT.TEMPLATE.BODY.state")), "state 99: " + problems);

        ObjectNode numericId = exampleTree();
        ((ObjectNode) numericId.get("DOCUMENT")).put("ID", 42);
        assertTrue(!VALIDATOR.problems("GET", "/service/42", 200, JSON, numericId.toString()).isEmpty(),
                "XML-derived values are strings");

        ObjectNode noRoles = exampleTree();
        ((ObjectNode) noRoles.at("/DOCUMENT/TEMPLATE/BODY")).remove("roles");
        assertTrue(!VALIDATOR.problems("GET", "/service/42", 200, JSON, noRoles.toString()).isEmpty(), "roles");
    }

    @Test
    void unknownKeysInABodyAreAllowed() {
        ObjectNode more = exampleTree();
        ((ObjectNode) more.at("/DOCUMENT/TEMPLATE/BODY")).put("logo", "images/logos/shop.png");
        assertEquals(List.of(), VALIDATOR.problems("GET", "/service/42", 200, JSON, more.toString()));
    }

    @Test
    void undocumentedStatusesTypesAndPathsAreCaught() {
        assertTrue(VALIDATOR.problems("GET", "/service/42", 202, JSON, example()).get(0).contains("status 202"));
        assertTrue(VALIDATOR.problems("GET", "/service/42", 200, "text/html", "<p>").get(0).contains("Content-Type"));
        assertTrue(VALIDATOR.problems("GET", "/no/such/route", 200, "text/plain", "x").get(0).contains("not documented"));
        assertTrue(VALIDATOR.problems("DELETE", "/service/42", 204, "", "surprise").get(0).contains("no body"));
        assertTrue(!VALIDATOR.problems("GET", "/service/42", 200, JSON, "not json").isEmpty());
    }

    @Test
    void errorsFallBackToTheErrorShapeEverywhere() {
        String error = "{\"error\":{\"code\":\"not_found\",\"message\":\"[one.document.info] Error getting document [7].\","
                + "\"details\":{}}}";
        assertEquals(List.of(), VALIDATOR.problems("GET", "/service/7", 404, JSON, error));
        assertEquals(List.of(), VALIDATOR.problems("GET", "/no/such/route", 404, JSON, error));
        assertEquals(List.of(), VALIDATOR.problems("PATCH", "/service/7", 405, "text/plain; charset=utf-8", "Method Not Allowed"));
        assertTrue(!VALIDATOR.problems("GET", "/service/7", 404, JSON, "{\"message\": \"no\"}").isEmpty(),
                "an error body without its envelope");
        AssertionError failure = assertThrows(AssertionError.class, () -> VALIDATOR.check("GET", "/service/7", 404, JSON,
                "{\"error\": {}}"));
        assertTrue(failure.getMessage().contains("GET /service/7"), failure.getMessage());
    }

    @Test
    void theRequestLineOfARawRequestIsRead() {
        assertEquals(List.of("GET", "/service/1?x=2"), List.of(OpenApiValidator.requestLine(
                "GET /service/1?x=2 HTTP/1.1\r\nHost: x\r\n\r\n".getBytes())));
        assertEquals(null, OpenApiValidator.requestLine("\u0000garbage".getBytes()));
    }

}
