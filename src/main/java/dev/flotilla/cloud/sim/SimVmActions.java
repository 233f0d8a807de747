package dev.flotilla.cloud.sim;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.flotilla.cloud.CloudRefusedException;
import dev.flotilla.domain.VmStates;
import dev.flotilla.json.Json;

import java.time.Instant;

/**
 * The 19 VM actions as OpenNebula's core applies them (role-actions.md §1): the resulting state,
 * or the refusal OpenNebula gives in a state that does not allow the action. Pure.
 */
public final class SimVmActions {
    private SimVmActions() {
    }

    /** {@code vm} must be current (its timed state computed for {@code now}). */
    public static SimVm apply(SimVm vm, String action, String args, Instant now) {
        int s = vm.state();
        int lcm = vm.lcmState();
        boolean running = s == VmStates.ACTIVE && lcm == VmStates.LCM_RUNNING;
        boolean unknown = s == VmStates.ACTIVE && lcm == VmStates.LCM_UNKNOWN;
        return switch (action) {
            case "terminate", "terminate-hard" -> {
                require(s != VmStates.DONE, vm, action);
                yield vm.terminating(now, action.endsWith("-hard"));
            }
            case "undeploy", "undeploy-hard" -> {
                require(running || unknown || s == VmStates.POWEROFF, vm, action);
                yield vm.forced(now, VmStates.UNDEPLOYED, VmStates.LCM_INIT, false);
            }
            case "hold" -> {
                require(s == VmStates.PENDING, vm, action);
                yield vm.forced(now, VmStates.HOLD, VmStates.LCM_INIT, false);
            }
            case "release" -> {
                require(s == VmStates.HOLD, vm, action);
                yield vm.deployingFrom(now);
            }
            case "stop" -> {
                require(running, vm, action);
                yield vm.forced(now, VmStates.STOPPED, VmStates.LCM_INIT, false);
            }
            case "suspend" -> {
                require(running, vm, action);
                yield vm.forced(now, VmStates.SUSPENDED, VmStates.LCM_INIT, false);
            }
            case "resume" -> {
                if (s == VmStates.STOPPED || s == VmStates.UNDEPLOYED) {
                    yield vm.deployingFrom(now);
                }
                require(s == VmStates.SUSPENDED || s == VmStates.POWEROFF || unknown, vm, action);
                yield vm.forced(now, VmStates.ACTIVE, VmStates.LCM_RUNNING, true);
            }
            case "reboot" -> {
                require(running, vm, action);
                yield vm.rebooted(now);
            }
            case "reboot-hard" -> {
                require(running || unknown, vm, action);
                yield vm.forced(now, VmStates.ACTIVE, VmStates.LCM_RUNNING, true).rebooted(now);
            }
            case "poweroff", "poweroff-hard" -> {
                require(running || unknown, vm, action);
                yield vm.forced(now, VmStates.POWEROFF, VmStates.LCM_INIT, false);
            }
            case "snapshot-create" -> {
                require(running, vm, action);
                String name = args == null || args.isBlank() ? "snapshot" : args.trim();
                ArrayNode list = vm.snapshots().deepCopy();
                list.addObject().put("SNAPSHOT_ID", nextId(list, "SNAPSHOT_ID")).put("NAME", name)
                        .put("TIME", now.getEpochSecond());
                yield withSnapshots(vm, list, vm.diskSnapshots());
            }
            case "snapshot-revert", "snapshot-delete" -> {
                require(running, vm, action);
                int id = argInt(args, 0, action, "snapshot-id");
                ArrayNode list = vm.snapshots().deepCopy();
                int index = find(list, "SNAPSHOT_ID", id, -1);
                if (index < 0) {
                    throw new CloudRefusedException("[one.vm.snapshot" + (action.endsWith("revert") ? "revert" : "delete")
                            + "] Could not find snapshot with ID " + id);
                }
                if (action.endsWith("delete")) {
                    list.remove(index);
                }
                yield withSnapshots(vm, list, vm.diskSnapshots());
            }
            case "disk-snapshot-create" -> {
                require(running || s == VmStates.POWEROFF || s == VmStates.SUSPENDED, vm, action);
                String[] parts = args == null ? new String[0] : args.split(",", 2);
                if (parts.length < 2 || parts[1].isBlank()) {
                    throw new CloudRefusedException("Missing or malformed ARGS for: disk-snapshot-create. Format: "
                            + "disk-id, snapshot-name");
                }
                int disk = argInt(args, 0, action, "disk-id");
                ArrayNode list = vm.diskSnapshots().deepCopy();
                list.addObject().put("DISK_ID", disk).put("ID", nextId(list, "ID")).put("NAME", parts[1].trim());
                yield withSnapshots(vm, vm.snapshots(), list);
            }
            case "disk-snapshot-revert", "disk-snapshot-delete" -> {
                if (action.endsWith("revert")) {
                    require(s == VmStates.POWEROFF || s == VmStates.SUSPENDED, vm, action);
                } else {
                    require(running || s == VmStates.POWEROFF || s == VmStates.SUSPENDED, vm, action);
                }
                int disk = argInt(args, 0, action, "disk-id");
                int id = argInt(args, 1, action, "snapshot-id");
                ArrayNode list = vm.diskSnapshots().deepCopy();
                int index = find(list, "ID", id, disk);
                if (index < 0) {
                    throw new CloudRefusedException("[one.vm.disksnapshot] Disk " + disk + " has no snapshot " + id);
                }
                if (action.endsWith("delete")) {
                    list.remove(index);
                }
                yield withSnapshots(vm, vm.snapshots(), list);
            }
            default -> throw new CloudRefusedException("Unknown action: " + action);
        };
    }

    private static void require(boolean allowed, SimVm vm, String action) {
        if (!allowed) {
            throw new CloudRefusedException("Error performing action \"" + action + "\": This action is not "
                    + "available for state " + VmStates.stateName(vm.state())
                    + (vm.state() == VmStates.ACTIVE ? "/" + vm.lcmState() : ""));
        }
    }

    private static int argInt(String args, int position, String action, String what) {
        String[] parts = args == null ? new String[0] : args.split(",");
        try {
            return Integer.parseInt(parts[position].trim());
        } catch (RuntimeException e) {
            throw new CloudRefusedException("Missing or malformed ARGS for: " + action + " (" + what + ")");
        }
    }

    private static int nextId(ArrayNode list, String field) {
        int max = -1;
        for (JsonNode n : list) {
            max = Math.max(max, n.path(field).asInt(-1));
        }
        return max + 1;
    }

    private static int find(ArrayNode list, String field, int id, int disk) {
        for (int i = 0; i < list.size(); i++) {
            JsonNode n = list.get(i);
            if (n.path(field).asInt(-2) == id && (disk < 0 || n.path("DISK_ID").asInt(-2) == disk)) {
                return i;
            }
        }
        return -1;
    }

    private static SimVm withSnapshots(SimVm vm, ArrayNode snapshots, ArrayNode disks) {
        return new SimVm(vm.id(), vm.requestKey(), vm.name(), vm.templateId(), vm.serviceId(), vm.roleName(),
                vm.state(), vm.lcmState(), vm.ready(), vm.phase(), vm.deploySeconds(), vm.terminateSeconds(),
                vm.readySeconds(), vm.phaseStartedAt(), vm.nextChangeAt(), vm.terminateHard(), vm.failStep(),
                vm.userTemplate(), vm.reboots(), snapshots, disks, vm.generators(), vm.changeSeq(), vm.createdAt(),
                vm.owner());
    }

    /** For display: the snapshots as OpenNebula lists them. */
    public static ObjectNode describe(SimVm vm) {
        ObjectNode node = Json.object();
        node.put("REBOOTS", vm.reboots());
        node.set("SNAPSHOTS", vm.snapshots());
        node.set("DISK_SNAPSHOTS", vm.diskSnapshots());
        return node;
    }
}
