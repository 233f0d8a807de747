package dev.flotilla.domain;

import java.util.EnumMap;
import java.util.EnumSet;
import java.util.Map;
import java.util.Optional;
import java.util.Set;

/**
 * Service states with OneFlow's names and numbers (states.md §1).
 *
 * <pre>
 *   PENDING ──► DEPLOYING ──► RUNNING ◄──► WARNING
 *      │            │  ▲         │ ▲  ╲
 *      │            ▼  │(recover)│ │   ╲ scale        HOLD ──release──► DEPLOYING
 *      │     FAILED_DEPLOYING    │ │    SCALING ──► COOLDOWN ──► RUNNING
 *      │                         │ │       │
 *      │                         ▼ │       ▼
 *      └──────delete──────► UNDEPLOYING  FAILED_SCALING
 *                             │     │
 *                             ▼     ▼
 *                           DONE   FAILED_UNDEPLOYING
 * </pre>
 * Every change goes through {@link #transition(ServiceState, ServiceState)}, which rejects jumps
 * the table below does not allow.
 */
public enum ServiceState {
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
    DEPLOYING_NETS(11),
    UNDEPLOYING_NETS(12),
    FAILED_DEPLOYING_NETS(13),
    FAILED_UNDEPLOYING_NETS(14),
    HOLD(15);

    private static final Map<ServiceState, Set<ServiceState>> ALLOWED = new EnumMap<>(ServiceState.class);

    static {
        ALLOWED.put(PENDING, EnumSet.of(DEPLOYING, DEPLOYING_NETS, HOLD, FAILED_DEPLOYING, UNDEPLOYING));
        ALLOWED.put(DEPLOYING_NETS, EnumSet.of(DEPLOYING, HOLD, FAILED_DEPLOYING, FAILED_DEPLOYING_NETS));
        ALLOWED.put(DEPLOYING, EnumSet.of(RUNNING, HOLD, FAILED_DEPLOYING));
        ALLOWED.put(RUNNING, EnumSet.of(WARNING, SCALING, FAILED_SCALING, DEPLOYING, FAILED_DEPLOYING,
                UNDEPLOYING, FAILED_UNDEPLOYING));
        ALLOWED.put(WARNING, EnumSet.of(RUNNING, UNDEPLOYING, DEPLOYING));
        ALLOWED.put(HOLD, EnumSet.of(DEPLOYING, FAILED_DEPLOYING, UNDEPLOYING));
        ALLOWED.put(SCALING, EnumSet.of(COOLDOWN, FAILED_SCALING));
        ALLOWED.put(COOLDOWN, EnumSet.of(RUNNING));
        ALLOWED.put(UNDEPLOYING, EnumSet.of(DONE, RUNNING, UNDEPLOYING_NETS, FAILED_UNDEPLOYING));
        ALLOWED.put(UNDEPLOYING_NETS, EnumSet.of(DONE, FAILED_UNDEPLOYING_NETS));
        ALLOWED.put(FAILED_DEPLOYING, EnumSet.of(DEPLOYING));
        ALLOWED.put(FAILED_UNDEPLOYING, EnumSet.of(UNDEPLOYING));
        ALLOWED.put(FAILED_SCALING, EnumSet.of(SCALING));
        ALLOWED.put(FAILED_DEPLOYING_NETS, EnumSet.of(DEPLOYING_NETS));
        ALLOWED.put(FAILED_UNDEPLOYING_NETS, EnumSet.of(UNDEPLOYING_NETS));
        ALLOWED.put(DONE, EnumSet.noneOf(ServiceState.class));
    }

    private final int number;

    ServiceState(int number) {
        this.number = number;
    }

    public int number() {
        return number;
    }

    public static ServiceState ofNumber(int number) {
        for (ServiceState s : values()) {
            if (s.number == number) {
                return s;
            }
        }
        throw new IllegalArgumentException("No service state numbered " + number);
    }

    public static Optional<ServiceState> byName(String name) {
        for (ServiceState s : values()) {
            if (s.name().equalsIgnoreCase(name)) {
                return Optional.of(s);
            }
        }
        return Optional.empty();
    }

    /** OneFlow's transient group; each has a deadline (decision 6) except COOLDOWN, which ends by its own timer. */
    public boolean isTransient() {
        return EnumSet.of(DEPLOYING, UNDEPLOYING, SCALING, COOLDOWN, DEPLOYING_NETS, UNDEPLOYING_NETS).contains(this);
    }

    public boolean hasDeadline() {
        return isTransient() && this != COOLDOWN;
    }

    public boolean isFailed() {
        return EnumSet.of(FAILED_DEPLOYING, FAILED_UNDEPLOYING, FAILED_SCALING, FAILED_DEPLOYING_NETS,
                FAILED_UNDEPLOYING_NETS).contains(this);
    }

    public boolean isFinal() {
        return this == DONE;
    }

    /** PENDING and the transient states: on their way somewhere, so the periodic resync re-plans them. */
    public boolean isInMotion() {
        return this == PENDING || isTransient();
    }

    /** OneFlow's {@code can_update?}: the body may be edited (PUT) unless the service is moving or failed. */
    public boolean canUpdate() {
        return !isTransient() && !isFailed();
    }

    /** Being undeployed or gone: role actions still pending for it are dropped, not run. */
    public boolean isLeaving() {
        return EnumSet.of(UNDEPLOYING, UNDEPLOYING_NETS, FAILED_UNDEPLOYING, FAILED_UNDEPLOYING_NETS, DONE).contains(this);
    }

    /** The states in which the autoscaler evaluates a service's policies. */
    public boolean isAutoscaled() {
        return this == RUNNING || this == COOLDOWN;
    }

    /** The numbers of the states {@code which} holds for: a named set as an SQL array parameter. */
    public static Short[] numbers(java.util.function.Predicate<ServiceState> which) {
        return java.util.Arrays.stream(values()).filter(which).map(s -> (short) s.number).toArray(Short[]::new);
    }

    /** The failed state a stalled transient state falls into when its deadline passes. */
    public ServiceState failedCounterpart() {
        return switch (this) {
            case DEPLOYING, PENDING -> FAILED_DEPLOYING;
            case UNDEPLOYING -> FAILED_UNDEPLOYING;
            case SCALING -> FAILED_SCALING;
            case DEPLOYING_NETS -> FAILED_DEPLOYING_NETS;
            case UNDEPLOYING_NETS -> FAILED_UNDEPLOYING_NETS;
            default -> throw new IllegalStateException(this + " has no failed counterpart");
        };
    }

    public boolean canTransitionTo(ServiceState to) {
        return ALLOWED.get(this).contains(to);
    }

    /**
     * {@code recover --delete}, the escape hatch: from every state but DONE the service goes to
     * UNDEPLOYING, whatever the table says, so no service is ever stuck.
     */
    public static ServiceState forceUndeploy(ServiceState from) {
        if (from == DONE) {
            throw new IllegalTransitionException("service", from.name(), UNDEPLOYING.name());
        }
        return UNDEPLOYING;
    }

    /** Returns {@code to} when the table allows the jump; staying in place is always allowed. */
    public static ServiceState transition(ServiceState from, ServiceState to) {
        if (from != to && !from.canTransitionTo(to)) {
            throw new IllegalTransitionException("service", from.name(), to.name());
        }
        return to;
    }
}
