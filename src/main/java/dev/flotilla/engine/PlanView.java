package dev.flotilla.engine;

import dev.flotilla.domain.DriverCall;
import dev.flotilla.domain.NewVm;
import dev.flotilla.domain.Plan;
import dev.flotilla.domain.RoleActions;
import dev.flotilla.domain.RoleSnapshot;
import dev.flotilla.domain.ServiceEvent;
import dev.flotilla.domain.ServiceSnapshot;
import dev.flotilla.domain.VmSnapshot;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;

import java.util.List;
import java.util.Map;

/** What a dry run answers: the plan that would be committed, in words a person can check. */
final class PlanView {
    private PlanView() {
    }

    static JsonObject of(ServiceSnapshot snapshot, Plan plan) {
        JsonObject roles = new JsonObject();
        for (RoleSnapshot role : snapshot.roles()) {
            JsonObject r = new JsonObject();
            if (plan.states().roleStates().containsKey(role.name())) {
                r.put("state", new JsonObject().put("from", role.state().name())
                        .put("to", plan.states().roleStates().get(role.name()).name()));
            }
            if (plan.states().cardinalities().containsKey(role.name())) {
                r.put("cardinality", new JsonObject().put("from", role.cardinality())
                        .put("to", plan.states().cardinalities().get(role.name())));
            }
            if (!r.isEmpty()) {
                roles.put(role.name(), r);
            }
        }
        JsonArray terminate = new JsonArray();
        JsonArray resume = new JsonArray();
        JsonArray release = new JsonArray();
        for (DriverCall call : plan.driverCalls()) {
            String vm = label(snapshot, call.requestKey());
            if (call instanceof DriverCall.Terminate t) {
                terminate.add(vm + (t.hard() ? " (hard)" : ""));
            } else if (call instanceof DriverCall.Resume) {
                resume.add(vm);
            } else if (call instanceof DriverCall.Release) {
                release.add(vm);
            }
        }
        return new JsonObject()
                .put("dry_run", true)
                .put("service", new JsonObject().put("from", snapshot.state().name())
                        .put("to", plan.states().serviceState().name()))
                .put("roles", roles)
                .put("create", new JsonArray(plan.vms().newVms().stream().map(NewVm::name).toList()))
                .put("terminate", terminate)
                .put("resume", resume)
                .put("release", release)
                .put("log", new JsonArray(plan.events().stream().map(ServiceEvent::message).toList()));
    }

    static JsonObject of(String action, Map<String, List<RoleActions.Batch>> batchesByRole) {
        JsonArray batches = new JsonArray();
        batchesByRole.forEach((role, list) -> list.forEach(b -> batches.add(new JsonObject()
                .put("role", role).put("batch", b.index() + 1).put("of", list.size())
                .put("at", b.at().toString()).put("vm_ids", new JsonArray(b.vmIds())))));
        return new JsonObject().put("dry_run", true).put("action", action).put("batches", batches);
    }

    private static String label(ServiceSnapshot snapshot, String requestKey) {
        for (RoleSnapshot role : snapshot.roles()) {
            for (VmSnapshot vm : role.vms()) {
                if (vm.requestKey().equals(requestKey)) {
                    return vm.label();
                }
            }
        }
        return requestKey;
    }
}
