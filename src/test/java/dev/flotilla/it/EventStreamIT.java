package dev.flotilla.it;

import com.fasterxml.jackson.databind.JsonNode;
import dev.flotilla.support.FrameListener;
import dev.flotilla.support.TestDatabase;
import dev.flotilla.support.TestServer;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.net.http.WebSocket;
import java.net.http.WebSocketHandshakeException;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Base64;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import java.util.concurrent.CompletionException;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;

import static org.awaitility.Awaitility.await;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** The live event stream over a real WebSocket: live frames, filters, resume with since, auth. */
class EventStreamIT {
    private static TestDatabase db;
    private static TestServer server;

    @BeforeAll
    static void start() {
        db = TestDatabase.fresh();
        server = TestServer.start(db);
    }

    @AfterAll
    static void stop() {
        server.close();
        db.close();
    }

    /** A client that keeps every frame it gets, and its socket. */
    private static final class Client extends FrameListener {
        WebSocket socket;

        /** The service's log messages as they streamed (VM state observations are not part of the log). */
        List<String> messages(int serviceId) {
            return of(serviceId).stream().filter(f -> !f.path("kind").asText().equals("vm_state"))
                    .map(f -> f.path("message").asText()).toList();
        }

        List<JsonNode> vmStates(int serviceId) {
            return of(serviceId).stream().filter(f -> f.path("kind").asText().equals("vm_state")).toList();
        }

        void close() {
            socket.sendClose(WebSocket.NORMAL_CLOSURE, "bye").join();
        }
    }

    private static Client connect(String query, boolean authenticated) throws Exception {
        Client client = new Client();
        WebSocket.Builder builder = HttpClient.newHttpClient().newWebSocketBuilder();
        if (authenticated) {
            builder.header("Authorization", "Basic " + Base64.getEncoder().encodeToString(
                    ("oneadmin:" + TestServer.PASSWORD).getBytes(StandardCharsets.UTF_8)));
        }
        String base = server.api().baseUrl().replace("http://", "ws://");
        client.socket = builder.buildAsync(URI.create(base + "/events" + query), client).get(10, TimeUnit.SECONDS);
        return client;
    }

    private static int service(String name) {
        int template = server.createTemplate("{\"name\": \"" + name + "\", \"roles\": [{\"name\": \"r\", \"type\": \"vm\","
                + " \"template_id\": 0, \"cardinality\": 1}]}");
        return server.instantiate(template, null);
    }

    @Test
    void stateChangesArriveLiveWithoutReloading() throws Exception {
        Client client = connect("", true);
        int id = service("live");
        await().atMost(Duration.ofSeconds(30)).until(() -> client.messages(id).contains("New state: RUNNING"));
        List<String> seen = client.messages(id);
        assertTrue(seen.indexOf("New state: DEPLOYING") < seen.indexOf("New state: RUNNING"), seen.toString());
        JsonNode running = client.frames.stream().filter(f -> f.path("message").asText().equals("New state: RUNNING")
                && f.path("service_id").asInt() == id).findFirst().orElseThrow();
        assertEquals("service_state", running.path("kind").asText());
        assertEquals("DEPLOYING", running.path("data").path("old").asText());
        assertEquals("RUNNING", running.path("data").path("new").asText());
        await().atMost(Duration.ofSeconds(30)).until(() -> client.vmStates(id).stream()
                .anyMatch(f -> f.path("data").path("new").asText().equals("ACTIVE/3")));
        JsonNode vm = client.vmStates(id).get(0);
        assertTrue(vm.path("message").asText().matches("VM r_0_\\(service_" + id + "\\) \\(\\d+\\): .+ -> .+"),
                vm.toString());
        assertEquals("r", vm.path("data").path("role").asText());
        List<Long> seqs = client.frames.stream().map(f -> f.path("seq").asLong()).toList();
        assertEquals(seqs.size(), new HashSet<>(seqs).size(), "no frame twice");
        client.close();
    }

    @Test
    void aFilteredClientSeesOnlyItsServices() throws Exception {
        int mine = service("mine");
        Client client = connect("?services=" + mine, true);
        await().atMost(Duration.ofSeconds(30)).until(() -> server.state(mine) == 2);
        int other = service("other");
        assertEquals(204, server.api().delete("/service/" + mine).status());
        await().atMost(Duration.ofSeconds(30)).until(() -> client.messages(mine).contains("New state: DONE"));
        await().atMost(Duration.ofSeconds(30)).until(() -> server.state(other) == 2);
        assertTrue(client.frames.stream().allMatch(f -> f.path("service_id").asInt() == mine));
        client.close();
    }

    @Test
    void resumingWithSinceAcrossAReconnectMissesNothing() throws Exception {
        Client first = connect("", true);
        int id = service("resume");
        await().atMost(Duration.ofSeconds(30)).until(() -> first.messages(id).contains("New state: RUNNING"));
        long last = first.frames.get(first.frames.size() - 1).path("seq").asLong();
        first.close();

        // Events happen while nobody listens; the second connection asks for everything after `last`.
        assertEquals(204, server.api().delete("/service/" + id).status());
        await().atMost(Duration.ofSeconds(30)).until(() -> server.state(id) == 5);
        Client second = connect("?since=" + last + "&services=" + id, true);
        await().atMost(Duration.ofSeconds(30)).until(() -> second.messages(id).contains("New state: DONE"));

        List<String> stored = new ArrayList<>();
        server.body(id).get("log").forEach(e -> stored.add(e.get("message").asText()));
        List<String> streamed = new ArrayList<>(first.messages(id));
        streamed.addAll(second.messages(id));
        assertEquals(stored, streamed, "the two connections together saw exactly the service's log, in order");
        Set<Long> seqs = new HashSet<>();
        first.frames.forEach(f -> seqs.add(f.path("seq").asLong()));
        second.frames.forEach(f -> assertTrue(seqs.add(f.path("seq").asLong()), "no duplicate at the seam: " + f));
        assertTrue(second.vmStates(id).stream().anyMatch(f -> f.path("data").path("new").asText().equals("DONE/0")),
                "VM state changes while away are replayed too");
        second.close();
    }

    @Test
    void theStreamNeedsCredentials() {
        CompletionException e = assertThrows(CompletionException.class, () -> {
            try {
                connect("", false);
            } catch (java.util.concurrent.ExecutionException ex) {
                throw new CompletionException(ex.getCause());
            }
        });
        assertTrue(e.getCause() instanceof WebSocketHandshakeException, e.toString());
        assertEquals(401, ((WebSocketHandshakeException) e.getCause()).getResponse().statusCode());
    }

    @Test
    void browsersUseTheirSessionCookieFromTheirOwnOriginAndNeverCredentialsInTheUrl() throws Exception {
        String token = Base64.getEncoder().encodeToString(("oneadmin:" + TestServer.PASSWORD)
                .getBytes(StandardCharsets.UTF_8));
        ExecutionException inUrl = assertThrows(ExecutionException.class, () -> connect("?auth=" + token, false));
        assertEquals(401, ((WebSocketHandshakeException) inUrl.getCause()).getResponse().statusCode(),
                "credentials in a URL are not accepted");

        HttpResponse<String> signIn = HttpClient.newHttpClient().send(HttpRequest.newBuilder(
                        URI.create(server.api().baseUrl() + "/session"))
                .header("Content-Type", "application/json")
                .POST(HttpRequest.BodyPublishers.ofString("{\"user\": \"oneadmin\", \"password\": \""
                        + TestServer.PASSWORD + "\"}")).build(), HttpResponse.BodyHandlers.ofString());
        assertEquals(201, signIn.statusCode(), signIn.body());
        String cookie = signIn.headers().firstValue("Set-Cookie").orElseThrow();
        assertTrue(cookie.contains("HttpOnly") && cookie.contains("SameSite=Strict"), cookie);
        String session = cookie.substring(0, cookie.indexOf(';'));
        String host = server.api().baseUrl().substring("http://".length());

        ExecutionException elsewhere = assertThrows(ExecutionException.class, () -> HttpClient.newHttpClient()
                .newWebSocketBuilder().header("Cookie", session).header("Origin", "http://evil.example")
                .buildAsync(URI.create("ws://" + host + "/events"), new Client()).get(10, TimeUnit.SECONDS));
        assertEquals(403, ((WebSocketHandshakeException) elsewhere.getCause()).getResponse().statusCode(),
                "another site's page may not ride on the cookie");

        Client client = new Client();
        client.socket = HttpClient.newHttpClient().newWebSocketBuilder().header("Cookie", session)
                .header("Origin", "http://" + host)
                .buildAsync(URI.create("ws://" + host + "/events"), client).get(10, TimeUnit.SECONDS);
        int id = service("browser");
        await().atMost(Duration.ofSeconds(30)).until(() -> client.messages(id).contains("New state: RUNNING"));
        client.close();
    }
}
