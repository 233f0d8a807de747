package dev.flotilla.api;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.flotilla.OperationException;
import dev.flotilla.domain.TemplateValidator;
import dev.flotilla.json.Json;
import dev.flotilla.store.UserStore;
import dev.flotilla.web.Http;
import dev.flotilla.web.TextRules;
import io.vertx.core.Future;
import io.vertx.core.Vertx;
import io.vertx.ext.web.Router;
import io.vertx.ext.web.RoutingContext;

import java.util.ArrayList;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Set;

/**
 * The simulator's users and groups (decision 8), as oned keeps them for a real cloud:
 * {@code /sim/user} and {@code /sim/group}. Mounted under {@code /sim/*}, so oneadmin only. Passwords
 * are hashed off the event loop and never shown.
 */
final class SimulatorUsers {
    /** A user created without groups joins {@code users}, as in OpenNebula. */
    private static final int USERS_GROUP = 1;

    private final UserStore users;
    private final Vertx vertx;

    SimulatorUsers(UserStore users, Vertx vertx) {
        this.users = users;
        this.vertx = vertx;
    }

    void mount(Router router) {
        router.get("/sim/user").handler(this::listUsers);
        router.post("/sim/user").handler(this::createUser);
        router.delete("/sim/user/:id").handler(this::deleteUser);
        router.get("/sim/group").handler(this::listGroups);
        router.post("/sim/group").handler(this::createGroup);
    }

    private void listUsers(RoutingContext ctx) {
        users.users().onSuccess(all -> {
            ObjectNode root = Json.object();
            ArrayNode list = root.putObject("USER_POOL").putArray("USER");
            for (UserStore.UserRow u : all) {
                ObjectNode user = list.addObject().put("ID", u.id()).put("NAME", u.name()).put("GID", u.gid())
                        .put("GNAME", u.gname());
                u.groups().forEach(user.putObject("GROUPS").putArray("ID")::add);
            }
            Http.json(ctx, 200, root);
        }).onFailure(ctx::fail);
    }

    /** {@code {"name", "password", "groups": [gid, ...]}}: the first group is the primary one. */
    private void createUser(RoutingContext ctx) {
        ObjectNode body = Http.bodyObject(ctx);
        String name = name(body);
        JsonNode password = body.get("password");
        if (password == null || !password.isTextual() || password.asText().isEmpty()) {
            throw OperationException.badRequest("password", "Mandatory key 'password (string)' is missing");
        }
        if (!TextRules.isPlainText(password.asText()) || password.asText().length() > 256) {
            throw OperationException.badRequest("password", "A password is 1 to 256 characters, none of them control characters");
        }
        List<Integer> groups = groups(body.get("groups"));
        users.missingGroups(groups).compose(missing -> {
            if (!missing.isEmpty()) {
                return Future.failedFuture(OperationException.badRequest("groups", "No such group: " + missing));
            }
            return vertx.executeBlocking(() -> Passwords.hash(password.asText()), false)
                    .compose(hash -> users.createUser(name, hash, groups))
                    .compose(id -> id.map(Future::succeededFuture).orElseGet(() -> Future.failedFuture(taken("USER", name))));
        }).onSuccess(id -> Http.json(ctx, 201, Json.object().set("USER", Json.object().put("ID", id)
                .put("NAME", name).put("GID", groups.get(0))))).onFailure(ctx::fail);
    }

    private void deleteUser(RoutingContext ctx) {
        int id = Http.id(ctx, "id");
        if (id == 0) {
            throw new OperationException(403, "forbidden", "oneadmin cannot be deleted", java.util.Map.of());
        }
        users.deleteUser(id).onSuccess(outcome -> {
            switch (outcome) {
                case DELETED -> {
                    vertx.eventBus().publish(dev.flotilla.bus.Addresses.USERS_CHANGED, id);
                    Http.noContent(ctx);
                }
                case NOT_FOUND -> ctx.fail(OperationException.notFound("[one.user.delete] Error getting user [" + id
                        + "]."));
                case OWNS_DOCUMENTS -> ctx.fail(new OperationException(409, "conflict", "[one.user.delete] User [" + id
                        + "] still owns services or templates; chown or delete them first", java.util.Map.of()));
            }
        }).onFailure(ctx::fail);
    }

    private void listGroups(RoutingContext ctx) {
        users.groups().onSuccess(all -> {
            ObjectNode root = Json.object();
            ArrayNode list = root.putObject("GROUP_POOL").putArray("GROUP");
            all.forEach(g -> list.addObject().put("ID", g.id()).put("NAME", g.name()));
            Http.json(ctx, 200, root);
        }).onFailure(ctx::fail);
    }

    /** {@code {"name"}}; new groups are numbered from 100, as oned does. */
    private void createGroup(RoutingContext ctx) {
        String name = name(Http.bodyObject(ctx));
        users.createGroup(name)
                .compose(id -> id.map(Future::succeededFuture).orElseGet(() -> Future.failedFuture(taken("GROUP", name))))
                .onSuccess(id -> Http.json(ctx, 201, Json.object().set("GROUP", Json.object().put("ID", id)
                        .put("NAME", name)))).onFailure(ctx::fail);
    }

    /** As oned words it; nothing was stored. */
    private static OperationException taken(String kind, String name) {
        return new OperationException(409, "conflict", "NAME is already taken by " + kind + " '" + name + "'",
                java.util.Map.of("field", "name"));
    }

    private static String name(ObjectNode body) {
        JsonNode name = body.get("name");
        if (name == null || !name.isTextual() || name.asText().isBlank()) {
            throw OperationException.badRequest("name", "Mandatory key 'name (string)' is missing");
        }
        TemplateValidator.checkName(name.asText(), "name");
        if (name.asText().contains(":") || name.asText().contains(" ") || !TextRules.isPlainText(name.asText())) {
            // A colon would split ONE_AUTH's "user:password"; oned refuses both.
            throw OperationException.badRequest("name", "Invalid NAME, it cannot contain spaces, ':' or control characters");
        }
        return name.asText();
    }

    private static List<Integer> groups(JsonNode given) {
        if (given == null || given.isNull()) {
            return List.of(USERS_GROUP);
        }
        if (!given.isArray() || given.isEmpty() || given.size() > 100) {
            throw OperationException.badRequest("groups", "KEY: 'groups' must be an Array of 1 to 100 group IDs;");
        }
        Set<Integer> out = new LinkedHashSet<>();
        for (JsonNode g : given) {
            if (!g.isIntegralNumber() || !g.canConvertToInt() || g.asInt() < 0) {
                throw OperationException.badRequest("groups", "KEY: 'groups' must hold group IDs;");
            }
            out.add(g.asInt());
        }
        return new ArrayList<>(out);
    }
}
