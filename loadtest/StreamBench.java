import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.net.http.WebSocket;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Base64;
import java.util.Collections;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.atomic.AtomicLong;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * Event stream latency: opens N WebSocket subscribers on /events, instantiates K services, and
 * measures for every frame delivered the time from the event's commit timestamp ("time") to its
 * arrival (same machine, same clock). Reports p50/p99 over all deliveries.
 * Usage: java loadtest/StreamBench.java --url http://127.0.0.1:2474 --password pw [--sockets 1000] [--services 20]
 */
public class StreamBench {
    private static final Pattern TIME = Pattern.compile("\"time\":\"([^\"]+)\"");

    public static void main(String[] args) throws Exception {
        String url = arg(args, "--url", "http://127.0.0.1:2474");
        String password = arg(args, "--password", "");
        int sockets = Integer.parseInt(arg(args, "--sockets", "1000"));
        int services = Integer.parseInt(arg(args, "--services", "20"));
        String auth = Base64.getEncoder().encodeToString(("oneadmin:" + password).getBytes(StandardCharsets.UTF_8));
        HttpClient http = HttpClient.newHttpClient();
        List<Long> latencies = Collections.synchronizedList(new ArrayList<>());
        AtomicLong frames = new AtomicLong();

        List<CompletableFuture<WebSocket>> opening = new ArrayList<>();
        for (int i = 0; i < sockets; i++) {
            opening.add(http.newWebSocketBuilder().header("Authorization", "Basic " + auth)
                    .buildAsync(URI.create(url.replace("http://", "ws://") + "/events"), new WebSocket.Listener() {
                        private final StringBuilder partial = new StringBuilder();

                        @Override
                        public CompletionStage<?> onText(WebSocket ws, CharSequence data, boolean last) {
                            partial.append(data);
                            if (last) {
                                long arrived = System.currentTimeMillis();
                                Matcher m = TIME.matcher(partial);
                                if (m.find()) {
                                    latencies.add(arrived - Instant.parse(m.group(1)).toEpochMilli());
                                }
                                frames.incrementAndGet();
                                partial.setLength(0);
                            }
                            ws.request(1);
                            return null;
                        }
                    }));
            if (opening.size() % 100 == 0) {
                CompletableFuture.allOf(opening.toArray(new CompletableFuture[0])).join();
            }
        }
        List<WebSocket> open = new ArrayList<>();
        for (CompletableFuture<WebSocket> f : opening) {
            open.add(f.join());
        }
        System.out.printf("%d sockets subscribed%n", open.size());

        String template = "{\"name\":\"stream\",\"roles\":[{\"name\":\"r\",\"type\":\"vm\",\"template_id\":0,"
                + "\"cardinality\":1,\"template_contents\":{\"SIM_DEPLOY_SECONDS\":\"0\"}}]}";
        HttpResponse<String> created = http.send(post(url + "/service_template", auth, template),
                HttpResponse.BodyHandlers.ofString());
        Matcher id = Pattern.compile("\"ID\"\\s*:\\s*\"(\\d+)\"").matcher(created.body());
        id.find();
        for (int i = 0; i < services; i++) {
            http.send(post(url + "/service_template/" + id.group(1) + "/action", auth,
                    "{\"action\":{\"perform\":\"instantiate\"}}"), HttpResponse.BodyHandlers.ofString());
        }
        long deadline = System.nanoTime() + Duration.ofSeconds(60).toNanos();
        long previous = -1;
        while (System.nanoTime() < deadline) {
            Thread.sleep(1000); // measurement window: stop once no frame arrived for a second
            long now = frames.get();
            if (now == previous && now > 0) {
                break;
            }
            previous = now;
        }
        List<Long> sorted = new ArrayList<>(latencies);
        Collections.sort(sorted);
        System.out.printf("%d frames (%d per socket); state change -> frame latency p50 %d ms, p99 %d ms, max %d ms%n",
                sorted.size(), sorted.size() / Math.max(1, open.size()), pct(sorted, 50), pct(sorted, 99),
                sorted.get(sorted.size() - 1));
        open.forEach(ws -> ws.abort());
    }

    private static HttpRequest post(String url, String auth, String body) {
        return HttpRequest.newBuilder(URI.create(url)).header("Authorization", "Basic " + auth)
                .header("Content-Type", "application/json").POST(HttpRequest.BodyPublishers.ofString(body)).build();
    }

    private static long pct(List<Long> sorted, int p) {
        int index = (int) Math.ceil(p / 100.0 * sorted.size()) - 1;
        return sorted.get(Math.max(0, Math.min(sorted.size() - 1, index)));
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
