package dev.flotilla.domain;

import java.util.EnumMap;
import java.util.EnumSet;
import java.util.Map;
import java.util.Set;

/**
 * Role states with OneFlow's names and numbers (states.md §2). Numbers 0–10 match the service
 * states; role HOLD is 11 where the service's is 15.
 *
 * <pre>
 *   PENDING ──► DEPLOYING ──► RUNNING ◄──► WARNING
 *     │  │          │            │
 *     │  └► HOLD ───┘            ├──► SCALING ──► COOLDOWN ──► RUNNING
 *     │                          │       └──► FAILED_SCALING
 *     │         FAILED_DEPLOYING ◄┘(deploy failed)
 *     └─────────────► UNDEPLOYING ──► DONE
 *                          └──► FAILED_UNDEPLOYING
 * </pre>
 */
public enum RoleState {
    PENDING(0),
    DEPLOYING(1),
    RUNNING(2),
    UNDEPLOYING(3),
    WARNING(4),
    DONE(5),
    FAILED_UNDEPLOYING(6),
    FAILED_DEPLOYING(7),
    SCALING(8),
    FAILED_SCALING(9),
    COOLDOWN(10),
    HOLD(11);

    private static final Map<RoleState, Set<RoleState>> ALLOWED = new EnumMap<>(RoleState.class);

    static {
        ALLOWED.put(PENDING, EnumSet.of(DEPLOYING, HOLD, FAILED_DEPLOYING, UNDEPLOYING));
        ALLOWED.put(DEPLOYING, EnumSet.of(RUNNING, FAILED_DEPLOYING, UNDEPLOYING));
        ALLOWED.put(HOLD, EnumSet.of(DEPLOYING, FAILED_DEPLOYING, UNDEPLOYING));
        ALLOWED.put(RUNNING, EnumSet.of(WARNING, SCALING, FAILED_SCALING, UNDEPLOYING, DEPLOYING));
        ALLOWED.put(WARNING, EnumSet.of(RUNNING, UNDEPLOYING, DEPLOYING));
        ALLOWED.put(SCALING, EnumSet.of(COOLDOWN, FAILED_SCALING, UNDEPLOYING));
        ALLOWED.put(COOLDOWN, EnumSet.of(RUNNING, UNDEPLOYING, DEPLOYING));
        ALLOWED.put(UNDEPLOYING, EnumSet.of(DONE, FAILED_UNDEPLOYING));
        ALLOWED.put(FAILED_DEPLOYING, EnumSet.of(DEPLOYING, UNDEPLOYING));
        ALLOWED.put(FAILED_SCALING, EnumSet.of(SCALING, UNDEPLOYING));
        ALLOWED.put(FAILED_UNDEPLOYING, EnumSet.of(UNDEPLOYING));
        ALLOWED.put(DONE, EnumSet.noneOf(RoleState.class));
    }

    private final int number;

    RoleState(int number) {
        this.number = number;
    }

    public int number() {
        return number;
    }

    public static RoleState ofNumber(int number) {
        for (RoleState s : values()) {
            if (s.number == number) {
                return s;
            }
        }
        throw new IllegalArgumentException("No role state numbered " + number);
    }

    public boolean isFailed() {
        return this == FAILED_DEPLOYING || this == FAILED_UNDEPLOYING || this == FAILED_SCALING;
    }

    /** Roles already leaving or gone; the undeploy step does not pick them again (states.md §4). */
    public boolean isUndeployingOrGone() {
        return this == UNDEPLOYING || this == DONE || this == FAILED_UNDEPLOYING;
    }

    public boolean canTransitionTo(RoleState to) {
        return ALLOWED.get(this).contains(to);
    }

    public static RoleState transition(RoleState from, RoleState to) {
        if (from != to && !from.canTransitionTo(to)) {
            throw new IllegalTransitionException("role", from.name(), to.name());
        }
        return to;
    }
}
