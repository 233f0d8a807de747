package dev.flotilla.domain;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

import java.util.HashMap;
import java.util.List;
import java.util.Map;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

class PolicyExpressionTest {

    /** VMs given as "A=1,B=2;A=3" (running VMs separated by ';'). */
    private static PolicyExpression.Metrics vms(String spec) {
        List<Map<String, Double>> out = new java.util.ArrayList<>();
        if (spec != null && !spec.isBlank()) {
            for (String vm : spec.split(";")) {
                Map<String, Double> values = new HashMap<>();
                for (String kv : vm.split(",")) {
                    if (!kv.isBlank()) {
                        String[] p = kv.split("=");
                        values.put(p[0].trim(), Double.parseDouble(p[1].trim()));
                    }
                }
                out.add(values);
            }
        }
        return PolicyExpression.metrics(out);
    }

    @ParameterizedTest(name = "{0} with {1} -> {2} ({3})")
    @CsvSource(delimiter = '#', value = {
        "CPU > 80#CPU=85.33#true#CPU[85.33] > 80",
        "CPU > 80#CPU=80#false#CPU[80.0] > 80",
        "CPU >= 80#CPU=70;CPU=90#true#CPU[80.0] >= 80",
        "CPU == 80.5#CPU=80.5#true#CPU[80.5] == 80.5",
        "CPU = 1#CPU=1#true#CPU[1.0] = 1",
        "CPU <> 1#CPU=1#false#CPU[1.0] <> 1",
        "CPU != 1#CPU=2#true#CPU[2.0] != 1",
        "CPU < -1.5#CPU=-2#true#CPU[-2.0] < -1.5",
        "cpu > 1#CPU=2#true#CPU[2.0] > 1",
        "'CPU' > 1#CPU=2#true#CPU[2.0] > 1",
        "\"CPU\" > 1#CPU=2#true#CPU[2.0] > 1",
        "CPU > 1#MEMORY=5#false#CPU[--] > 1",
        "!CPU > 1#MEMORY=5#true#!CPU[--] > 1",
        "CPU > MEMORY#CPU=3,MEMORY=2#true#CPU[3.0] > MEMORY[2.0]",
        "CPU > 1 && MEMORY > 1#CPU=2,MEMORY=2#true#CPU[2.0] > 1 && MEMORY[2.0] > 1",
        "CPU > 1 & MEMORY > 1#CPU=2,MEMORY=0#false#CPU[2.0] > 1 & MEMORY[0.0] > 1",
        "CPU > 1 || MEMORY > 1#CPU=0,MEMORY=2#true#CPU[0.0] > 1 || MEMORY[2.0] > 1",
        "(CPU > 1)#CPU=2#true#(CPU[2.0] > 1)",
        "  CPU   >   1  #CPU=2#true#CPU[2.0] > 1",
        "CPU > 1||MEMORY > 1#CPU=2#true#CPU[2.0] > 1 || MEMORY[--] > 1",
        // OneFlow's quirk: no precedence, right-associative; conventional precedence would say true here.
        "A > 1 && B > 1 || C > 1#A=0,B=0,C=2#false#A[0.0] > 1 && B[0.0] > 1 || C[2.0] > 1",
        "(A > 1 && B > 1) || C > 1#A=0,B=0,C=2#true#(A[0.0] > 1 && B[0.0] > 1) || C[2.0] > 1",
        // OneFlow's quirk: ! negates everything to its right; conventionally this would be false.
        "!A > 1 && B > 1#A=2,B=0#true#!A[2.0] > 1 && B[0.0] > 1",
        "(!A > 1) && B > 1#A=2,B=0#false#(!A[2.0] > 1) && B[0.0] > 1",
        // Flotilla's aggregates.
        "min(CPU) > 10#CPU=20;CPU=5#false#min(CPU)[5.0] > 10",
        "max(CPU) > 10#CPU=20;CPU=5#true#max(CPU)[20.0] > 10",
        "avg(CPU) > 10#CPU=20;CPU=5#true#avg(CPU)[12.5] > 10",
        "any(CPU > 90)#CPU=95;CPU=10#true#any(CPU > 90)[1/2]",
        "all(CPU > 90)#CPU=95;CPU=10#false#all(CPU > 90)[1/2]",
        "all(CPU > 5)#CPU=95;CPU=10#true#all(CPU > 5)[2/2]",
        "all(CPU > 5)##false#all(CPU > 5)[0/0]",
        "ALL ( CPU > 5 ) && min(MEMORY) < 3#CPU=9,MEMORY=1#true#all(CPU > 5)[1/1] && min(MEMORY)[1.0] < 3"})
    void grammarAndMeaning(String expression, String metrics, boolean value, String text) {
        PolicyExpression.Result r = PolicyExpression.parse(expression).evaluate(vms(metrics));
        assertEquals(value, r.value());
        assertEquals(text, r.text());
    }

    @ParameterizedTest(name = "''{0}'' does not parse")
    @CsvSource(delimiter = '|', value = {"CPU >", "CPU > 80 &&", "(CPU > 80", "80", "CPU 80", "CPU > 80 )",
        "CPU >\t80", "1CPU > 2", "CPU > 'x", "min(CPU > 1) > 2", "any(CPU) > 1", "CPU >> 1", "&& CPU > 1"})
    void parseErrorsAreReported(String expression) {
        assertThrows(PolicyExpression.ParseException.class, () -> PolicyExpression.parse(expression));
    }

    @Test
    void anEmptyExpressionDoesNotParse() {
        assertThrows(PolicyExpression.ParseException.class, () -> PolicyExpression.parse(""));
    }

    @Test
    void averagesAreRoundedToTwoDecimals() {
        assertEquals("CPU[33.33] > 1", PolicyExpression.parse("CPU > 1").evaluate(vms("CPU=100;CPU=0;CPU=0")).text());
    }
}
