package dev.flotilla.domain;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

class ServiceStateTest {

    @ParameterizedTest(name = "{0} is number {1}")
    @CsvSource({
        "PENDING,0", "DEPLOYING,1", "RUNNING,2", "UNDEPLOYING,3", "WARNING,4", "DONE,5", "FAILED_UNDEPLOYING,6",
        "FAILED_DEPLOYING,7", "SCALING,8", "FAILED_SCALING,9", "COOLDOWN,10", "DEPLOYING_NETS,11",
        "UNDEPLOYING_NETS,12", "FAILED_DEPLOYING_NETS,13", "FAILED_UNDEPLOYING_NETS,14", "HOLD,15"})
    void numbersAreOneFlows(ServiceState state, int number) {
        assertEquals(number, state.number());
        assertEquals(state, ServiceState.ofNumber(number));
    }

    @ParameterizedTest(name = "{0} -> {1} allowed={2}")
    @CsvSource({
        "PENDING,DEPLOYING,true",
        "PENDING,RUNNING,false",
        "DEPLOYING,RUNNING,true",
        "DEPLOYING,FAILED_DEPLOYING,true",
        "DEPLOYING,UNDEPLOYING,false",
        "DEPLOYING,DONE,false",
        "RUNNING,WARNING,true",
        "WARNING,RUNNING,true",
        "RUNNING,UNDEPLOYING,true",
        "RUNNING,SCALING,true",
        "RUNNING,DONE,false",
        "SCALING,COOLDOWN,true",
        "SCALING,RUNNING,false",
        "COOLDOWN,RUNNING,true",
        "UNDEPLOYING,DONE,true",
        "UNDEPLOYING,FAILED_UNDEPLOYING,true",
        "UNDEPLOYING,DEPLOYING,false",
        "FAILED_DEPLOYING,DEPLOYING,true",
        "FAILED_DEPLOYING,RUNNING,false",
        "FAILED_DEPLOYING,UNDEPLOYING,false",
        "FAILED_UNDEPLOYING,UNDEPLOYING,true",
        "FAILED_SCALING,SCALING,true",
        "HOLD,DEPLOYING,true",
        "HOLD,UNDEPLOYING,true",
        "DONE,PENDING,false",
        "DONE,UNDEPLOYING,false"})
    void transitionTable(ServiceState from, ServiceState to, boolean allowed) {
        assertEquals(allowed, from.canTransitionTo(to));
        if (allowed) {
            assertEquals(to, ServiceState.transition(from, to));
        } else {
            IllegalTransitionException e = assertThrows(IllegalTransitionException.class,
                    () -> ServiceState.transition(from, to));
            assertEquals(from.name(), e.currentState());
        }
    }

    @Test
    void groupsMatchOneFlow() {
        for (ServiceState s : ServiceState.values()) {
            boolean transientState = switch (s) {
                case DEPLOYING, UNDEPLOYING, SCALING, COOLDOWN, DEPLOYING_NETS, UNDEPLOYING_NETS -> true;
                default -> false;
            };
            assertEquals(transientState, s.isTransient(), s.name());
            assertEquals(s.name().startsWith("FAILED_"), s.isFailed(), s.name());
        }
        assertFalse(ServiceState.COOLDOWN.hasDeadline(), "COOLDOWN ends by its own timer");
        assertTrue(ServiceState.DEPLOYING.hasDeadline());
        assertEquals(ServiceState.FAILED_UNDEPLOYING, ServiceState.UNDEPLOYING.failedCounterpart());
    }

    @Test
    void everyFailedStateCanBeRecoveredAndDoneIsFinal() {
        for (ServiceState s : ServiceState.values()) {
            if (s.isFailed()) {
                assertTrue(java.util.Arrays.stream(ServiceState.values()).anyMatch(s::canTransitionTo), s.name());
            }
        }
        assertTrue(java.util.Arrays.stream(ServiceState.values()).noneMatch(ServiceState.DONE::canTransitionTo));
    }

    @Test
    void theNamedSetsAreOneFlowsGroups() {
        assertEquals(java.util.EnumSet.of(ServiceState.PENDING, ServiceState.DEPLOYING, ServiceState.UNDEPLOYING,
                        ServiceState.SCALING, ServiceState.COOLDOWN, ServiceState.DEPLOYING_NETS,
                        ServiceState.UNDEPLOYING_NETS),
                java.util.EnumSet.copyOf(java.util.Arrays.stream(ServiceState.values())
                        .filter(ServiceState::isInMotion).toList()));
        assertTrue(ServiceState.RUNNING.canUpdate() && ServiceState.WARNING.canUpdate() && ServiceState.DONE.canUpdate());
        assertFalse(ServiceState.DEPLOYING.canUpdate() || ServiceState.FAILED_SCALING.canUpdate()
                || ServiceState.COOLDOWN.canUpdate());
        assertArrayEquals(new Short[]{2, 10}, ServiceState.numbers(ServiceState::isAutoscaled));
        assertArrayEquals(new Short[]{5}, ServiceState.numbers(ServiceState::isFinal));
    }
}
