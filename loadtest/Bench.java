import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.net.http.WebSocket;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Base64;
import java.util.Collections;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.Semaphore;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * Flotilla baseline benchmark: instantiates N services of 3 roles x 2 VMs against a running
 * server and reports instantiate latency (p50/p99) and services per second to RUNNING.
 * Usage: java loadtest/Bench.java [--url http://127.0.0.1:2474] [--user oneadmin] [--password pw]
 *                                 [--services 1000] [--concurrency 32] [--timeout 600] [--undeploy]
 * {@code --url} may list several nodes of one cluster, comma-separated: the instantiates (and the
 * deletes of --undeploy) go to them round robin; the template, the /events subscription and the
 * RUNNING probes go to the first (every node sees every service and event).
 * With --undeploy it then deletes them all and reports services per second to DONE. Each phase
 * prints its start and end (epoch seconds) so a cloud's call log can be split by phase.
 * No dependencies beyond the JDK (run as a single-file program).
 */
public class Bench {
    private static final Pattern ID = Pattern.compile("\"ID\"\\s*:\\s*\"(\\d+)\"");
    private static final Pattern SERVICE_TYPE = Pattern.compile("\"TYPE\"\\s*:\\s*\"100\"");

    public static void main(String[] args) throws Exception {
        List<String> urls = List.of(arg(args, "--url", "http://127.0.0.1:2474").split(","));
        String url = urls.get(0);
        String user = arg(args, "--user", "oneadmin");
        String password = arg(args, "--password", System.getenv().getOrDefault("FLOTILLA_ADMIN_PASSWORD", ""));
        int services = Integer.parseInt(arg(args, "--services", "1000"));
        int concurrency = Integer.parseInt(arg(args, "--concurrency", "32"));
        long timeoutSeconds = Long.parseLong(arg(args, "--timeout", "600"));
        String auth = "Basic " + Base64.getEncoder().encodeToString((user + ":" + password)
                .getBytes(StandardCharsets.UTF_8));
        HttpClient http = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(5)).build();

        String template = """
                {"name": "bench", "deployment": "straight", "roles": [
                  {"name": "db", "type": "vm", "template_id": 0, "cardinality": 2,
                   "template_contents": {"SIM_DEPLOY_SECONDS": "0", "SIM_TERMINATE_SECONDS": "0"}},
                  {"name": "app", "type": "vm", "template_id": 0, "cardinality": 2, "parents": ["db"],
                   "template_contents": {"SIM_DEPLOY_SECONDS": "0", "SIM_TERMINATE_SECONDS": "0"}},
                  {"name": "web", "type": "vm", "template_id": 0, "cardinality": 2, "parents": ["app"],
                   "template_contents": {"SIM_DEPLOY_SECONDS": "0", "SIM_TERMINATE_SECONDS": "0"}}]}
                """;
        HttpResponse<String> created = http.send(request(url + "/service_template", auth, "POST", template),
                HttpResponse.BodyHandlers.ofString());
        if (created.statusCode() != 201) {
            throw new IllegalStateException("template not created: " + created.statusCode() + " " + created.body());
        }
        Matcher m = ID.matcher(created.body());
        m.find();
        String templateId = m.group(1);
        String instantiate = "{\"action\":{\"perform\":\"instantiate\",\"params\":{}}}";

        System.out.printf("instantiating %d services (3 roles x 2 VMs, straight) with concurrency %d%n",
                services, concurrency);
        if (urls.size() > 1) {
            System.out.printf("spread round robin over %d nodes: %s%n", urls.size(), String.join(", ", urls));
        }
        List<Long> latenciesMicros = Collections.synchronizedList(new ArrayList<>());
        List<String> ids = Collections.synchronizedList(new ArrayList<>());
        // Instantiate -> RUNNING per service: when its request left, when its "New state: RUNNING" frame
        // arrived on one /events subscription (same machine, same clock).
        Map<String, Long> sentAt = new ConcurrentHashMap<>();
        Map<String, Long> runningAt = new ConcurrentHashMap<>();
        WebSocket stream = subscribe(http, url, auth, runningAt);
        Semaphore inFlight = new Semaphore(concurrency);
        List<CompletableFuture<Void>> all = new ArrayList<>();
        long start = System.nanoTime();
        System.out.printf("phase deploy from %.3f%n", System.currentTimeMillis() / 1000.0);
        for (int i = 0; i < services; i++) {
            inFlight.acquire();
            long sent = System.nanoTime();
            String node = urls.get(i % urls.size());
            all.add(http.sendAsync(request(node + "/service_template/" + templateId + "/action", auth, "POST",
                            instantiate), HttpResponse.BodyHandlers.ofString())
                    .thenAccept(r -> {
                        latenciesMicros.add((System.nanoTime() - sent) / 1000);
                        if (r.statusCode() != 201) {
                            throw new IllegalStateException("instantiate failed: " + r.statusCode() + " " + r.body());
                        }
                        Matcher id = ID.matcher(r.body());
                        id.find();
                        ids.add(id.group(1));
                        sentAt.put(id.group(1), sent);
                    })
                    .whenComplete((v, e) -> inFlight.release()));
        }
        CompletableFuture.allOf(all.toArray(new CompletableFuture[0])).join();
        long instantiated = System.nanoTime();

        // The Nth RUNNING service exists exactly when all N are RUNNING (the database is the benchmark's
        // own); probing one page of one service keeps the polling itself from loading the server.
        long deadline = start + timeoutSeconds * 1_000_000_000L;
        String probe = url + "/service?state=RUNNING&page_size=1&page=" + services;
        while (System.nanoTime() < deadline) {
            HttpResponse<String> page = http.send(request(probe, auth, "GET", null),
                    HttpResponse.BodyHandlers.ofString());
            if (countServices(page.body()) == 1) {
                break;
            }
            Thread.sleep(100);
        }
        long done = System.nanoTime();
        int running = countServices(http.send(request(url + "/service?state=RUNNING", auth, "GET", null),
                HttpResponse.BodyHandlers.ofString()).body());

        List<Long> sorted = new ArrayList<>(latenciesMicros);
        Collections.sort(sorted);
        double seconds = (done - start) / 1e9;
        System.out.printf("instantiate: %d requests in %.2f s; latency p50 %.1f ms, p99 %.1f ms, max %.1f ms%n",
                sorted.size(), (instantiated - start) / 1e9, pct(sorted, 50) / 1000.0, pct(sorted, 99) / 1000.0,
                sorted.get(sorted.size() - 1) / 1000.0);
        System.out.printf("RUNNING: %d of %d services after %.2f s => %.1f services/s to RUNNING (%d VMs)%n",
                running, services, seconds, running / seconds, running * 6);
        List<Long> toRunningMicros = new ArrayList<>();
        sentAt.forEach((id, sent) -> {
            Long at = runningAt.get(id);
            if (at != null) {
                toRunningMicros.add((at - sent) / 1000);
            }
        });
        Collections.sort(toRunningMicros);
        if (!toRunningMicros.isEmpty()) {
            System.out.printf("instantiate -> RUNNING (its frame on /events): %d services; p50 %.1f ms, p99 %.1f ms, "
                            + "max %.1f ms%n", toRunningMicros.size(), pct(toRunningMicros, 50) / 1000.0,
                    pct(toRunningMicros, 99) / 1000.0, toRunningMicros.get(toRunningMicros.size() - 1) / 1000.0);
        }
        stream.abort();
        System.out.printf("phase deploy until %.3f%n", System.currentTimeMillis() / 1000.0);
        if (running < services) {
            System.exit(1);
        }
        if (List.of(args).contains("--undeploy")) {
            undeploy(http, urls, auth, ids, concurrency, timeoutSeconds);
        }
    }

    private static final Pattern RUNNING_FRAME = Pattern.compile(
            "\"service_id\":(\\d+).*\"kind\":\"service_state\".*\"new\":\"RUNNING\"");

    /** One /events subscriber noting when each service's RUNNING frame arrives. */
    private static WebSocket subscribe(HttpClient http, String url, String auth, Map<String, Long> runningAt) {
        WebSocket.Listener listener = new WebSocket.Listener() {
            private final StringBuilder frame = new StringBuilder();

            @Override
            public CompletionStage<?> onText(WebSocket ws, CharSequence data, boolean last) {
                frame.append(data);
                if (last) {
                    Matcher m = RUNNING_FRAME.matcher(frame);
                    if (m.find()) {
                        runningAt.putIfAbsent(m.group(1), System.nanoTime());
                    }
                    frame.setLength(0);
                }
                ws.request(1);
                return null;
            }
        };
        return http.newWebSocketBuilder().header("Authorization", auth)
                .buildAsync(URI.create(url.replaceFirst("^http", "ws") + "/events"), listener).join();
    }

    /** Deletes every service, then waits until the last is DONE. */
    private static void undeploy(HttpClient http, List<String> urls, String auth, List<String> ids, int concurrency,
                                 long timeoutSeconds) throws Exception {
        String url = urls.get(0);
        System.out.printf("phase undeploy from %.3f%n", System.currentTimeMillis() / 1000.0);
        long start = System.nanoTime();
        Semaphore inFlight = new Semaphore(concurrency);
        List<CompletableFuture<Void>> all = new ArrayList<>();
        for (int i = 0; i < ids.size(); i++) {
            String id = ids.get(i);
            inFlight.acquire();
            all.add(http.sendAsync(request(urls.get(i % urls.size()) + "/service/" + id, auth, "DELETE", null),
                            HttpResponse.BodyHandlers.ofString())
                    .thenAccept(r -> {
                        if (r.statusCode() != 204) {
                            throw new IllegalStateException("delete failed: " + r.statusCode() + " " + r.body());
                        }
                    })
                    .whenComplete((v, e) -> inFlight.release()));
        }
        CompletableFuture.allOf(all.toArray(new CompletableFuture[0])).join();
        long deadline = start + timeoutSeconds * 1_000_000_000L;
        String probe = url + "/service?state=DONE&page_size=1&page=" + ids.size();
        while (System.nanoTime() < deadline && countServices(http.send(request(probe, auth, "GET", null),
                HttpResponse.BodyHandlers.ofString()).body()) != 1) {
            Thread.sleep(100);
        }
        double seconds = (System.nanoTime() - start) / 1e9;
        System.out.printf("DONE: %d services after %.2f s => %.1f services/s to DONE%n", ids.size(), seconds,
                ids.size() / seconds);
        System.out.printf("phase undeploy until %.3f%n", System.currentTimeMillis() / 1000.0);
    }

    /** One DOCUMENT of TYPE 100 per service in the pool (nodes carry IDs too, so IDs are not counted). */
    private static int countServices(String body) {
        int n = 0;
        Matcher m = SERVICE_TYPE.matcher(body);
        while (m.find()) {
            n++;
        }
        return n;
    }

    private static long pct(List<Long> sorted, int p) {
        int index = (int) Math.ceil(p / 100.0 * sorted.size()) - 1;
        return sorted.get(Math.max(0, Math.min(sorted.size() - 1, index)));
    }

    private static HttpRequest request(String url, String auth, String method, String body) {
        return HttpRequest.newBuilder(URI.create(url)).timeout(Duration.ofSeconds(60))
                .header("Authorization", auth).header("Content-Type", "application/json")
                .method(method, body == null ? HttpRequest.BodyPublishers.noBody()
                        : HttpRequest.BodyPublishers.ofString(body))
                .build();
    }

    private static String arg(String[] args, String name, String fallback) {
        for (int i = 0; i < args.length - 1; i++) {
            if (args[i].equals(name)) {
                return args[i + 1];
            }
        }
        return fallback;
    }
}
