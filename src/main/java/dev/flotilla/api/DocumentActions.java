package dev.flotilla.api;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.flotilla.OperationException;
import dev.flotilla.store.DocumentAdmin;
import io.vertx.core.Future;

import java.util.Optional;

/** {@code chown}, {@code chgrp}, {@code chmod}, {@code rename} on a service or a service template (api.md §5.5, §6.6). */
final class DocumentActions {
    private final DocumentAdmin admin;

    DocumentActions(DocumentAdmin admin) {
        this.admin = admin;
    }

    static boolean handles(String perform) {
        return perform.equals("chown") || perform.equals("chgrp") || perform.equals("chmod")
                || perform.equals("rename");
    }

    /** Runs the action on an existing document; bad parameters are a 400 naming the parameter. */
    Future<Void> run(DocumentAdmin.Kind kind, int id, String perform, ObjectNode params) {
        return switch (perform) {
            case "chown" -> {
                int uid = id(params, "owner_id").orElseThrow(() -> OperationException.badRequest(
                        "action.params.owner_id", "Action chown: You have to specify a UID"));
                int gid = id(params, "group_id").orElse(-1);
                yield checkOwner(uid, gid).compose(v -> admin.chown(kind, id, uid, gid)).mapEmpty();
            }
            case "chgrp" -> {
                int gid = id(params, "group_id").orElseThrow(() -> OperationException.badRequest(
                        "action.params.group_id", "Action chgrp: You have to specify a GID"));
                yield checkOwner(-1, gid).compose(v -> admin.chown(kind, id, -1, gid)).mapEmpty();
            }
            case "chmod" -> admin.chmod(kind, id, octet(params)).mapEmpty();
            case "rename" -> {
                JsonNode name = params.get("name");
                if (name == null || !name.isTextual() || name.asText().isBlank()) {
                    throw OperationException.badRequest("action.params.name", "Action rename: You have to specify a name");
                }
                if (name.asText().length() > 128) {
                    throw OperationException.badRequest("action.params.name", "Name is longer than 128 characters");
                }
                yield admin.rename(kind, id, name.asText()).mapEmpty();
            }
            default -> throw new IllegalArgumentException(perform);
        };
    }

    private Future<Void> checkOwner(int uid, int gid) {
        Future<Void> user = uid < 0 ? Future.succeededFuture() : admin.userGroup(uid).compose(found -> found.isPresent()
                ? Future.succeededFuture()
                : Future.failedFuture(OperationException.notFound("[one.user.info] User " + uid + " does not exist")));
        return user.compose(v -> gid < 0 ? Future.succeededFuture() : admin.groupExists(gid).compose(exists -> exists
                ? Future.<Void>succeededFuture()
                : Future.failedFuture(OperationException.notFound("[one.group.info] Group " + gid + " does not exist"))));
    }

    /** An id as OneFlow clients send it: a JSON integer or a numeric string; -1 means "keep". */
    private static Optional<Integer> id(ObjectNode params, String key) {
        JsonNode v = params.get(key);
        if (v == null || v.isNull() || (v.isTextual() && v.asText().isBlank())) {
            return Optional.empty();
        }
        if (v.isIntegralNumber() && v.canConvertToInt()) {
            return Optional.of(v.asInt());
        }
        if (v.isTextual() && v.asText().trim().matches("-?[0-9]{1,9}")) {
            return Optional.of(Integer.parseInt(v.asText().trim()));
        }
        throw OperationException.badRequest("action.params." + key, "KEY: '" + key + "' must be an Integer;");
    }

    /** Three octal digits, as a string ("640") or a number (640). */
    private static int octet(ObjectNode params) {
        JsonNode v = params.get("octet");
        if (v == null || v.isNull() || v.asText().isBlank()) {
            throw OperationException.badRequest("action.params.octet", "Action chmod: You have to specify an OCTET");
        }
        String text = v.isNumber() ? Integer.toString(v.asInt()) : v.asText().trim();
        if (!text.matches("[0-7]{3}")) {
            throw OperationException.badRequest("action.params.octet", "Invalid '" + text + "' octet permissions");
        }
        return Integer.parseInt(text, 8);
    }
}
