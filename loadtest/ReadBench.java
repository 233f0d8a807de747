import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Base64;
import java.util.Collections;
import java.util.List;
import java.util.concurrent.ThreadLocalRandom;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * Flotilla read benchmark: creates N services of 3 roles x 2 VMs (into an empty database) and waits
 * until they are RUNNING, then for each route
 * (the list, GET /service, and one service, GET /service/:id) and each concurrency (1, 8, 64 by
 * default) sends requests back to back on keep-alive connections for a fixed time and reports
 * requests/s, p50, p99 and the size of one answer.
 * Usage: java loadtest/ReadBench.java [--url http://127.0.0.1:2474] [--user oneadmin] [--password pw]
 *                                     [--services 200] [--seconds 10] [--concurrency 1,8,64]
 *                                     [--existing true]   (measure the services already there)
 * No dependencies beyond the JDK (run as a single-file program).
 */
public class ReadBench {
    private static final Pattern ID = Pattern.compile("\"ID\"\\s*:\\s*\"(\\d+)\"");

    public static void main(String[] args) throws Exception {
        String url = arg(args, "--url", "http://127.0.0.1:2474");
        String user = arg(args, "--user", "oneadmin");
        String password = arg(args, "--password", System.getenv().getOrDefault("FLOTILLA_ADMIN_PASSWORD", ""));
        int services = Integer.parseInt(arg(args, "--services", "200"));
        int seconds = Integer.parseInt(arg(args, "--seconds", "10"));
        String[] levels = arg(args, "--concurrency", "1,8,64").split(",");
        String auth = "Basic " + Base64.getEncoder().encodeToString((user + ":" + password)
                .getBytes(StandardCharsets.UTF_8));
        HttpClient http = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(5)).build();

        boolean existing = Boolean.parseBoolean(arg(args, "--existing", "false"));
        List<String> ids = existing ? existingServices(http, url, auth) : ensureServices(http, url, auth, services);
        System.out.printf("%d services of 3 roles x 2 VMs RUNNING; %d s per measurement%n", ids.size(), seconds);
        System.out.println("route                 c   req/s      p50 ms   p99 ms   bytes");
        for (String level : levels) {
            int c = Integer.parseInt(level.trim());
            measure(http, auth, "GET /service", c, seconds, () -> url + "/service");
            measure(http, auth, "GET /service/:id", c, seconds,
                    () -> url + "/service/" + ids.get(ThreadLocalRandom.current().nextInt(ids.size())));
        }
    }

    /** A service document's own ID (the VMs' IDs inside it are not followed by TYPE 100). */
    private static final Pattern SERVICE_ID = Pattern.compile(
            "\\{\"ID\":\"(\\d+)\",\"UID\":\"\\d+\",\"GID\":\"\\d+\",\"UNAME\":\"[^\"]*\",\"GNAME\":\"[^\"]*\","
            + "\"NAME\":\"[^\"]*\",\"TYPE\":\"100\"");

    /** The services already there (--existing true: after a deploy run, e.g. loadtest/memory.sh). */
    private static List<String> existingServices(HttpClient http, String url, String auth) throws Exception {
        Matcher m = SERVICE_ID.matcher(http.send(get(url + "/service", auth), HttpResponse.BodyHandlers.ofString()).body());
        List<String> ids = new ArrayList<>();
        while (m.find()) {
            ids.add(m.group(1));
        }
        return ids;
    }

    /** Creates N services (into an empty database) and waits until all are RUNNING; returns their ids. */
    private static List<String> ensureServices(HttpClient http, String url, String auth, int services)
            throws Exception {
        String template = """
                {"name": "readbench", "deployment": "straight", "roles": [
                  {"name": "db", "type": "vm", "template_id": 0, "cardinality": 2},
                  {"name": "app", "type": "vm", "template_id": 0, "cardinality": 2, "parents": ["db"]},
                  {"name": "web", "type": "vm", "template_id": 0, "cardinality": 2, "parents": ["app"]}]}
                """;
        HttpResponse<String> created = http.send(post(url + "/service_template", auth, template),
                HttpResponse.BodyHandlers.ofString());
        Matcher m = ID.matcher(created.body());
        if (!m.find()) {
            throw new IllegalStateException("template not created: " + created.statusCode() + " " + created.body());
        }
        String instantiate = "{\"action\":{\"perform\":\"instantiate\",\"params\":{}}}";
        List<String> ids = new ArrayList<>();
        for (int i = 0; i < services; i++) {
            HttpResponse<String> r = http.send(post(url + "/service_template/" + m.group(1) + "/action", auth,
                    instantiate), HttpResponse.BodyHandlers.ofString());
            Matcher id = ID.matcher(r.body());
            if (r.statusCode() != 201 || !id.find()) {
                throw new IllegalStateException("instantiate failed: " + r.statusCode() + " " + r.body());
            }
            ids.add(id.group(1)); // the answer's first ID is the service's own
        }
        long deadline = System.nanoTime() + Duration.ofMinutes(10).toNanos();
        // The Nth RUNNING service exists once all are up (the database holds only these).
        while (!ID.matcher(http.send(get(url + "/service?state=RUNNING&page_size=1&page=" + services, auth),
                HttpResponse.BodyHandlers.ofString()).body()).find()) {
            if (System.nanoTime() > deadline) {
                throw new IllegalStateException("not all " + services + " services RUNNING after 10 minutes");
            }
            Thread.sleep(500); // a benchmark's own pace, not a test
        }
        return ids;
    }

    private static void measure(HttpClient http, String auth, String route, int concurrency, int seconds,
                                java.util.function.Supplier<String> target) throws InterruptedException {
        List<Long> micros = Collections.synchronizedList(new ArrayList<>());
        long[] bytes = {0};
        long end = System.nanoTime() + Duration.ofSeconds(seconds).toNanos();
        List<Thread> workers = new ArrayList<>();
        for (int w = 0; w < concurrency; w++) {
            Thread t = new Thread(() -> {
                List<Long> mine = new ArrayList<>();
                while (System.nanoTime() < end) {
                    long sent = System.nanoTime();
                    try {
                        HttpResponse<byte[]> r = http.send(get(target.get(), auth), HttpResponse.BodyHandlers.ofByteArray());
                        if (r.statusCode() != 200) {
                            throw new IllegalStateException(route + " answered " + r.statusCode());
                        }
                        bytes[0] = r.body().length;
                    } catch (Exception e) {
                        throw new IllegalStateException(e);
                    }
                    mine.add((System.nanoTime() - sent) / 1000);
                }
                micros.addAll(mine);
            });
            t.start();
            workers.add(t);
        }
        for (Thread t : workers) {
            t.join();
        }
        List<Long> sorted = new ArrayList<>(micros);
        Collections.sort(sorted);
        System.out.printf("%-20s %3d %8.1f %9.1f %8.1f %7d%n", route, concurrency, sorted.size() / (double) seconds,
                pct(sorted, 50) / 1000.0, pct(sorted, 99) / 1000.0, bytes[0]);
    }

    private static long pct(List<Long> sorted, int p) {
        return sorted.isEmpty() ? 0 : sorted.get(Math.min(sorted.size() - 1, sorted.size() * p / 100));
    }

    private static HttpRequest get(String url, String auth) {
        return HttpRequest.newBuilder(URI.create(url)).timeout(Duration.ofSeconds(30)).header("Authorization", auth)
                .header("Accept", "application/json").GET().build();
    }

    private static HttpRequest post(String url, String auth, String body) {
        return HttpRequest.newBuilder(URI.create(url)).timeout(Duration.ofSeconds(30)).header("Authorization", auth)
                .header("Content-Type", "application/json").POST(HttpRequest.BodyPublishers.ofString(body)).build();
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
