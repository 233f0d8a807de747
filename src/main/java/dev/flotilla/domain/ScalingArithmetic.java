package dev.flotilla.domain;

/** The new cardinality a policy asks for, with OneFlow's clamping (elasticity.md §6). */
public final class ScalingArithmetic {
    public enum Type { CHANGE, CARDINALITY, PERCENTAGE_CHANGE }

    private ScalingArithmetic() {
    }

    /**
     * @param current      current cardinality
     * @param min          {@code min_vms} (absent = 0)
     * @param max          {@code max_vms} (absent = 0)
     * @param minAdjustStep {@code min_adjust_step} for PERCENTAGE_CHANGE, or null
     */
    public static int newCardinality(Type type, int adjust, Integer minAdjustStep, int current, int min, int max) {
        if (adjust == 0) {
            return current; // "no change" (Source turns a 0 % change into -1; Flotilla does not)
        }
        int raw = switch (type) {
            case CHANGE -> current + adjust;
            case CARDINALITY -> adjust;
            case PERCENTAGE_CHANGE -> {
                double x = current * adjust / 100.0;
                int sign = x > 0 ? 1 : -1;
                int m = Math.abs(x) < 1 ? 1 : (int) Math.floor(Math.abs(x));
                m = Math.max(m, minAdjustStep == null ? 0 : minAdjustStep);
                yield current + sign * m;
            }
        };
        if (adjust > 0) {
            return Math.min(raw, Math.max(current, max));
        }
        return Math.max(raw, min);
    }
}
