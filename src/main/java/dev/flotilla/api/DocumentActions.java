package dev.flotilla.api;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.flotilla.OperationException;
import dev.flotilla.domain.DocumentChange;
import dev.flotilla.domain.TemplateValidator;

import io.vertx.ext.web.RoutingContext;

import java.util.Optional;

/** The parameters of chown, chgrp, chmod and rename (api.md §5.5, §6.6) as a {@link DocumentChange}. */
final class DocumentActions {
    private DocumentActions() {
    }

    static boolean handles(String perform) {
        return perform.equals("chown") || perform.equals("chgrp") || perform.equals("chmod")
                || perform.equals("rename");
    }

    /** MANAGE was checked by the route; chown, chgrp and chmod may need more (who gets it, admin bits). */
    static void authorize(RoutingContext ctx, String perform, DocumentChange change) {
        if (change instanceof DocumentChange.Chown c) {
            Authorizer.requireChange(ctx, perform, c.uid(), c.gid(), 0);
        } else if (change instanceof DocumentChange.Chmod c) {
            Authorizer.requireChange(ctx, perform, -1, -1, c.permissions());
        }
    }

    /** Bad parameters are a 400 naming the parameter. */
    static DocumentChange parse(String perform, ObjectNode params) {
        return switch (perform) {
            case "chown" -> new DocumentChange.Chown(id(params, "owner_id").orElseThrow(() -> OperationException
                    .badRequest("action.params.owner_id", "Action chown: You have to specify a UID")),
                    id(params, "group_id").orElse(-1));
            case "chgrp" -> new DocumentChange.Chown(-1, id(params, "group_id").orElseThrow(() -> OperationException
                    .badRequest("action.params.group_id", "Action chgrp: You have to specify a GID")));
            case "chmod" -> new DocumentChange.Chmod(octet(params));
            case "rename" -> {
                JsonNode name = params.get("name");
                if (name == null || !name.isTextual() || name.asText().isBlank()) {
                    throw OperationException.badRequest("action.params.name", "Action rename: You have to specify a name");
                }
                if (name.asText().length() > TemplateValidator.MAX_NAME_LENGTH) {
                    throw OperationException.badRequest("action.params.name", "Name is longer than "
                            + TemplateValidator.MAX_NAME_LENGTH + " characters");
                }
                yield new DocumentChange.Rename(name.asText());
            }
            default -> throw new IllegalArgumentException(perform);
        };
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
