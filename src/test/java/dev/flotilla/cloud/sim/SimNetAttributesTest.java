package dev.flotilla.cloud.sim;

import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.flotilla.json.Json;
import org.junit.jupiter.api.Test;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;

class SimNetAttributesTest {

    @Test
    void extraTextGivesItsSingleAttributesQuotedOrNot() {
        ObjectNode parsed = SimNetAttributes.parseExtra("""
                SIZE=5
                  NAME = "private-7"
                sim_net_fail = 'delete'
                DESCRIPTION="say \\"hi\\""

                # a comment = not an attribute
                not an attribute
                EMPTY=
                """);
        assertEquals(Json.parse("""
                {"SIZE": "5", "NAME": "private-7", "SIM_NET_FAIL": "delete", "DESCRIPTION": "say \\"hi\\"",
                 "EMPTY": ""}
                """), parsed);
    }

    @Test
    void vectorsAreSkippedOnOneLineOrMany() {
        ObjectNode parsed = SimNetAttributes.parseExtra("""
                AR=[TYPE="IP4", IP="10.0.0.1", SIZE="10"]
                SIM_NET_CREATE_SECONDS=0.2
                AR = [
                  TYPE = "ETHER",
                  SIZE = "[3]" ]
                DNS="8.8.8.8"
                CONTEXT=[
                  NESTED=[ A=1 ],
                  B=2
                ]
                GATEWAY = 10.0.0.1
                """);
        assertEquals(Json.parse("""
                {"SIM_NET_CREATE_SECONDS": "0.2", "DNS": "8.8.8.8", "GATEWAY": "10.0.0.1"}
                """), parsed);
    }

    @Test
    void noExtraIsNoAttributes() {
        assertEquals(Json.object(), SimNetAttributes.parseExtra(null));
        assertEquals(Json.object(), SimNetAttributes.parseExtra(""));
    }

    @Test
    void extraWinsOverTheTemplateWhichIsLeftAlone() {
        ObjectNode template = (ObjectNode) Json.parse("{\"SIM_NET_FAIL\": \"create\", \"SIM_NET_DELETE_SECONDS\": 4}");
        ObjectNode merged = SimNetAttributes.merged(template, "SIM_NET_FAIL=none\nSIM_NET_CREATE_SECONDS=0");
        assertEquals(Json.parse("{\"SIM_NET_FAIL\": \"none\", \"SIM_NET_DELETE_SECONDS\": 4,"
                + " \"SIM_NET_CREATE_SECONDS\": \"0\"}"), merged);
        assertEquals("create", template.get("SIM_NET_FAIL").asText());
    }

    @Test
    void timingsDefaultToOneSecondAndIgnoreWhatIsNotADurationOfAtMostAWeek() {
        assertEquals(1.0, SimNetAttributes.createSeconds(Json.object()));
        assertEquals(0.0, SimNetAttributes.createSeconds(attrs("{\"SIM_NET_CREATE_SECONDS\": \"0\"}")));
        assertEquals(2.5, SimNetAttributes.deleteSeconds(attrs("{\"SIM_NET_DELETE_SECONDS\": 2.5}")));
        assertEquals(604800.0, SimNetAttributes.deleteSeconds(attrs("{\"SIM_NET_DELETE_SECONDS\": 604800}")));
        for (String bad : new String[]{"-1", "604801", "\"soon\"", "\"NaN\"", "null", "[1]"}) {
            assertEquals(1.0, SimNetAttributes.deleteSeconds(attrs("{\"SIM_NET_DELETE_SECONDS\": " + bad + "}")), bad);
        }
    }

    @Test
    void simNetFailNamesTheStepThatFails() {
        assertEquals(SimNetClock.Fail.CREATE,
                SimNetAttributes.failing(attrs("{\"SIM_NET_FAIL\": \"Create\"}"), SimNetClock.Fail.CREATE));
        assertNull(SimNetAttributes.failing(attrs("{\"SIM_NET_FAIL\": \"create\"}"), SimNetClock.Fail.DELETE));
        assertEquals(SimNetClock.Fail.DELETE,
                SimNetAttributes.failing(attrs("{\"SIM_NET_FAIL\": \" delete \"}"), SimNetClock.Fail.DELETE));
        assertNull(SimNetAttributes.failing(attrs("{\"SIM_NET_FAIL\": \"none\"}"), SimNetClock.Fail.DELETE));
        assertNull(SimNetAttributes.failing(Json.object(), SimNetClock.Fail.CREATE));
    }

    private static ObjectNode attrs(String json) {
        return (ObjectNode) Json.parse(json);
    }
}
