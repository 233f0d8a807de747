package dev.flotilla.cloud.sim;

import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

class SimMetricsTest {

    @ParameterizedTest(name = "{0} at {1} s = {2}")
    @CsvSource({
        "constant:42,0,42",
        "constant:42,1000,42",
        "ramp:10:2,0,10",
        "ramp:10:2,5,20",
        "ramp:10:2:15,5,15",
        "sine:50:30:60,0,50",
        "sine:50:30:60,15,80",
        "sine:50:30:60,45,20"})
    void generatorsFollowTheVmsAge(String spec, double age, double expected) {
        assertEquals(expected, SimMetrics.value(spec, age), 1e-9);
    }

    @ParameterizedTest(name = "''{0}'' is not a generator")
    @CsvSource({"wave:1:2", "ramp:x:1", "constant"})
    void unknownSpecsGiveNoValue(String spec) {
        assertTrue(Double.isNaN(SimMetrics.value(spec, 1)));
    }
}
