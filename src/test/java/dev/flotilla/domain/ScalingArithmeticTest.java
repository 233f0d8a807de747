package dev.flotilla.domain;

import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

import static org.junit.jupiter.api.Assertions.assertEquals;

class ScalingArithmeticTest {

    /** elasticity.md §6, its worked examples (min 1, max 5) and the clamping rules. */
    @ParameterizedTest(name = "{0} {1} step={2} from {3} (min {4}, max {5}) -> {6}")
    @CsvSource(nullValues = "null", value = {
        "CHANGE,2,null,2,1,5,4",
        "CHANGE,2,null,4,1,5,5",
        "PERCENTAGE_CHANGE,-10,2,5,1,5,3",
        "PERCENTAGE_CHANGE,50,null,10,1,5,10",
        "CARDINALITY,8,null,3,1,5,5",
        "CARDINALITY,2,null,6,1,15,2",
        "CHANGE,-3,null,2,1,5,1",
        "PERCENTAGE_CHANGE,-50,null,4,0,10,2",
        "PERCENTAGE_CHANGE,10,null,4,0,10,5",
        "PERCENTAGE_CHANGE,0,null,4,0,10,4",
        "CHANGE,0,null,4,0,10,4",
        "CARDINALITY,0,null,4,0,10,4"})
    void newCardinality(ScalingArithmetic.Type type, int adjust, Integer step, int current, int min, int max,
                        int expected) {
        assertEquals(expected, ScalingArithmetic.newCardinality(type, adjust, step, current, min, max));
    }
}
