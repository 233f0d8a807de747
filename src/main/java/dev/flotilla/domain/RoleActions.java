package dev.flotilla.domain;

import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;

/** The 19 VM actions a role action may apply (role-actions.md §1) and how batches are timed (§3). */
public final class RoleActions {
    public static final Set<String> NAMES = Set.of("terminate", "terminate-hard", "undeploy", "undeploy-hard",
            "hold", "release", "stop", "suspend", "resume", "reboot", "reboot-hard", "poweroff", "poweroff-hard",
            "snapshot-create", "snapshot-revert", "snapshot-delete", "disk-snapshot-create", "disk-snapshot-revert",
            "disk-snapshot-delete");

    private RoleActions() {
    }

    public static boolean isAction(String name) {
        return NAMES.contains(name);
    }

    /** One batch: when it runs and which VMs it acts on. */
    public record Batch(int index, Instant at, List<Integer> vmIds) {
    }

    /**
     * {@code number} VMs every {@code period} seconds, in the given order; 0 for either means all
     * at once (one batch).
     */
    public static List<Batch> schedule(List<Integer> vmIds, int number, int period, Instant now) {
        List<Batch> batches = new ArrayList<>();
        int step = number > 0 && period > 0 ? number : Math.max(1, vmIds.size());
        for (int from = 0, i = 0; from < vmIds.size(); from += step, i++) {
            batches.add(new Batch(i, now.plus(Duration.ofSeconds((long) i * (number > 0 && period > 0 ? period : 0))),
                    List.copyOf(vmIds.subList(from, Math.min(vmIds.size(), from + step)))));
        }
        return batches;
    }

    /** The log line that tells what was scheduled, and the id to cancel it by. */
    public static ServiceEvent scheduledEvent(String role, String action, String args, List<Integer> vmIds,
                                              int batches, int number, int period, long schedId) {
        return ServiceEvent.vm('I', role, "Role " + role + ": action " + action
                + (args == null ? "" : " (" + args + ")") + " on VMs " + vmIds + " in " + batches
                + " batch(es)" + (batches > 1 ? " of " + number + " every " + period + " s" : "")
                + "; sched action " + schedId);
    }
}
