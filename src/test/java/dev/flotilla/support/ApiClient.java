package dev.flotilla.support;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;

import java.io.IOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.Base64;
import java.util.Map;

/**
 * A small HTTP client for the REST API as an external OneFlow client would use it. Every response
 * is checked against the OpenAPI document ({@link OpenApiValidator}); one that differs fails the test.
 */
public final class ApiClient {
    private static final ObjectMapper MAPPER = new ObjectMapper();

    private final HttpClient http = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(5)).build();
    private final String base;
    private final String authorization;
    private final Map<String, String> headers;

    public ApiClient(String base, String user, String password) {
        this(base, user == null ? null : "Basic " + Base64.getEncoder()
                .encodeToString((user + ":" + password).getBytes(StandardCharsets.UTF_8)), Map.of());
    }

    private ApiClient(String base, String authorization, Map<String, String> headers) {
        this.base = base;
        this.authorization = authorization;
        this.headers = headers;
    }

    public String baseUrl() {
        return base;
    }

    public ApiClient as(String user, String password) {
        return new ApiClient(base, user, password);
    }

    public ApiClient anonymous() {
        return new ApiClient(base, null, Map.of());
    }

    /** The same client sending one more header on every request. */
    public ApiClient withHeader(String name, String value) {
        Map<String, String> more = new java.util.HashMap<>(headers);
        more.put(name, value);
        return new ApiClient(base, authorization, Map.copyOf(more));
    }

    /** A response: status, raw body, and the body parsed as JSON when it is JSON. */
    public record Response(int status, String body, String contentType, java.net.http.HttpHeaders headers) {
        public Response(int status, String body, String contentType) {
            this(status, body, contentType, java.net.http.HttpHeaders.of(Map.of(), (a, b) -> true));
        }

        public String header(String name) {
            return headers.firstValue(name).orElse(null);
        }

        public JsonNode json() {
            try {
                return MAPPER.readTree(body);
            } catch (IOException e) {
                throw new AssertionError("not JSON (" + status + "): " + body, e);
            }
        }
    }

    public Response get(String path) {
        return send("GET", path, null, null);
    }

    public Response getJson(String path) {
        return send("GET", path, null, "application/json");
    }

    public Response post(String path, String body) {
        return send("POST", path, body, null);
    }

    public Response postJson(String path, String body) {
        return send("POST", path, body, "application/json");
    }

    public Response put(String path, String body) {
        return send("PUT", path, body, null);
    }

    public Response delete(String path) {
        return send("DELETE", path, null, null);
    }

    public Response deleteJson(String path) {
        return send("DELETE", path, null, "application/json");
    }

    public Response send(String method, String path, String body, String accept) {
        HttpRequest.Builder request = HttpRequest.newBuilder(URI.create(base + path))
                .timeout(Duration.ofSeconds(30))
                .method(method, body == null ? HttpRequest.BodyPublishers.noBody()
                        : HttpRequest.BodyPublishers.ofString(body));
        if (body != null) {
            request.header("Content-Type", "application/json");
        }
        if (authorization != null) {
            request.header("Authorization", authorization);
        }
        if (accept != null) {
            request.header("Accept", accept);
        }
        headers.forEach(request::header);
        try {
            HttpResponse<String> response = http.send(request.build(), HttpResponse.BodyHandlers.ofString());
            String contentType = response.headers().firstValue("Content-Type").orElse("");
            // Every answer any test receives must be as the OpenAPI document says.
            OpenApiValidator.get().check(method, path, response.statusCode(), contentType, response.body());
            return new Response(response.statusCode(), response.body(), contentType, response.headers());
        } catch (IOException e) {
            throw new java.io.UncheckedIOException(method + " " + path + " failed: " + e, e);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new AssertionError(e);
        }
    }
}
