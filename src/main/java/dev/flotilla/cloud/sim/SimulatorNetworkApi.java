package dev.flotilla.cloud.sim;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.flotilla.OperationException;
import dev.flotilla.domain.NetworkStates;
import dev.flotilla.domain.TemplateValidator;
import dev.flotilla.json.Json;
import dev.flotilla.web.Http;
import io.vertx.core.Future;
import io.vertx.ext.web.Router;
import io.vertx.ext.web.RoutingContext;

import java.time.Clock;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;

/**
 * The simulator's network routes, {@code /sim/net} and {@code /sim/net-template}: what an admin
 * looks at and changes (SIM_NET_FAIL, timings) while services make and remove their networks.
 * Mounted with the other {@code /sim} routes, behind authentication and the admin check.
 */
final class SimulatorNetworkApi {
    private static final String[] SECONDS_KEYS = {SimNetAttributes.CREATE_SECONDS, SimNetAttributes.DELETE_SECONDS};

    private final SimulatorRepository networks;
    private final Clock clock;

    SimulatorNetworkApi(SimulatorRepository networks, Clock clock) {
        this.networks = networks;
        this.clock = clock;
    }

    void mount(Router router) {
        router.get("/sim/net").handler(this::list);
        router.get("/sim/net/:id").handler(this::show);
        router.put("/sim/net/:id").handler(this::update);
        router.get("/sim/net-template").handler(this::listTemplates);
        router.post("/sim/net-template").handler(this::createTemplate);
        router.put("/sim/net-template/:id").handler(this::updateTemplate);
    }

    private void list(RoutingContext ctx) {
        Instant now = clock.instant();
        networks.listLiveNetworks(now).onSuccess(all -> {
            ObjectNode root = Json.object();
            var list = root.putArray("VNET");
            all.forEach(net -> list.add(network(net, now)));
            Http.json(ctx, 200, root);
        }).onFailure(ctx::fail);
    }

    private void show(RoutingContext ctx) {
        int id = Http.id(ctx, "id");
        live(id).onSuccess(net -> Http.json(ctx, 200, Json.object().set("VNET", network(net, clock.instant()))))
                .onFailure(ctx::fail);
    }

    /**
     * {@code {"attributes": {...}}} merged into the network's; a null value removes an attribute
     * (SIM_NET_FAIL null or "none" clears the fault for the network's next delete).
     */
    private void update(RoutingContext ctx) {
        int id = Http.id(ctx, "id");
        ObjectNode attributes = attributes(Http.bodyObject(ctx), true);
        ObjectNode set = Json.object();
        List<String> remove = new ArrayList<>();
        for (Map.Entry<String, JsonNode> e : attributes.properties()) {
            if (e.getValue().isNull()) {
                remove.add(e.getKey());
            } else {
                set.set(e.getKey(), e.getValue());
            }
        }
        live(id).compose(found -> networks.mergeNetworkAttributes(id, set, remove))
                .onSuccess(updated -> Http.json(ctx, 200,
                        Json.object().set("VNET", network(updated.orElseThrow(), clock.instant()))))
                .onFailure(ctx::fail);
    }

    /** The network unless unknown or deleted, as oned's one.vn.info would answer. */
    private Future<SimNetwork> live(int id) {
        return networks.findNetwork(id).compose(found -> found.isEmpty() || found.get().goneAt(clock.instant())
                ? Future.failedFuture(OperationException.notFound("[one.vn.info] Error getting virtual network ["
                        + id + "]."))
                : Future.succeededFuture(found.get()));
    }

    private void listTemplates(RoutingContext ctx) {
        networks.listNetTemplates().onSuccess(all -> {
            ObjectNode root = Json.object();
            var list = root.putArray("VNTEMPLATE");
            all.forEach(t -> list.add(template(t)));
            Http.json(ctx, 200, root);
        }).onFailure(ctx::fail);
    }

    /** {@code {"name": "...", "attributes": {"SIM_NET_CREATE_SECONDS": 5, "SIM_NET_FAIL": "create", ...}}}. */
    private void createTemplate(RoutingContext ctx) {
        ObjectNode body = Http.bodyObject(ctx);
        JsonNode name = body.get("name");
        if (name == null || !name.isTextual() || name.asText().isBlank()) {
            throw OperationException.badRequest("name", "Mandatory key 'name (string)' is missing");
        }
        TemplateValidator.checkName(name.asText(), "name");
        ObjectNode attributes = body.has("attributes") ? attributes(body, false) : Json.object();
        networks.createNetTemplate(name.asText(), attributes)
                .onSuccess(t -> Http.json(ctx, 201, Json.object().set("VNTEMPLATE", template(t))))
                .onFailure(ctx::fail);
    }

    /** {@code {"attributes": {...}}} replaces the template's attributes (networks made before keep theirs). */
    private void updateTemplate(RoutingContext ctx) {
        int id = Http.id(ctx, "id");
        ObjectNode attributes = attributes(Http.bodyObject(ctx), false);
        networks.replaceNetTemplateAttributes(id, attributes).compose(updated -> updated.isEmpty()
                        ? Future.<SimNetTemplate>failedFuture(OperationException.notFound(
                                "[one.vntemplate.info] Error getting virtual network template [" + id + "]."))
                        : Future.succeededFuture(updated.get()))
                .onSuccess(t -> Http.json(ctx, 200, Json.object().set("VNTEMPLATE", template(t))))
                .onFailure(ctx::fail);
    }

    /** The body's {@code attributes} object with the simulator's own switches checked (null allowed when merging). */
    private static ObjectNode attributes(ObjectNode body, boolean merging) {
        JsonNode attributes = body.get("attributes");
        if (attributes == null || !attributes.isObject()) {
            throw OperationException.badRequest("attributes", "KEY: 'attributes' must be an Object;");
        }
        ObjectNode attrs = (ObjectNode) attributes;
        for (String key : SECONDS_KEYS) {
            JsonNode v = attrs.get(key);
            if (v != null && !(merging && v.isNull()) && !SimNetAttributes.isSeconds(v)) {
                throw OperationException.badRequest("attributes." + key, key
                        + " must be a number of seconds from 0 to " + (long) SimNetAttributes.MAX_SECONDS);
            }
        }
        JsonNode fail = attrs.get(SimNetAttributes.FAIL);
        if (fail != null && !(fail.isNull() ? merging : SimNetAttributes.isFailValue(fail))) {
            throw OperationException.badRequest("attributes." + SimNetAttributes.FAIL, SimNetAttributes.FAIL
                    + " must be one of create, delete, none");
        }
        return attrs;
    }

    private static ObjectNode template(SimNetTemplate t) {
        ObjectNode node = Json.object();
        node.put("ID", t.id());
        node.put("NAME", t.name());
        node.set("TEMPLATE", t.attributes());
        return node;
    }

    /** Its state as of the request, so a read never lags the clock. */
    private static ObjectNode network(SimNetwork net, Instant now) {
        int state = net.stateAt(now);
        ObjectNode node = Json.object();
        node.put("ID", net.id());
        node.put("NAME", net.name());
        node.put("STATE", state);
        node.put("STATE_NAME", NetworkStates.name(state));
        node.put("PARENT_NETWORK_ID", net.parentId());
        node.put("TEMPLATE_ID", net.templateId());
        node.put("UNAME", net.owner().name());
        node.put("GID", net.owner().gid());
        node.put("REQUEST_KEY", net.requestKey());
        node.set("TEMPLATE", net.attributes());
        return node;
    }
}
