package dev.flotilla.api;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.dataformat.yaml.YAMLFactory;
import dev.flotilla.support.ApiClient;
import dev.flotilla.support.OpenApiValidator;
import dev.flotilla.support.TestDatabase;
import dev.flotilla.support.TestServer;
import io.vertx.core.internal.VertxInternal;
import io.vertx.ext.web.Route;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.openqa.selenium.By;
import org.openqa.selenium.WebDriver;
import org.openqa.selenium.chrome.ChromeDriver;
import org.openqa.selenium.chrome.ChromeDriverService;
import org.openqa.selenium.chrome.ChromeOptions;
import org.openqa.selenium.support.ui.ExpectedConditions;
import org.openqa.selenium.support.ui.WebDriverWait;

import java.io.File;
import java.io.InputStream;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.WebSocket;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Base64;
import java.util.List;
import java.util.Locale;
import java.util.Set;
import java.util.TreeSet;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * The OpenAPI document against the server itself: every route the API mounts is documented, every
 * documented operation is mounted (or, for {@code /events}, accepts a WebSocket), the document is
 * well-formed, served as JSON at {@code /openapi.json} and rendered at {@code /api-docs}. (Every
 * response of every IT is checked against it by {@link ApiClient}.)
 */
class OpenApiIT {
    private static final Set<String> METHODS = Set.of("get", "put", "post", "delete", "patch", "head", "options");
    private static TestDatabase db;
    private static TestServer server;
    private static JsonNode document;

    @BeforeAll
    static void start() throws Exception {
        db = TestDatabase.fresh();
        server = TestServer.start(db);
        try (InputStream in = OpenApiIT.class.getResourceAsStream("/openapi.yaml")) {
            document = new ObjectMapper(new YAMLFactory()).readTree(in);
        }
    }

    @AfterAll
    static void stop() {
        server.close();
        db.close();
    }

    /** A route as mounted: its methods (empty = any) and its path as the document writes it. */
    private record Mounted(Set<String> methods, String path, boolean prefix) {
        boolean allows(String method) {
            return methods.isEmpty() ? method.equals("get") : methods.contains(method);
        }
    }

    private static List<Mounted> mountedRoutes() {
        VertxInternal vertx = (VertxInternal) server.flotilla().vertx();
        ApiVerticle api = vertx.deploymentManager().deployments().stream()
                .flatMap(d -> d.deployment().instances().stream())
                .filter(ApiVerticle.class::isInstance).map(ApiVerticle.class::cast).findFirst().orElseThrow();
        List<Mounted> out = new ArrayList<>();
        for (Route route : api.router().getRoutes()) {
            if (route.getPath() == null) {
                continue; // the handlers of every request: input gate, body, authentication, failures
            }
            Set<String> methods = new TreeSet<>();
            if (route.methods() != null) {
                route.methods().forEach(m -> methods.add(m.name().toLowerCase(Locale.ROOT)));
            }
            // Vert.x keeps "/ui/*" as the prefix "/ui/", and ":id" as written.
            out.add(new Mounted(methods, route.getPath().replaceAll(":([A-Za-z_]+)", "{$1}"), !route.isExactPath()));
        }
        return out;
    }

    @Test
    void everyMountedRouteIsDocumented() {
        List<String> missing = new ArrayList<>();
        for (Mounted route : mountedRoutes()) {
            if (route.prefix()) {
                boolean covered = iterable(document.path("paths").fieldNames()).stream()
                        .anyMatch(p -> p.startsWith(route.path()));
                if (!covered) {
                    missing.add("ANY " + route.path() + "*");
                }
                continue;
            }
            JsonNode item = document.path("paths").path(route.path());
            Set<String> methods = route.methods().isEmpty() ? Set.of("get") : route.methods();
            for (String method : methods) {
                if (!item.path(method).isObject()) {
                    missing.add(method.toUpperCase(Locale.ROOT) + " " + route.path());
                }
            }
        }
        assertTrue(missing.isEmpty(), "mounted but not in openapi.yaml: " + missing);
    }

    @Test
    void everyDocumentedOperationIsMounted() throws Exception {
        List<Mounted> routes = mountedRoutes();
        List<String> missing = new ArrayList<>();
        for (String path : iterable(document.path("paths").fieldNames())) {
            for (String method : iterable(document.path("paths").path(path).fieldNames())) {
                if (!METHODS.contains(method)) {
                    continue;
                }
                JsonNode operation = document.path("paths").path(path).path(method);
                if (operation.path("x-flotilla-websocket").asBoolean()) {
                    acceptsWebSocket(path);
                    continue;
                }
                // A prefix route ("/ui/*", kept as "/ui/") answers the prefix itself and "<prefix>{file}".
                boolean mounted = routes.stream().anyMatch(r -> r.allows(method) && (r.path().equals(path)
                        || (r.prefix() && (path.equals(r.path().substring(0, r.path().length() - 1))
                        || path.startsWith(r.path()) && path.substring(r.path().length()).matches("\\{[a-z_]+}")))));
                if (!mounted) {
                    missing.add(method.toUpperCase(Locale.ROOT) + " " + path);
                }
            }
        }
        assertTrue(missing.isEmpty(), "in openapi.yaml but not mounted: " + missing);
    }

    private static void acceptsWebSocket(String path) throws Exception {
        String basic = "Basic " + Base64.getEncoder().encodeToString(("oneadmin:" + TestServer.PASSWORD)
                .getBytes(StandardCharsets.UTF_8));
        WebSocket socket = HttpClient.newHttpClient().newWebSocketBuilder().header("Authorization", basic)
                .buildAsync(URI.create("ws://127.0.0.1:" + server.port() + path), new WebSocket.Listener() {
                    @Override
                    public CompletionStage<?> onText(WebSocket webSocket, CharSequence data, boolean last) {
                        webSocket.request(1);
                        return null;
                    }
                }).get(10, TimeUnit.SECONDS);
        socket.sendClose(WebSocket.NORMAL_CLOSURE, "done").get(10, TimeUnit.SECONDS);
    }

    @Test
    void theDocumentIsWellFormed() {
        assertTrue(document.path("openapi").asText().startsWith("3.1"), "OpenAPI 3.1");
        Set<String> operationIds = new TreeSet<>();
        List<String> problems = new ArrayList<>();
        for (String path : iterable(document.path("paths").fieldNames())) {
            JsonNode item = document.path("paths").path(path);
            for (String method : iterable(item.fieldNames())) {
                if (!METHODS.contains(method)) {
                    continue;
                }
                JsonNode op = item.path(method);
                String id = op.path("operationId").asText("");
                if (id.isEmpty() || !operationIds.add(id)) {
                    problems.add(method + " " + path + ": operationId missing or repeated: '" + id + "'");
                }
                if (!op.path("responses").isObject() || op.path("responses").isEmpty()) {
                    problems.add(method + " " + path + ": no responses");
                }
                op.path("responses").fields().forEachRemaining(r -> {
                    if (!resolve(r.getValue()).has("description")) {
                        problems.add(method + " " + path + " " + r.getKey() + ": a response needs a description");
                    }
                });
                Matcher params = Pattern.compile("\\{([a-z_]+)}").matcher(path);
                while (params.find()) {
                    String name = params.group(1);
                    List<JsonNode> declared = new ArrayList<>();
                    item.path("parameters").forEach(declared::add);
                    op.path("parameters").forEach(declared::add);
                    if (declared.stream().map(OpenApiIT::resolve).noneMatch(p -> p.path("in").asText().equals("path")
                            && p.path("name").asText().equals(name) && p.path("required").asBoolean())) {
                        problems.add(method + " " + path + ": path parameter {" + name + "} is not declared (required)");
                    }
                }
            }
        }
        collectBadRefs(document, "", problems);
        assertTrue(problems.isEmpty(), String.join("\n", problems));
    }

    private static JsonNode resolve(JsonNode node) {
        JsonNode at = node;
        while (at.has("$ref")) {
            at = document.at(at.path("$ref").asText().substring(1));
        }
        return at;
    }

    private static void collectBadRefs(JsonNode node, String where, List<String> problems) {
        if (node.isObject()) {
            node.fields().forEachRemaining(e -> {
                if (e.getKey().equals("$ref")) {
                    String ref = e.getValue().asText();
                    if (!ref.startsWith("#/") || document.at(ref.substring(1)).isMissingNode()) {
                        problems.add(where + ": $ref " + ref + " does not resolve");
                    }
                } else {
                    collectBadRefs(e.getValue(), where + "/" + e.getKey(), problems);
                }
            });
        } else if (node.isArray()) {
            for (int i = 0; i < node.size(); i++) {
                collectBadRefs(node.get(i), where + "/" + i, problems);
            }
        }
    }

    @Test
    void theDocumentIsServedAsJsonToAnyone() {
        ApiClient.Response r = server.api().anonymous().get("/openapi.json");
        assertEquals(200, r.status(), r.body());
        assertTrue(r.contentType().startsWith("application/json"), r.contentType());
        assertEquals(new ObjectMapper().valueToTree(document), r.json(), "the served JSON is openapi.yaml");
        // The validator every IT uses reads the same resource.
        assertEquals(OpenApiValidator.get().document().path("paths").size(), r.json().path("paths").size());
    }

    @Test
    void theDocsPageAndItsFilesAreServedFromTheJar() {
        ApiClient anyone = server.api().anonymous();
        ApiClient.Response page = anyone.get("/api-docs");
        assertEquals(200, page.status());
        assertTrue(page.contentType().startsWith("text/html"), page.contentType());
        assertTrue(page.body().contains("src=\"api-docs/api-docs.js\""), page.body());
        assertTrue(!page.body().contains("http://") && !page.body().contains("https://"), "nothing from another site");
        ApiClient.Response script = anyone.get("/api-docs/api-docs.js");
        assertEquals(200, script.status());
        assertTrue(script.contentType().startsWith("text/javascript"), script.contentType());
        assertTrue(script.body().contains("openapi.json"));
        assertEquals(200, anyone.get("/api-docs/api-docs.css").status());
        assertEquals(404, anyone.get("/api-docs/secret.txt").status());
        ApiClient.Response slash = anyone.get("/api-docs/");
        assertTrue(slash.status() == 200 || slash.status() == 301, "the page with a trailing slash: " + slash.status());
    }

    /** The page in a real browser: every operation drawn, the schemas expanded, nothing failing. */
    @Test
    void theDocsPageRendersEveryOperationInABrowser() throws Exception {
        ChromeOptions options = new ChromeOptions();
        options.setBinary(new File("/usr/bin/chromium"));
        options.addArguments("--headless=new", "--no-sandbox", "--disable-gpu", "--disable-dev-shm-usage",
                "--disable-background-networking", "--disable-component-update", "--disable-sync", "--no-first-run",
                "--user-data-dir=" + Files.createTempDirectory("flotilla-apidocs").toString());
        ChromeDriverService service = new ChromeDriverService.Builder()
                .usingDriverExecutable(new File("/usr/bin/chromedriver")).usingAnyFreePort().build();
        WebDriver browser = new ChromeDriver(service, options);
        try {
            browser.get(server.api().baseUrl() + "/api-docs#showService");
            WebDriverWait wait = new WebDriverWait(browser, Duration.ofSeconds(30));
            wait.until(ExpectedConditions.attributeToBe(By.id("doc"), "aria-busy", "false"));
            int operations = 0;
            for (String path : iterable(document.path("paths").fieldNames())) {
                for (String method : iterable(document.path("paths").path(path).fieldNames())) {
                    if (METHODS.contains(method)) {
                        operations++;
                        String id = document.path("paths").path(path).path(method).path("operationId").asText();
                        assertNotNull(browser.findElement(By.id(id)), id);
                    }
                }
            }
            assertEquals(operations, browser.findElements(By.cssSelector("details.op:not(.def)")).size());
            // The deep link opened its operation, with the service's schema drawn as a tree.
            String shown = browser.findElement(By.id("showService")).getText();
            assertTrue(shown.contains("DOCUMENT") && shown.contains("PERMISSIONS"), shown);
            assertTrue(browser.findElements(By.cssSelector(".error")).isEmpty(), "the page shows no error");
            // A schema drawn inside another is linked to its own entry, which the link opens.
            browser.findElement(By.cssSelector("#showService a[href='#schema-ServiceBody']")).click();
            wait.until(ExpectedConditions.attributeToBe(By.id("schema-ServiceBody"), "open", "true"));
            assertTrue(browser.findElement(By.id("schema-ServiceBody")).getText().contains("start_time"));
        } finally {
            browser.quit();
        }
    }

    private static List<String> iterable(java.util.Iterator<String> names) {
        List<String> out = new ArrayList<>();
        names.forEachRemaining(out::add);
        return out;
    }
}
