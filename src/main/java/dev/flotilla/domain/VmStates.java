package dev.flotilla.domain;

import java.util.Set;

/** OpenNebula VM STATE / LCM_STATE numbers and OneFlow's classification of them (states.md §3). */
public final class VmStates {
    public static final int INIT = 0;
    public static final int PENDING = 1;
    public static final int HOLD = 2;
    public static final int ACTIVE = 3;
    public static final int STOPPED = 4;
    public static final int SUSPENDED = 5;
    public static final int DONE = 6;
    public static final int POWEROFF = 8;
    public static final int UNDEPLOYED = 9;
    public static final int CLONING_FAILURE = 11;

    public static final int LCM_INIT = 0;
    public static final int LCM_PROLOG = 1;
    public static final int LCM_BOOT = 2;
    public static final int LCM_RUNNING = 3;
    public static final int LCM_EPILOG = 11;
    public static final int LCM_SHUTDOWN = 12;
    public static final int LCM_UNKNOWN = 16;
    public static final int LCM_BOOT_FAILURE = 36;
    public static final int LCM_PROLOG_FAILURE = 39;
    public static final int LCM_EPILOG_FAILURE = 40;

    private static final Set<Integer> FAILURE_LCM = Set.of(36, 37, 38, 39, 40, 41, 42, 44, 46, 47, 48, 49, 50, 61);
    private static final Set<Integer> PAUSED = Set.of(STOPPED, SUSPENDED, POWEROFF, UNDEPLOYED);

    private static final String[] STATE_NAMES = {"INIT", "PENDING", "HOLD", "ACTIVE", "STOPPED", "SUSPENDED",
        "DONE", "FAILED", "POWEROFF", "UNDEPLOYED", "CLONING", "CLONING_FAILURE"};

    private VmStates() {
    }

    public static boolean isRunning(int state, int lcm) {
        return state == ACTIVE && lcm == LCM_RUNNING;
    }

    public static boolean isPaused(int state) {
        return PAUSED.contains(state);
    }

    public static boolean isDone(int state) {
        return state == DONE;
    }

    /** CLONING_FAILURE counts as a failure too (normative fix of states.md §3.3). */
    public static boolean isFailure(int state, int lcm) {
        return state == CLONING_FAILURE || (state == ACTIVE && FAILURE_LCM.contains(lcm));
    }

    /** What puts a RUNNING service into WARNING (states.md §7). */
    public static boolean isWarning(int state, int lcm) {
        return state == POWEROFF || (state == ACTIVE && lcm == LCM_UNKNOWN) || isFailure(state, lcm);
    }

    /** OpenNebula's LCM state names, indexed by number (states.md §3). */
    private static final String[] LCM_NAMES = {
            "LCM_INIT",
            "PROLOG",
            "BOOT",
            "RUNNING",
            "MIGRATE",
            "SAVE_STOP",
            "SAVE_SUSPEND",
            "SAVE_MIGRATE",
            "PROLOG_MIGRATE",
            "PROLOG_RESUME",
            "EPILOG_STOP",
            "EPILOG",
            "SHUTDOWN",
            "CANCEL",
            "FAILURE",
            "CLEANUP_RESUBMIT",
            "UNKNOWN",
            "HOTPLUG",
            "SHUTDOWN_POWEROFF",
            "BOOT_UNKNOWN",
            "BOOT_POWEROFF",
            "BOOT_SUSPENDED",
            "BOOT_STOPPED",
            "CLEANUP_DELETE",
            "HOTPLUG_SNAPSHOT",
            "HOTPLUG_NIC",
            "HOTPLUG_SAVEAS",
            "HOTPLUG_SAVEAS_POWEROFF",
            "HOTPLUG_SAVEAS_SUSPENDED",
            "SHUTDOWN_UNDEPLOY",
            "EPILOG_UNDEPLOY",
            "PROLOG_UNDEPLOY",
            "BOOT_UNDEPLOY",
            "HOTPLUG_PROLOG_POWEROFF",
            "HOTPLUG_EPILOG_POWEROFF",
            "BOOT_MIGRATE",
            "BOOT_FAILURE",
            "BOOT_MIGRATE_FAILURE",
            "PROLOG_MIGRATE_FAILURE",
            "PROLOG_FAILURE",
            "EPILOG_FAILURE",
            "EPILOG_STOP_FAILURE",
            "EPILOG_UNDEPLOY_FAILURE",
            "PROLOG_MIGRATE_POWEROFF",
            "PROLOG_MIGRATE_POWEROFF_FAILURE",
            "PROLOG_MIGRATE_SUSPEND",
            "PROLOG_MIGRATE_SUSPEND_FAILURE",
            "BOOT_UNDEPLOY_FAILURE",
            "BOOT_STOPPED_FAILURE",
            "PROLOG_RESUME_FAILURE",
            "PROLOG_UNDEPLOY_FAILURE",
            "DISK_SNAPSHOT_POWEROFF",
            "DISK_SNAPSHOT_REVERT_POWEROFF",
            "DISK_SNAPSHOT_DELETE_POWEROFF",
            "DISK_SNAPSHOT_SUSPENDED",
            "DISK_SNAPSHOT_REVERT_SUSPENDED",
            "DISK_SNAPSHOT_DELETE_SUSPENDED",
            "DISK_SNAPSHOT",
            "DISK_SNAPSHOT_REVERT",
            "DISK_SNAPSHOT_DELETE",
            "PROLOG_MIGRATE_UNKNOWN",
            "PROLOG_MIGRATE_UNKNOWN_FAILURE",
            "DISK_RESIZE",
            "DISK_RESIZE_POWEROFF",
            "DISK_RESIZE_UNDEPLOYED",
            "HOTPLUG_NIC_POWEROFF",
            "HOTPLUG_RESIZE",
            "HOTPLUG_SAVEAS_UNDEPLOYED",
            "HOTPLUG_SAVEAS_STOPPED",
            "BACKUP",
            "BACKUP_POWEROFF",
            "RESTORE"};

    public static String lcmName(int lcmState) {
        return lcmState >= 0 && lcmState < LCM_NAMES.length ? LCM_NAMES[lcmState] : Integer.toString(lcmState);
    }

    /** OpenNebula's VM state names, indexed by state number (STATE 0 is INIT). */
    public static String[] stateNames() {
        return STATE_NAMES.clone();
    }

    public static String stateName(int state) {
        return state >= 0 && state < STATE_NAMES.length ? STATE_NAMES[state] : Integer.toString(state);
    }
}
