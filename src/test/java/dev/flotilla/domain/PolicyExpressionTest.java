package dev.flotilla.domain;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

import java.util.HashMap;
import java.util.List;
import java.util.Map;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

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

    @Test
    void parseErrorsReportTheirColumn() {
        PolicyExpression.ParseException e = assertThrows(PolicyExpression.ParseException.class,
                () -> PolicyExpression.parse("CPU > 80 )"));
        assertEquals("unexpected ')' at column 10", e.getMessage());
        assertEquals(10, e.column());
        e = assertThrows(PolicyExpression.ParseException.class, () -> PolicyExpression.parse("CPU > 80 &&"));
        assertEquals("unexpected '&' at column 11", e.getMessage());
        e = assertThrows(PolicyExpression.ParseException.class, () -> PolicyExpression.parse(""));
        assertEquals("unexpected end of expression at column 1", e.getMessage());
        assertEquals(1, e.column());
    }

    // ---- limits: the parser runs on the event loop, so hostile expressions must fail fast ----------

    private static PolicyExpression.ParseException refused(String expression) {
        return assertThrows(PolicyExpression.ParseException.class, () -> PolicyExpression.parse(expression));
    }

    private static String nested(int levels, String inner) {
        return "(".repeat(levels) + inner + ")".repeat(levels);
    }

    @Test
    @Timeout(5)
    void hundredNestedParenthesesAreRefusedAtTheThirtyThirdLevel() {
        PolicyExpression.ParseException e = refused(nested(100, "CPU > 1"));
        assertEquals("nesting deeper than 32 levels at column 33", e.getMessage());
        assertEquals(33, e.column());
    }

    @Test
    @Timeout(5)
    void fortyParenthesesAroundOneComparisonAreRefused() {
        assertEquals("nesting deeper than 32 levels at column 33", refused(nested(40, "CPU > 1")).getMessage());
    }

    @Test
    @Timeout(5)
    void thirtyTwoNestedParenthesesAreAcceptedAndEvaluated() {
        PolicyExpression.Result r = PolicyExpression.parse(nested(32, "CPU > 1")).evaluate(vms("CPU=2"));
        assertTrue(r.value());
        assertEquals(nested(32, "CPU[2.0] > 1"), r.text());
        assertEquals(32, PolicyExpression.MAX_NESTING);
    }

    @Test
    @Timeout(5)
    void nestingCountsParenthesesNegationsAndQuantifiersTogether() {
        // 10 "(" + 11 "!" + 11 "any(" = 32 levels.
        String inner = "!".repeat(11) + "any(".repeat(11) + "CPU > 1" + ")".repeat(11);
        PolicyExpression.Result r = PolicyExpression.parse(nested(10, inner)).evaluate(vms("CPU=2"));
        assertEquals(false, r.value()); // an odd number of negations of a true any(...)
        // Inner quantifiers are shown as evaluated on no VM, as before.
        assertEquals(nested(10, "!".repeat(11) + "any(".repeat(11) + "CPU > 1" + ")[0/0]".repeat(10) + ")[1/1]"),
                r.text());

        // One more any( is the 33rd level; it starts right after 10 + 11 + 11 * 4 characters.
        String deeper = nested(10, "!".repeat(11) + "any(".repeat(12) + "CPU > 1" + ")".repeat(12));
        PolicyExpression.ParseException e = refused(deeper);
        assertEquals("nesting deeper than 32 levels at column " + (10 + 11 + 44 + 1), e.getMessage());
        assertEquals(66, e.column());
    }

    @Test
    @Timeout(5)
    void negationChainsWithinTheLimitAreAcceptedAndBeyondRefused() {
        assertEquals(new PolicyExpression.Result(true, "!".repeat(32) + "CPU[2.0] > 1"),
                PolicyExpression.parse("!".repeat(32) + "CPU > 1").evaluate(vms("CPU=2")));
        assertEquals(new PolicyExpression.Result(false, "!".repeat(31) + "CPU[2.0] > 1"),
                PolicyExpression.parse("! ".repeat(31) + "CPU > 1").evaluate(vms("CPU=2")));
        assertEquals("nesting deeper than 32 levels at column 33", refused("!".repeat(33) + "CPU > 1").getMessage());
        assertEquals("nesting deeper than 32 levels at column 65", refused("! ".repeat(33) + "CPU > 1").getMessage());
        assertEquals("nesting deeper than 32 levels at column 33", refused("!".repeat(2000)).getMessage());
    }

    @Test
    @Timeout(5)
    void aTwoThousandCharacterFlatAndChainParsesAndEvaluates() {
        // 249 true comparisons and a last one without data: 2,000 characters, a && chain of 250.
        String chain = "CPU>70&&".repeat(249) + "MEM<5";
        assertTrue(chain.length() >= 1990 && chain.length() <= PolicyExpression.MAX_LENGTH, "length " + chain.length());
        PolicyExpression.Result r = PolicyExpression.parse(chain).evaluate(vms("CPU=83"));
        assertEquals(false, r.value());
        assertTrue(r.text().startsWith("CPU[83.0] > 70 && CPU[83.0] > 70 && "), r.text());
        assertEquals("CPU[83.0] > 70 && ".repeat(249) + "MEM[--] < 5", r.text());

        // All true: the whole chain is true.
        assertEquals(true, PolicyExpression.parse("CPU>70&&".repeat(249) + "CPU<90").evaluate(vms("CPU=83")).value());
        // Right associativity over the whole chain: false && (… || true) is false, (false && …) || true is not.
        String mixed = "CPU>90&&" + "CPU>70&&".repeat(240) + "CPU>90||CPU>70";
        PolicyExpression.Result m = PolicyExpression.parse(mixed).evaluate(vms("CPU=83"));
        assertEquals(false, m.value());
        assertEquals("CPU[83.0] > 90 && " + "CPU[83.0] > 70 && ".repeat(240) + "CPU[83.0] > 90 || CPU[83.0] > 70",
                m.text());
        assertEquals(true, PolicyExpression.parse("CPU>90||".repeat(240) + "CPU>70").evaluate(vms("CPU=83")).value());
    }

    @Test
    @Timeout(5)
    void aTwentyKilobyteFlatChainIsRefusedByTheLengthLimit() {
        String chain = "CPU > 1 && ".repeat(1860) + "CPU > 1";
        assertTrue(chain.length() > 20_000);
        PolicyExpression.ParseException e = refused(chain); // not a StackOverflowError
        assertEquals("expression is longer than 2048 characters", e.getMessage());
        assertEquals(2049, e.column());
    }

    @Test
    void theLengthLimitIsInclusive() {
        String condition = "CPU > 1";
        String longest = condition + " ".repeat(PolicyExpression.MAX_LENGTH - condition.length());
        assertTrue(PolicyExpression.parse(longest).evaluate(vms("CPU=2")).value());
        assertEquals("expression is longer than 2048 characters", refused(longest + " ").getMessage());
    }

    @Test
    @Timeout(5)
    void parsingThirtyNestedLevelsParsesEachConditionOnce() {
        // The backtracking parser parsed each level twice (2^30 parses here); now each level is parsed once.
        for (int levels = 0; levels <= 30; levels++) {
            assertEquals(levels + 1, PolicyExpression.parseSteps(nested(levels, "CPU > 1")), "levels " + levels);
            assertEquals(levels + 1, PolicyExpression.parseSteps("!".repeat(levels) + "CPU > 1"), "levels " + levels);
        }
        assertTrue(PolicyExpression.parse(nested(30, "CPU > 1 && MEM < 2")).evaluate(vms("CPU=2,MEM=1")).value());
    }

    @Test
    @Timeout(5)
    void failedParsesAreNotRepeatedByEnclosingChains() {
        // Each "!A > 1 && (" level leaves "&& (" to the chain around its "!…", which tries the "(" again.
        String level = "!!!A > 1 && (";
        String hostile = level.repeat(8) + "B >";
        int steps = PolicyExpression.parseSteps(hostile);
        assertTrue(steps <= hostile.length(), steps + " parses for " + hostile.length() + " characters");
        assertEquals("unexpected '>' at column " + hostile.length(), refused(hostile).getMessage());
    }
}
