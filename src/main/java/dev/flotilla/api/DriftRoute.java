package dev.flotilla.api;

import dev.flotilla.OperationException;
import dev.flotilla.cloud.CloudDriver;
import dev.flotilla.domain.Drift;
import dev.flotilla.json.Json;
import dev.flotilla.store.VmObservations;
import dev.flotilla.web.Http;
import io.vertx.core.Future;
import io.vertx.ext.web.RoutingContext;

/**
 * {@code GET /drift} (admin only, by its route's decision): where the cloud and Flotilla disagree — stray VMs, members whose VM is
 * gone, VMs in a state their role does not expect — each with what {@code recover} would do.
 */
final class DriftRoute {
    private final VmObservations members;
    private final CloudDriver cloud;

    DriftRoute(VmObservations members, CloudDriver cloud) {
        this.members = members;
        this.cloud = cloud;
    }

    void handle(RoutingContext ctx) {
        Future<java.util.List<Drift.CloudVm>> vms = cloud.serviceVms()
                .recover(e -> Future.failedFuture(OperationException.unavailable("The cloud")));
        Future.all(members.members(), vms).onSuccess(both -> {
            var list = Json.object();
            var drift = list.putArray("DRIFT");
            for (Drift.Finding f : Drift.report(both.resultAt(0), both.resultAt(1))) {
                drift.addObject().put("KIND", f.kind().name()).put("SERVICE_ID", f.serviceId())
                        .put("ROLE", f.role()).put("VM_ID", f.vmId()).put("STATE", f.state())
                        .put("REMEDY", f.remedy());
            }
            Http.json(ctx, 200, list);
        }).onFailure(ctx::fail);
    }
}
