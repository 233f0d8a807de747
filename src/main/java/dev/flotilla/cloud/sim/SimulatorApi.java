package dev.flotilla.cloud.sim;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.flotilla.OperationException;
import dev.flotilla.domain.TemplateValidator;
import dev.flotilla.domain.VmStates;
import dev.flotilla.web.Http;
import dev.flotilla.json.Json;
import io.vertx.ext.web.Router;
import io.vertx.ext.web.RoutingContext;

import java.time.Clock;
import java.time.Instant;

/**
 * The built-in cloud's own routes: {@code /sim/template}, {@code /sim/vm}, {@code /sim/outage} and the
 * networks' ({@link SimulatorNetworkApi}).
 * The API mounts them behind its authentication and admin check; they are not OneFlow's and are
 * not journaled (an Idempotency-Key is ignored here).
 */
public final class SimulatorApi {
    /** A week: long enough for any simulated delay, short enough that no arithmetic on it overflows. */
    private static final long MAX_OUTAGE_SECONDS = 7 * 24 * 3600;

    private final SimulatorRepository sim;
    private final SimulatorControl control;
    private final Clock clock;

    public SimulatorApi(SimulatorRepository sim, SimulatorControl control, Clock clock) {
        this.sim = sim;
        this.control = control;
        this.clock = clock;
    }

    public void mount(Router router) {
        router.get("/sim/template").handler(this::listTemplates);
        router.post("/sim/template").handler(this::createTemplate);
        router.get("/sim/vm").handler(this::listVms);
        router.get("/sim/vm/:id").handler(this::showVm);
        router.put("/sim/vm/:id").handler(this::forceVm);
        router.put("/sim/outage").handler(this::outage);
        new SimulatorNetworkApi(sim, clock).mount(router);
    }


    private void listTemplates(RoutingContext ctx) {
        sim.listTemplates().onSuccess(all -> {
            ObjectNode root = Json.object();
            var list = root.putArray("VMTEMPLATE");
            all.forEach(t -> list.add(template(t)));
            Http.json(ctx, 200, root);
        }).onFailure(ctx::fail);
    }

    /** {@code {"name": "...", "attributes": {"SIM_DEPLOY_SECONDS": 5, ...}}}. */
    private void createTemplate(RoutingContext ctx) {
        ObjectNode body = Http.bodyObject(ctx);
        JsonNode name = body.get("name");
        if (name == null || !name.isTextual() || name.asText().isBlank()) {
            throw OperationException.badRequest("name", "Mandatory key 'name (string)' is missing");
        }
        TemplateValidator.checkName(name.asText(), "name");
        JsonNode attributes = body.get("attributes");
        if (attributes != null && !attributes.isObject()) {
            throw OperationException.badRequest("attributes", "KEY: 'attributes' must be an Object;");
        }
        ObjectNode attrs = attributes == null ? Json.object() : (ObjectNode) attributes;
        for (String key : new String[]{"SIM_DEPLOY_SECONDS", "SIM_TERMINATE_SECONDS", "SIM_READY_SECONDS"}) {
            JsonNode v = attrs.get(key);
            if (v != null && !isNonNegativeNumber(v)) {
                throw OperationException.badRequest("attributes." + key, key + " must be a number of seconds from 0 to "
                        + MAX_OUTAGE_SECONDS);
            }
        }
        sim.createTemplate(name.asText(), attrs)
                .onSuccess(t -> Http.json(ctx, 201, Json.object().set("VMTEMPLATE", template(t))))
                .onFailure(ctx::fail);
    }

    private static boolean isNonNegativeNumber(JsonNode v) {
        try {
            double seconds = Double.parseDouble(v.asText());
            return seconds >= 0 && seconds <= MAX_OUTAGE_SECONDS;
        } catch (NumberFormatException e) {
            return false;
        }
    }

    private void listVms(RoutingContext ctx) {
        Instant now = clock.instant();
        sim.listVms().onSuccess(all -> {
            ObjectNode root = Json.object();
            var list = root.putArray("VM");
            all.forEach(vm -> list.add(vm(vm.at(now))));
            Http.json(ctx, 200, root);
        }).onFailure(ctx::fail);
    }

    private void showVm(RoutingContext ctx) {
        int id = Http.id(ctx, "id");
        sim.findById(id).onSuccess(found -> {
            if (found.isEmpty()) {
                ctx.fail(OperationException.notFound("[one.vm.info] Error getting virtual machine [" + id + "]."));
                return;
            }
            Http.json(ctx, 200, Json.object().set("VM", vm(found.get().at(clock.instant()))));
        }).onFailure(ctx::fail);
    }

    /**
     * {@code {"state": "POWEROFF"|"UNKNOWN"|"FAILURE"|"RUNNING"|"DONE"}} forces what the cloud reports;
     * {@code {"monitoring": {...}}} and {@code {"user_template": {...}}} set the VM's metrics.
     */
    private void forceVm(RoutingContext ctx) {
        int id = Http.id(ctx, "id");
        ObjectNode body = Http.bodyObject(ctx);
        JsonNode state = body.get("state");
        JsonNode monitoring = body.get("monitoring");
        JsonNode userTemplate = body.get("user_template");
        if (state == null && monitoring == null && userTemplate == null) {
            throw OperationException.badRequest("state", "Give 'state', 'monitoring' or 'user_template'");
        }
        SimulatorControl.ForcedState target = null;
        if (state != null) {
            target = !state.isTextual() ? null : SimulatorControl.parse(state.asText()).orElse(null);
            if (target == null) {
                throw OperationException.badRequest("state",
                        "KEY: 'state' must be one of POWEROFF, UNKNOWN, FAILURE, RUNNING, DONE;");
            }
        }
        for (String key : new String[]{"monitoring", "user_template"}) {
            JsonNode v = body.get(key);
            if (v != null && !v.isObject()) {
                throw OperationException.badRequest(key, "KEY: '" + key + "' must be an Object;");
            }
        }
        SimulatorControl.ForcedState forced = target;
        sim.findById(id).compose(found -> {
            if (found.isEmpty()) {
                return io.vertx.core.Future.failedFuture(OperationException.notFound(
                        "[one.vm.info] Error getting virtual machine [" + id + "]."));
            }
            var observables = monitoring == null && userTemplate == null ? io.vertx.core.Future.<Void>succeededFuture()
                    : sim.mergeObservables(id, monitoring == null ? Json.object() : (ObjectNode) monitoring,
                    userTemplate == null ? Json.object() : (ObjectNode) userTemplate);
            return observables.compose(v -> forced == null ? sim.findById(id) : control.force(id, forced));
        }).onSuccess(found -> Http.json(ctx, 200, Json.object().set("VM", vm(found.orElseThrow().at(clock.instant())))))
                .onFailure(ctx::fail);
    }

    /** {@code {"mode": "fail"|"timeout", "seconds": N}}: every cloud call fails for N seconds (0 ends it). */
    private void outage(RoutingContext ctx) {
        ObjectNode body = Http.bodyObject(ctx);
        String mode = body.path("mode").asText("fail");
        if (!mode.equals("fail") && !mode.equals("timeout")) {
            throw OperationException.badRequest("mode", "KEY: 'mode' must be one of fail, timeout;");
        }
        JsonNode seconds = body.get("seconds");
        if (seconds == null || !seconds.isIntegralNumber() || !seconds.canConvertToLong() || seconds.asLong() < 0
                || seconds.asLong() > MAX_OUTAGE_SECONDS) {
            throw OperationException.badRequest("seconds", "KEY: 'seconds' must be an Integer from 0 to "
                    + MAX_OUTAGE_SECONDS + ";");
        }
        control.startOutage(Outage.Mode.valueOf(mode.toUpperCase()), seconds.asLong());
        Http.noContent(ctx);
    }

    private static ObjectNode template(SimTemplate t) {
        ObjectNode node = Json.object();
        node.put("ID", Integer.toString(t.id()));
        node.put("NAME", t.name());
        node.set("TEMPLATE", t.attributes());
        return node;
    }

    /** States are computed for the moment of the request, so a read never lags the poller. */
    private static ObjectNode vm(SimVm vm) {
        ObjectNode node = Json.object();
        node.put("ID", Integer.toString(vm.id()));
        node.put("NAME", vm.name());
        node.put("STATE", Integer.toString(vm.state()));
        node.put("LCM_STATE", Integer.toString(vm.lcmState()));
        node.put("STATE_NAME", VmStates.stateName(vm.state()));
        node.put("TEMPLATE_ID", Integer.toString(vm.templateId()));
        node.put("UNAME", vm.owner().name());
        node.put("GID", Integer.toString(vm.owner().gid()));
        node.put("REQUEST_KEY", vm.requestKey());
        ObjectNode user = vm.userTemplate().deepCopy();
        if (vm.ready()) {
            user.put("READY", "YES");
        }
        node.set("USER_TEMPLATE", user);
        node.put("SIM_DEPLOY_SECONDS", vm.deploySeconds());
        node.put("SIM_TERMINATE_SECONDS", vm.terminateSeconds());
        node.put("SIM_READY_SECONDS", vm.readySeconds());
        node.setAll(SimVmActions.describe(vm));
        return node;
    }
}
