package dev.flotilla.cli;

import dev.flotilla.support.TestDatabase;
import dev.flotilla.support.TestServer;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;

import static org.awaitility.Awaitility.await;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** {@code oneflow-template top} and {@code oneflow top}: frames that follow what changes on the server. */
class TopIT {
    private static TestDatabase db;
    private static TestServer server;
    private static Map<String, String> env;

    @BeforeAll
    static void start() {
        db = TestDatabase.fresh();
        server = TestServer.start(db);
        env = Map.of("ONEFLOW_URL", server.api().baseUrl(), "ONEFLOW_USER", "oneadmin",
                "ONEFLOW_PASSWORD", TestServer.PASSWORD, "HOME", System.getProperty("java.io.tmpdir"));
    }

    @AfterAll
    static void stop() {
        server.close();
        db.close();
    }

    /** A run in the background; its output so far is readable while it runs. */
    private record Running(CompletableFuture<Integer> code, ByteArrayOutputStream out, ByteArrayOutputStream err) {
        String output() {
            return out.toString(StandardCharsets.UTF_8);
        }

        /** The frames printed so far, each without the screen-clearing sequence that starts it. */
        List<String> frames() {
            return Arrays.stream(output().split(java.util.regex.Pattern.quote(TopOptions.CLEAR), -1)).skip(1).toList();
        }
    }

    private static Running start(Object tool, String... args) {
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        ByteArrayOutputStream err = new ByteArrayOutputStream();
        CompletableFuture<Integer> code = CompletableFuture.supplyAsync(() -> Cli.run(tool, args, env,
                new PrintStream(out, true, StandardCharsets.UTF_8), new PrintStream(err, true, StandardCharsets.UTF_8)));
        return new Running(code, out, err);
    }

    @Test
    void templateTopRedrawsTheListWithWhatWasCreatedMeanwhile() throws Exception {
        server.createTemplate("{\"name\": \"first\", \"roles\": [{\"name\": \"a\", \"type\": \"vm\", \"template_id\": 0}]}");
        Running top = start(new OneflowTemplate(), "top", "--delay", "1", "--iterations", "4");
        await().atMost(Duration.ofSeconds(20)).until(() -> !top.frames().isEmpty());
        String first = top.frames().get(0);
        assertTrue(first.lines().findFirst().orElseThrow().matches("\\s*ID USER\\s+GROUP\\s+NAME\\s+REGTIME"), first);
        assertTrue(first.contains(" first "), first);
        assertFalse(first.contains(" second "), first);

        server.createTemplate("{\"name\": \"second\", \"roles\": [{\"name\": \"a\", \"type\": \"vm\", \"template_id\": 0}]}");
        assertEquals(0, top.code().get(30, TimeUnit.SECONDS), top.err().toString(StandardCharsets.UTF_8));
        List<String> frames = top.frames();
        assertEquals(4, frames.size(), "one frame per refresh: " + top.output());
        String last = frames.get(3);
        assertTrue(last.contains(" first ") && last.contains(" second "), "the last frame is the list as it is now: "
                + last);
    }

    @Test
    void serviceTopTakesTheListOptions() throws Exception {
        Running top = start(new Oneflow(), "top", "-d", "1", "--iterations", "2", "--csv", "-l", "ID,NAME,STATE");
        assertEquals(0, top.code().get(30, TimeUnit.SECONDS), top.err().toString(StandardCharsets.UTF_8));
        List<String> frames = top.frames();
        assertEquals(2, frames.size(), top.output());
        assertEquals("ID,NAME,STATE", frames.get(1).lines().findFirst().orElseThrow());
    }

    @Test
    void aDelayBelowOneSecondIsRefusedAndTheTestOptionIsNotAdvertised() throws Exception {
        Running zero = start(new OneflowTemplate(), "top", "-d", "0");
        assertEquals(255, zero.code().get(30, TimeUnit.SECONDS));
        assertTrue(zero.err().toString(StandardCharsets.UTF_8).contains("--delay must be a whole number of seconds"),
                zero.err().toString(StandardCharsets.UTF_8));
        assertTrue(zero.frames().isEmpty(), zero.output());

        Running help = start(new OneflowTemplate(), "top", "--help");
        assertEquals(0, help.code().get(30, TimeUnit.SECONDS));
        assertTrue(help.output().contains("--delay"), help.output());
        assertFalse(help.output().contains("--iterations"), help.output());
    }

    @Test
    void anErrorAnswerEndsTopWithItsStatus() throws Exception {
        Map<String, String> wrong = new java.util.HashMap<>(env);
        wrong.put("ONEFLOW_PASSWORD", "not-the-password");
        ByteArrayOutputStream err = new ByteArrayOutputStream();
        int code = Cli.run(new OneflowTemplate(), new String[]{"top", "-d", "1"}, wrong,
                new PrintStream(new ByteArrayOutputStream(), true, StandardCharsets.UTF_8),
                new PrintStream(err, true, StandardCharsets.UTF_8));
        assertEquals(401, code);
        assertTrue(err.toString(StandardCharsets.UTF_8).contains("Invalid credentials"), err.toString(StandardCharsets.UTF_8));
    }
}
