package dev.flotilla.api;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.dataformat.yaml.YAMLFactory;
import dev.flotilla.api.Authorizer.Decision;
import dev.flotilla.json.Json;
import dev.flotilla.web.Http;
import io.vertx.core.buffer.Buffer;
import io.vertx.ext.web.Router;
import io.vertx.ext.web.RoutingContext;

import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.util.Map;

import static io.vertx.core.http.HttpMethod.GET;

/**
 * The API's own description, public: {@code GET /openapi.json} (the {@code openapi.yaml} resource,
 * the one document the tests check every response against, converted once) and {@code /api-docs},
 * a page that renders it with a script of ours served next to it (no CDN).
 */
final class OpenApiRoutes {
    private static final String HTML = "text/html; charset=utf-8";

    /** Read and converted once per process: every API verticle answers the same bytes. */
    private static final class Files {
        static final Buffer DOCUMENT = Buffer.buffer(document());
        static final Buffer PAGE = Buffer.buffer(resource("apidocs/api-docs.html"));
        static final Map<String, Asset> ASSETS = Map.of(
                "api-docs.js", new Asset("text/javascript; charset=utf-8", Buffer.buffer(resource("apidocs/api-docs.js"))),
                "api-docs.css", new Asset("text/css; charset=utf-8", Buffer.buffer(resource("apidocs/api-docs.css"))));
    }

    private record Asset(String type, Buffer bytes) {
    }

    void mount(Router router, Authorizer authorizer) {
        authorizer.mount(router, GET, "/openapi.json", Decision.publicRoute(), ctx -> send(ctx, Http.JSON, Files.DOCUMENT));
        authorizer.mount(router, GET, "/api-docs", Decision.publicRoute(), this::page);
        authorizer.mount(router, GET, "/api-docs/:file", Decision.publicRoute(), this::asset);
    }

    private void page(RoutingContext ctx) {
        if (ctx.request().path().endsWith("/")) {
            // The page's links are relative (the API may sit behind a path prefix): keep them pointing home.
            ctx.response().setStatusCode(301).putHeader("Location", "../api-docs").end();
            return;
        }
        ctx.response().putHeader("Content-Security-Policy", "default-src 'self'; style-src 'self'; img-src 'self' data:");
        send(ctx, HTML, Files.PAGE);
    }

    private void asset(RoutingContext ctx) {
        Asset asset = Files.ASSETS.get(ctx.pathParam("file"));
        if (asset == null) {
            ctx.fail(404);
            return;
        }
        send(ctx, asset.type(), asset.bytes());
    }

    private static void send(RoutingContext ctx, String type, Buffer bytes) {
        ctx.response().putHeader("Content-Type", type).putHeader("Cache-Control", "no-cache")
                .putHeader("X-Content-Type-Options", "nosniff").end(bytes);
    }

    private static String document() {
        try {
            return Json.write(new ObjectMapper(new YAMLFactory()).readTree(resource("openapi.yaml")));
        } catch (IOException e) {
            throw new UncheckedIOException("openapi.yaml is not valid YAML", e);
        }
    }

    private static String resource(String name) {
        try (InputStream in = OpenApiRoutes.class.getClassLoader().getResourceAsStream(name)) {
            if (in == null) {
                throw new IllegalStateException(name + " is missing from the jar");
            }
            return new String(in.readAllBytes(), StandardCharsets.UTF_8);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }
}
