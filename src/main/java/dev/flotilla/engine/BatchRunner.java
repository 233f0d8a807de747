package dev.flotilla.engine;

import dev.flotilla.cloud.CloudDriver;
import dev.flotilla.domain.ServiceEvent;
import dev.flotilla.domain.ServiceState;
import dev.flotilla.store.EventLog;
import dev.flotilla.store.RoleActionStore;
import io.vertx.core.Future;
import io.vertx.core.eventbus.EventBus;

import java.time.Clock;
import java.util.ArrayList;
import java.util.List;

/**
 * Runs the role-action batches that are due: each batch is claimed (moved on in the store) before
 * its VMs are acted on, and every VM's outcome becomes a line in the service log. A role action
 * changes no state by itself; the VM states it causes reach the engine through the poller.
 */
public final class BatchRunner {
    private static final int CLAIM_LIMIT = 100;

    private final RoleActionStore actions;
    private final EventLog eventLog;
    private final CloudDriver driver;
    private final EventPublisher publisher;
    private final Clock clock;

    private final String node;

    public BatchRunner(RoleActionStore actions, EventLog eventLog, CloudDriver driver, EventBus bus, Clock clock,
                       String node) {
        this.node = node;
        this.actions = actions;
        this.eventLog = eventLog;
        this.driver = driver;
        this.publisher = new EventPublisher(bus);
        this.clock = clock;
    }

    /**
     * Drops what is left of the actions of services being undeployed (their VMs are going; a reboot
     * racing a terminate must not happen), then runs the due batches.
     */
    public Future<Void> runDue() {
        return actions.dropOfServicesIn(ServiceState.numbers(ServiceState::isLeaving)).compose(dropped -> {
            List<Future<Void>> logged = new ArrayList<>();
            for (RoleActionStore.Dropped d : dropped) {
                logged.add(eventLog.appendEvents(d.serviceId(), List.of(ServiceEvent.vm('W', d.role(), "Role " + d.role()
                        + ": " + d.action() + " dropped (sched action " + d.id() + "): the service is being undeployed")))
                        .onSuccess(publisher::publish).mapEmpty());
            }
            return Future.join(logged).mapEmpty();
        }).compose(v -> actions.claimDue(clock.instant(), CLAIM_LIMIT, node)).compose(claimed -> {
            List<Future<Void>> runs = new ArrayList<>();
            for (RoleActionStore.Claimed batch : claimed) {
                runs.add(run(batch));
            }
            return Future.join(runs).mapEmpty();
        });
    }

    private Future<Void> run(RoleActionStore.Claimed batch) {
        String what = batch.action() + (batch.args() == null ? "" : " (" + batch.args() + ")");
        List<Future<ServiceEvent>> outcomes = new ArrayList<>();
        for (int vmId : batch.vmIds()) {
            outcomes.add(driver.vmAction(vmId, batch.action(), batch.args())
                    .map(v -> ServiceEvent.vm('I', batch.role(), "Role " + batch.role() + " : VM " + vmId + " "
                            + what + " done (batch " + batch.batch() + "/" + batch.batches() + ")"))
                    .recover(e -> Future.succeededFuture(ServiceEvent.vm('E', batch.role(), "Role " + batch.role()
                            + " : VM " + vmId + " error performing " + what + " (batch " + batch.batch() + "/"
                            + batch.batches() + "); " + e.getMessage()))));
        }
        return Future.join(outcomes).transform(ar -> {
            List<ServiceEvent> events = outcomes.stream().map(Future::result).toList();
            return eventLog.appendEvents(batch.serviceId(), events).onSuccess(publisher::publish).mapEmpty();
        });
    }
}
