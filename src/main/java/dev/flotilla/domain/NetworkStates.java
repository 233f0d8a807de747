package dev.flotilla.domain;

/** OpenNebula virtual network STATE numbers and what OneFlow's network waits make of them (states.md §3.4). */
public final class NetworkStates {
    public static final int INIT = 0;
    public static final int READY = 1;
    public static final int LOCK_CREATE = 2;
    public static final int LOCK_DELETE = 3;
    /** Deleted; a network the cloud no longer knows is reported as DONE too. */
    public static final int DONE = 4;
    public static final int ERROR = 5;
    public static final int UPDATE_FAILURE = 6;

    private static final String[] NAMES = {"INIT", "READY", "LOCK_CREATE", "LOCK_DELETE", "DONE", "ERROR",
        "UPDATE_FAILURE"};

    private NetworkStates() {
    }

    public static String name(Integer state) {
        if (state == null) {
            return "UNKNOWN";
        }
        return state >= 0 && state < NAMES.length ? NAMES[state] : Integer.toString(state);
    }

    /** The number of a state name (case-insensitive), or -1. */
    public static int number(String name) {
        for (int i = 0; i < NAMES.length; i++) {
            if (NAMES[i].equalsIgnoreCase(name)) {
                return i;
            }
        }
        return -1;
    }

    /** A state the network waits cannot get out of by themselves. */
    public static boolean isError(Integer state) {
        return state != null && (state == ERROR || state == UPDATE_FAILURE);
    }
}
