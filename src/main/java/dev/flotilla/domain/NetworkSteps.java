package dev.flotilla.domain;

import java.util.List;
import java.util.stream.Collectors;

/**
 * Guarantees a service's roles deploy only on READY networks (DEPLOYING_NETS), that it removes the
 * networks it made — never the existing ones it only used — after its VMs (UNDEPLOYING_NETS), that
 * a network failure stops in the matching FAILED_*_NETS state with the cloud's words, and that
 * {@code recover} retries exactly the networks that failed (states.md §1, §6, §8.1, §9.1).
 */
final class NetworkSteps {
    private NetworkSteps() {
    }

    /** True when the service has networks to make before its roles deploy. */
    static boolean needsNetworks(PlanWork work) {
        return work.snapshot().declaredNetworks().stream().anyMatch(d -> d.source().createdByService());
    }

    /**
     * PENDING → DEPLOYING_NETS, and every step in it: each declared network without an attempt gets
     * one; a refused or failed attempt fails the service; once every network is READY the roles
     * deploy. Otherwise the networks not READY yet are read again.
     */
    static void deployNetworks(PlanWork work) {
        work.setService(ServiceState.DEPLOYING_NETS, null);
        List<NetworkSnapshot> current = work.currentNetworks();
        for (ServiceNetworks.Declared declared : work.snapshot().declaredNetworks()) {
            boolean hasAttempt = current.stream().anyMatch(n -> n.name().equals(declared.name()));
            if (declared.source().createdByService() && !hasAttempt && !work.creatingNetwork(declared.name())) {
                work.createNetwork(declared);
            }
        }
        for (NetworkSnapshot network : current) {
            String reason = null;
            if (network.createError() != null) {
                reason = "Network " + network.name() + " could not be created: " + network.createError();
            } else if (network.isError()) {
                reason = "Network " + network.label() + " is in state " + NetworkStates.name(network.state());
            } else if (network.isDone()) {
                reason = "Network " + network.label() + " was deleted outside the service";
            }
            if (reason != null) {
                work.setService(ServiceState.FAILED_DEPLOYING_NETS, reason);
                return;
            }
        }
        boolean allReady = current.stream().allMatch(NetworkSnapshot::isReady)
                && work.snapshot().declaredNetworks().stream().noneMatch(d -> work.creatingNetwork(d.name()));
        if (allReady) {
            work.log(ServiceEvent.info("Networks ready: " + current.stream().map(NetworkSnapshot::label)
                    .collect(Collectors.joining(", "))));
            work.setService(ServiceState.DEPLOYING, null);
            DeploySteps.deploy(work);
            return;
        }
        current.stream().filter(n -> n.netId() != null && !n.isReady()).forEach(work::watchNetwork);
        watchRetired(work);
    }

    /**
     * The last role is DONE: the networks the service made are deleted (UNDEPLOYING_NETS), or, when
     * it made none (or none is left), the service is DONE.
     */
    static void undeployNetworksOrFinish(PlanWork work) {
        for (NetworkSnapshot network : work.trackedNetworks()) {
            if (!network.createAnswered() || network.netId() != null) {
                continue;
            }
            work.forgetNetwork(network); // refused at create: nothing was made, nothing to delete
        }
        List<NetworkSnapshot> left = work.trackedNetworks();
        if (left.isEmpty()) {
            work.setService(ServiceState.DONE, work.forceDeleting() ? "recover --delete finished" : null);
            return;
        }
        work.setService(ServiceState.UNDEPLOYING_NETS, null);
        for (NetworkSnapshot network : left) {
            if (!network.deleteRequested() && !network.isDone()) {
                work.deleteNetwork(network);
            }
        }
        undeployNetworks(work);
    }

    /** Every step of UNDEPLOYING_NETS: deleted networks are let go; a failed delete fails the service. */
    static void undeployNetworks(PlanWork work) {
        for (NetworkSnapshot network : work.trackedNetworks()) {
            if (network.isDone()) {
                work.forgetNetwork(network);
                continue;
            }
            if (work.deletingNetworkNow(network)) {
                continue;
            }
            String reason = null;
            if (network.deleteError() != null) {
                reason = "Network " + network.label() + " could not be deleted: " + network.deleteError();
            } else if (network.isError()) {
                reason = "Network " + network.label() + " is in state " + NetworkStates.name(network.state());
            }
            if (reason == null) {
                continue;
            }
            if (work.forceDeleting()) {
                // recover --delete never stays stuck: the network is reported, not hidden, and left behind.
                work.forgetNetwork(network);
                work.log(ServiceEvent.network('E', network.name(), "recover --delete could not remove " + reason));
                continue;
            }
            work.setService(ServiceState.FAILED_UNDEPLOYING_NETS, reason);
            return;
        }
        List<NetworkSnapshot> left = work.trackedNetworks();
        if (left.isEmpty()) {
            work.setService(ServiceState.DONE, work.forceDeleting() ? "recover --delete finished" : null);
            return;
        }
        left.stream().filter(n -> n.deleteSent() && !work.deletingNetworkNow(n)).forEach(work::watchNetwork);
    }

    /**
     * {@code recover} of DEPLOYING_NETS / FAILED_DEPLOYING_NETS: a refused attempt is dropped and a
     * failed network is deleted, and each gets a new attempt; the others are waited for again.
     */
    static void recoverDeploy(PlanWork work) {
        work.setService(ServiceState.DEPLOYING_NETS, "recover");
        for (NetworkSnapshot network : work.currentNetworks()) {
            if (network.createError() != null) {
                work.forgetNetwork(network);
                work.log(ServiceEvent.network('I', network.name(), "recover: creating network " + network.name()
                        + " again"));
            } else if (network.isError() || network.isDone()) {
                work.retireNetwork(network);
                if (!network.isDone()) {
                    work.deleteNetwork(network);
                }
                work.log(ServiceEvent.network('I', network.name(), "recover: replacing network " + network.label()));
            }
        }
        deployNetworks(work);
    }

    /** {@code recover} of UNDEPLOYING_NETS / FAILED_UNDEPLOYING_NETS: the deletes that failed are made again. */
    static void recoverUndeploy(PlanWork work) {
        work.setService(ServiceState.UNDEPLOYING_NETS, "recover");
        retryFailedDeletes(work);
        undeployNetworks(work);
    }

    /** {@code recover --delete}: a delete that failed is tried once more before the network is given up. */
    static void retryFailedDeletes(PlanWork work) {
        for (NetworkSnapshot network : work.trackedNetworks()) {
            if (network.deleteRequested() && (network.deleteError() != null || network.isError())) {
                work.deleteNetwork(network);
            }
        }
    }

    /** A deadline passed under {@code recover --delete}: the networks not gone are reported and let go. */
    static void giveUpNetworks(PlanWork work) {
        for (NetworkSnapshot network : work.trackedNetworks()) {
            work.forgetNetwork(network);
            work.log(ServiceEvent.network('E', network.name(), "recover --delete could not remove network "
                    + network.label() + " (" + NetworkStates.name(network.state()) + ") before the deadline"));
        }
        work.setService(ServiceState.DONE, "recover --delete finished");
    }

    /** What the networks wait for, for a deadline's reason. */
    static String waitingFor(PlanWork work) {
        return work.trackedNetworks().stream().filter(n -> !n.isReady() || n.deleteRequested())
                .map(n -> n.label() + " (" + NetworkStates.name(n.state()) + ")").collect(Collectors.joining(", "));
    }

    /** Attempts replaced by recover are deleted; their deletion is followed so the service can end. */
    private static void watchRetired(PlanWork work) {
        work.trackedNetworks().stream().filter(n -> n.retired() && n.deleteSent() && !work.deletingNetworkNow(n))
                .forEach(network -> {
                    if (network.isDone()) {
                        work.forgetNetwork(network);
                    } else {
                        work.watchNetwork(network);
                    }
                });
    }
}
