package dev.flotilla.cloud.sim;

import dev.flotilla.domain.VmStates;
import io.vertx.core.Future;

import java.time.Clock;
import java.time.Instant;
import java.util.Optional;

/** The simulator's admin controls: force a VM's observed state, start or end an outage. */
public final class SimulatorControl {
    /** The states {@code PUT /sim/vm/:id} accepts. */
    public enum ForcedState { POWEROFF, UNKNOWN, FAILURE, RUNNING, DONE }

    private final SimulatorRepository store;
    private final Outage outage;
    private final Clock clock;

    public SimulatorControl(SimulatorRepository store, Outage outage, Clock clock) {
        this.store = store;
        this.outage = outage;
        this.clock = clock;
    }

    /** Exactly one of the state names, as OpenNebula writes them (no case folding, no spaces). */
    public static Optional<ForcedState> parse(String name) {
        return java.util.Arrays.stream(ForcedState.values()).filter(s -> s.name().equals(name)).findFirst();
    }

    /** Forces the VM's state; FAILURE is the failure LCM state of the step the VM is in. */
    public Future<Optional<SimVm>> force(int vmId, ForcedState target) {
        return store.findById(vmId).compose(found -> {
            if (found.isEmpty()) {
                return Future.succeededFuture(Optional.empty());
            }
            Instant now = clock.instant();
            SimVm vm = found.get().at(now);
            SimVm forced = switch (target) {
                case POWEROFF -> vm.forced(now, VmStates.POWEROFF, VmStates.LCM_INIT, false);
                case UNKNOWN -> vm.forced(now, VmStates.ACTIVE, VmStates.LCM_UNKNOWN, false);
                case RUNNING -> vm.forced(now, VmStates.ACTIVE, VmStates.LCM_RUNNING, true);
                case DONE -> vm.forced(now, VmStates.DONE, VmStates.LCM_INIT, false);
                case FAILURE -> vm.forced(now, VmStates.ACTIVE, failureFor(vm), false);
            };
            return store.save(forced).compose(v -> store.findById(vmId));
        });
    }

    private static int failureFor(SimVm vm) {
        if (vm.phase() == SimClock.Phase.TERMINATE) {
            return VmStates.LCM_EPILOG_FAILURE;
        }
        if (vm.state() == VmStates.PENDING || vm.lcmState() == VmStates.LCM_PROLOG) {
            return VmStates.LCM_PROLOG_FAILURE;
        }
        return VmStates.LCM_BOOT_FAILURE;
    }

    public void startOutage(Outage.Mode mode, long seconds) {
        if (seconds <= 0) {
            outage.end();
        } else {
            outage.start(mode, seconds);
        }
    }

    public Outage outage() {
        return outage;
    }
}
