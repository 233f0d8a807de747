package dev.flotilla.domain;

import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

class RoleStateTest {

    @ParameterizedTest(name = "{0} is number {1}")
    @CsvSource({"PENDING,0", "DEPLOYING,1", "RUNNING,2", "UNDEPLOYING,3", "WARNING,4", "DONE,5",
        "FAILED_UNDEPLOYING,6", "FAILED_DEPLOYING,7", "SCALING,8", "FAILED_SCALING,9", "COOLDOWN,10", "HOLD,11"})
    void numbersAreOneFlows(RoleState state, int number) {
        assertEquals(number, state.number());
        assertEquals(state, RoleState.ofNumber(number));
    }

    @ParameterizedTest(name = "{0} -> {1} allowed={2}")
    @CsvSource({
        "PENDING,DEPLOYING,true",
        "PENDING,HOLD,true",
        "PENDING,RUNNING,false",
        "DEPLOYING,RUNNING,true",
        "DEPLOYING,FAILED_DEPLOYING,true",
        "RUNNING,WARNING,true",
        "WARNING,RUNNING,true",
        "RUNNING,UNDEPLOYING,true",
        "UNDEPLOYING,DONE,true",
        "UNDEPLOYING,RUNNING,false",
        "DONE,DEPLOYING,false",
        "HOLD,DEPLOYING,true",
        "SCALING,COOLDOWN,true",
        "COOLDOWN,RUNNING,true",
        "FAILED_UNDEPLOYING,DONE,false"})
    void transitionTable(RoleState from, RoleState to, boolean allowed) {
        assertEquals(allowed, from.canTransitionTo(to));
        if (!allowed) {
            assertThrows(IllegalTransitionException.class, () -> RoleState.transition(from, to));
        }
    }
}
