package dev.flotilla.domain;

/** Guarantees a crash loses no driver call: every plan re-sends the calls recorded but never confirmed. */
final class ResendSteps {
    private ResendSteps() {
    }

    /**
     * Calls recorded before a crash but never confirmed are made again; the driver makes them
     * idempotent (networks as VMs). Retired VMs the cloud reports gone stop being tracked.
     */
    static void resendUnconfirmed(PlanWork work) {
        for (RoleSnapshot role : work.roles()) {
            for (VmSnapshot vm : work.trackedVms(role)) {
                boolean planned = work.retryingTerminate(vm); // this plan already terminates it
                if (vm.retired() && vm.isDone()) {
                    work.forget(vm);
                } else if (vm.vmId() == null && vm.createError() == null && !vm.terminateRequested() && !planned
                        && !vm.retired()) {
                    work.resend(new DriverCall.Create(vm.requestKey(), role.name(), vm.name(), role.templateId(),
                            vm.hold(), true));
                } else if (vm.terminateRequested() && !vm.terminateSent() && vm.terminateError() == null
                        && vm.createError() == null && !vm.isDone() && !planned) {
                    work.resend(new DriverCall.Terminate(vm.requestKey(), vm.vmId(), vm.terminateHard()));
                } else if (vm.releaseRequested() && !vm.releaseSent() && !planned) {
                    work.resend(new DriverCall.Release(vm.requestKey(), vm.vmId()));
                } else if (vm.resumeRequested() && !vm.resumeSent() && vm.isUnknown() && !planned) {
                    work.resend(new DriverCall.Resume(vm.requestKey(), vm.vmId()));
                }
            }
        }
        for (NetworkSnapshot network : work.trackedNetworks()) {
            if (work.deletingNetworkNow(network)) {
                continue; // this plan already deletes it
            }
            if (!network.createAnswered() && !network.deleteRequested() && !network.retired()) {
                work.resend(new DriverCall.CreateNetwork(network.requestKey(), network.name(), network.source(),
                        network.sourceId(), network.netName(), network.extra(), true));
            } else if (network.deleteRequested() && !network.deleteSent() && network.deleteError() == null
                    && !network.isDone()) {
                work.resend(new DriverCall.DeleteNetwork(network.requestKey(), network.netId()));
            }
        }
    }
}
