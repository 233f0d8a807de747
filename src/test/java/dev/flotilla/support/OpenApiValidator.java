package dev.flotilla.support;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.dataformat.yaml.YAMLFactory;
import com.networknt.schema.JsonSchema;
import com.networknt.schema.JsonSchemaFactory;
import com.networknt.schema.SchemaLocation;
import com.networknt.schema.SpecVersion;
import com.networknt.schema.ValidationMessage;
import com.networknt.schema.oas.OpenApi31;

import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.ConcurrentHashMap;
import java.util.regex.Pattern;

/**
 * Checks a real response against the OpenAPI document the server serves ({@code openapi.yaml} on
 * the classpath, the same resource): the operation found by path and method, the response by
 * status, the media type by Content-Type, and a JSON body against that response's schema. A 2xx or
 * 3xx must be listed under its operation; an error may fall back to the operation's
 * {@code default} (an unknown path or method: to the shared {@code Error} response).
 * {@link ApiClient} and {@link RawHttp} run every response they receive through here, so the
 * document cannot drift from what the server answers.
 */
public final class OpenApiValidator {
    /** The document's identity for the schema registry; its {@code $ref}s resolve inside it. */
    private static final String IRI = "https://flotilla.invalid/openapi.json";
    private static final ObjectMapper JSON = new ObjectMapper();
    private static final OpenApiValidator INSTANCE = new OpenApiValidator(load());

    private final JsonNode document;
    private final List<PathTemplate> paths = new ArrayList<>();
    private final JsonSchemaFactory factory;
    private final Map<String, JsonSchema> schemas = new ConcurrentHashMap<>();

    private record PathTemplate(String template, Pattern pattern, int literals) {
    }

    OpenApiValidator(JsonNode document) {
        this.document = document;
        String text = document.toString();
        this.factory = JsonSchemaFactory.getInstance(SpecVersion.VersionFlag.V202012, b -> b
                .metaSchema(OpenApi31.getInstance()).defaultMetaSchemaIri(OpenApi31.getInstance().getIri())
                .schemaLoaders(loaders -> loaders.schemas(Map.of(IRI, text))));
        for (String template : names(document.path("paths"))) {
            StringBuilder regex = new StringBuilder();
            int literals = 0;
            for (String segment : template.substring(1).split("/", -1)) {
                regex.append('/');
                if (segment.startsWith("{") && segment.endsWith("}")) {
                    regex.append("[^/]+");
                } else {
                    regex.append(Pattern.quote(segment));
                    literals++;
                }
            }
            paths.add(new PathTemplate(template, Pattern.compile(regex.toString()), literals));
        }
    }

    public static OpenApiValidator get() {
        return INSTANCE;
    }

    /** The document as parsed (for tests that look at it). */
    public JsonNode document() {
        return document;
    }

    private static JsonNode load() {
        try (InputStream in = OpenApiValidator.class.getResourceAsStream("/openapi.yaml")) {
            if (in == null) {
                throw new IllegalStateException("openapi.yaml is not on the classpath");
            }
            // Read as the server reads it for /openapi.json.
            return new ObjectMapper(new YAMLFactory()).readTree(new String(in.readAllBytes(), StandardCharsets.UTF_8));
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    /** The documented path template a request path falls under (the most literal one), if any. */
    public Optional<String> template(String path) {
        return paths.stream().filter(p -> p.pattern().matcher(path).matches())
                .max(java.util.Comparator.comparingInt(PathTemplate::literals)).map(PathTemplate::template);
    }

    /** Throws an {@link AssertionError} saying what differs when the response is not as documented. */
    public void check(String method, String target, int status, String contentType, String body) {
        List<String> problems = problems(method, target, status, contentType, body);
        if (!problems.isEmpty()) {
            String shown = body == null ? "" : body.length() > 2000 ? body.substring(0, 2000) + "…" : body;
            throw new AssertionError("The response to " + method + " " + target + " (" + status + ", "
                    + contentType + ") is not as openapi.yaml documents it:\n  " + String.join("\n  ", problems)
                    + "\nbody: " + shown);
        }
    }

    List<String> problems(String method, String target, int status, String contentType, String body) {
        String path = target.contains("?") ? target.substring(0, target.indexOf('?')) : target;
        Optional<String> found = template(path);
        if (found.isEmpty() && path.length() > 1 && path.endsWith("/")) {
            found = template(path.substring(0, path.length() - 1)); // Vert.x routes "/x" answer "/x/" too
        }
        Optional<String> template = found;
        JsonNode operation = template.map(t -> document.path("paths").path(t).path(method.toLowerCase(Locale.ROOT)))
                .filter(JsonNode::isObject).orElse(null);
        String where;
        JsonNode response;
        if (operation == null) {
            if (status < 400) {
                return List.of(method + " " + path + " is not documented, yet it answered " + status);
            }
            where = "#/components/responses/Error";
            response = resolve(document.path("components").path("responses").path("Error"));
        } else {
            String pointer = "#/paths/" + escape(template.get()) + "/" + method.toLowerCase(Locale.ROOT) + "/responses/";
            JsonNode responses = operation.path("responses");
            String key = responses.has(Integer.toString(status)) ? Integer.toString(status)
                    : responses.has(status / 100 + "XX") ? status / 100 + "XX"
                    : status >= 400 && responses.has("default") ? "default" : null;
            if (key == null) {
                return List.of("status " + status + " is not documented for " + method + " " + template.get());
            }
            where = pointer + key;
            response = responses.path(key);
            while (response.has("$ref")) {
                where = response.path("$ref").asText();
                response = resolve(response);
            }
        }
        return bodyProblems(where, response, method, status, contentType, body);
    }

    private List<String> bodyProblems(String where, JsonNode response, String method, int status, String contentType,
                                      String body) {
        JsonNode content = response.path("content");
        boolean empty = body == null || body.isEmpty();
        if (!content.isObject() || content.isEmpty()) {
            return empty || method.equals("HEAD") ? List.of()
                    : List.of(where + " documents no body, yet there is one");
        }
        if (method.equals("HEAD") || (empty && status == 304)) {
            return List.of();
        }
        String media = contentType == null ? "" : contentType.split(";")[0].trim().toLowerCase(Locale.ROOT);
        JsonNode type = null;
        String typeKey = null;
        for (String name : names(content)) {
            boolean wildcard = name.equals("*/*") || (name.endsWith("/*") && media.startsWith(name.substring(0, name.length() - 1)));
            if (name.equalsIgnoreCase(media) || wildcard) {
                type = content.path(name);
                typeKey = name;
                break;
            }
        }
        if (type == null) {
            return List.of(where + " documents " + names(content) + ", not the Content-Type '" + contentType + "'");
        }
        if (!media.equals("application/json") || !type.has("schema")) {
            return List.of(); // text, HTML and the like: the media type is what can be checked
        }
        JsonNode instance;
        try {
            instance = JSON.readTree(body);
        } catch (JsonProcessingException e) {
            return List.of("the body is not JSON: " + e.getOriginalMessage());
        }
        String schemaAt = where.startsWith("#") ? where : "#";
        JsonSchema schema = schemas.computeIfAbsent(schemaAt + "/content/" + escape(typeKey) + "/schema",
                at -> factory.getSchema(SchemaLocation.of(IRI + at)));
        List<String> out = new ArrayList<>();
        for (ValidationMessage e : schema.validate(instance)) {
            out.add(e.getInstanceLocation() + ": " + e.getMessage());
        }
        return out;
    }

    private JsonNode resolve(JsonNode node) {
        JsonNode at = node;
        while (at.has("$ref")) {
            String ref = at.path("$ref").asText();
            at = document.at(ref.substring(1));
        }
        return at;
    }

    private static List<String> names(JsonNode object) {
        List<String> out = new ArrayList<>();
        object.fieldNames().forEachRemaining(out::add);
        return out;
    }

    /** A JSON-pointer token: '~' and '/' escaped. */
    private static String escape(String token) {
        return token.replace("~", "~0").replace("/", "~1");
    }

    /** Method and target of an HTTP/1.1 request as written, or null when it does not start with a request line. */
    static String[] requestLine(byte[] request) {
        String head = new String(request, 0, Math.min(request.length, 8192), StandardCharsets.ISO_8859_1);
        int end = head.indexOf("\r\n");
        String[] parts = (end < 0 ? head : head.substring(0, end)).split(" ");
        if (parts.length != 3 || !parts[0].matches("[A-Z]{3,7}") || !parts[1].startsWith("/")
                || !parts[2].startsWith("HTTP/1.")) {
            return null;
        }
        return new String[]{parts[0], parts[1]};
    }
}
