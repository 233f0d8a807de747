package dev.flotilla.domain;

/** The `deployment` strategy of a service (states.md §4). */
public enum Deployment {
    NONE, STRAIGHT;

    public static Deployment of(String value) {
        return "straight".equals(value) ? STRAIGHT : NONE;
    }

    public String jsonName() {
        return name().toLowerCase();
    }
}
