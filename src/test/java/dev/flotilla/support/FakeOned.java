package dev.flotilla.support;

import org.w3c.dom.Document;
import org.w3c.dom.Element;
import org.w3c.dom.NodeList;

import javax.xml.parsers.DocumentBuilderFactory;
import java.io.ByteArrayInputStream;
import java.io.File;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.ServerSocket;
import java.net.URI;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

import static org.awaitility.Awaitility.await;

/**
 * The shared fake oned ({@code ../shared/fake-oned}, an in-memory OpenNebula core that OneFlow's
 * own server runs against unchanged) as a process on free ports, with its call log, for one test
 * class. Its test helpers ({@code fake.*}) and any {@code one.*} call are reachable through
 * {@link #call}.
 */
public final class FakeOned implements AutoCloseable {
    public static final String SERVER_PASSWORD = "serveradmin-pass";

    private final int port;
    private final int zmqPort;
    private final Path callLog;
    private final Path authFile;
    private final List<String> extraArgs;
    private Process process;

    /** {@code events}: whether oned publishes on ZeroMQ. Extra arguments go to fake_oned.py as they are. */
    public FakeOned(boolean events, String... extraArgs) {
        this.port = freePort();
        this.zmqPort = events ? freePort() : 0;
        this.extraArgs = List.of(extraArgs);
        try {
            Path dir = Files.createTempDirectory("fake-oned");
            this.callLog = dir.resolve("calls.jsonl");
            this.authFile = dir.resolve("oneflow_auth");
            Files.writeString(authFile, "serveradmin:" + SERVER_PASSWORD + "\n");
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        start();
    }

    /** Where fake_oned.py is: beside the project (the workplace's shared folder). */
    static Path script() {
        for (Path p : List.of(Path.of("..", "shared", "fake-oned", "fake_oned.py"),
                Path.of("/work/shared/fake-oned/fake_oned.py"))) {
            if (Files.exists(p)) {
                return p;
            }
        }
        throw new IllegalStateException("fake_oned.py not found in ../shared/fake-oned (the workplace's fake oned)");
    }

    public void start() {
        List<String> command = new ArrayList<>(List.of("/usr/bin/python3", script().toString(), "--port",
                Integer.toString(port), "--zmq-port", Integer.toString(zmqPort), "--pending-delay", "0.2",
                "--step-delay", "0.1", "--call-log", callLog.toString(), "--serveradmin-auth-file",
                authFile.toString()));
        command.addAll(extraArgs);
        ProcessBuilder pb = new ProcessBuilder(command).redirectErrorStream(true)
                .redirectOutput(ProcessBuilder.Redirect.appendTo(new File("target/fake-oned-" + port + ".log")));
        try {
            process = pb.start();
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        await().atMost(Duration.ofSeconds(20)).pollInterval(Duration.ofMillis(100)).ignoreExceptions()
                .until(() -> call("one.system.version", "oneadmin:opennebula") != null);
    }

    /** Kills the process: everything it held in memory is gone, as when oned's host dies. */
    public void stop() {
        if (process != null) {
            process.destroyForcibly();
            try {
                process.waitFor();
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
        }
    }

    /** SIGSTOP / SIGCONT: oned hangs (accepts nothing, answers nothing) and then goes on. */
    public void pause(boolean paused) {
        try {
            new ProcessBuilder("kill", paused ? "-STOP" : "-CONT", Long.toString(process.pid())).start().waitFor();
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }

    public String xmlrpc() {
        return "http://127.0.0.1:" + port + "/RPC2";
    }

    /** What a Flotilla server needs to drive this oned. */
    public Map<String, String> env() {
        Map<String, String> env = new HashMap<>();
        env.put("FLOTILLA_DRIVER", "opennebula");
        env.put("FLOTILLA_ONE_XMLRPC", xmlrpc());
        env.put("FLOTILLA_SUBSCRIBER_ENDPOINT", zmqPort == 0 ? "" : "tcp://127.0.0.1:" + zmqPort);
        env.put("FLOTILLA_ONE_AUTH_FILE", authFile.toString());
        return env;
    }

    /** The call log: one JSON object per core call (method, user, arguments, error). */
    public List<String> calls() {
        try {
            return Files.exists(callLog) ? Files.readAllLines(callLog) : List.of();
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    /**
     * Calls {@code method(params...)} and returns oned's values (success first), or for the
     * session-less {@code fake.*} helpers their single value.
     */
    public List<Object> call(String method, Object... params) {
        StringBuilder xml = new StringBuilder("<?xml version=\"1.0\"?><methodCall><methodName>").append(method)
                .append("</methodName><params>");
        for (Object p : params) {
            xml.append("<param><value>");
            if (p instanceof Boolean b) {
                xml.append("<boolean>").append(b ? 1 : 0).append("</boolean>");
            } else if (p instanceof Integer) {
                xml.append("<i4>").append(p).append("</i4>");
            } else {
                xml.append("<string>").append(String.valueOf(p).replace("&", "&amp;").replace("<", "&lt;"))
                        .append("</string>");
            }
            xml.append("</value></param>");
        }
        xml.append("</params></methodCall>");
        try {
            // One connection per call, closed after it: the fake answers HTTP/1.0 without keep-alive,
            // and java.net.http's pool would now and then send a call on a connection it had closed.
            java.net.HttpURLConnection http = (java.net.HttpURLConnection) URI.create(xmlrpc()).toURL().openConnection();
            http.setConnectTimeout(10_000);
            http.setReadTimeout(10_000);
            http.setDoOutput(true);
            http.setRequestMethod("POST");
            http.setRequestProperty("Content-Type", "text/xml");
            http.setRequestProperty("Connection", "close");
            try (var body = http.getOutputStream()) {
                body.write(xml.toString().getBytes(java.nio.charset.StandardCharsets.UTF_8));
            }
            byte[] answer;
            try (var in = http.getInputStream()) {
                answer = in.readAllBytes();
            } finally {
                http.disconnect();
            }
            Document doc = DocumentBuilderFactory.newInstance().newDocumentBuilder()
                    .parse(new ByteArrayInputStream(answer));
            List<Object> out = new ArrayList<>();
            NodeList values = doc.getElementsByTagName("value");
            for (int i = 0; i < values.getLength(); i++) {
                Element v = (Element) values.item(i);
                if (v.getElementsByTagName("array").getLength() > 0 || v.getElementsByTagName("struct").getLength() > 0) {
                    continue;
                }
                String type = v.getFirstChild() instanceof Element e ? e.getTagName() : "string";
                String text = v.getTextContent();
                out.add(switch (type) {
                    case "boolean" -> text.trim().equals("1");
                    case "int", "i4", "i8" -> Integer.parseInt(text.trim());
                    default -> text;
                });
            }
            return out;
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        } catch (Exception e) {
            throw new IllegalStateException(method + ": " + e, e);
        }
    }

    /** The value of a one.* call that must succeed. */
    public Object ok(String method, Object... params) {
        List<Object> values = call(method, params);
        if (values.isEmpty() || !Boolean.TRUE.equals(values.get(0))) {
            throw new IllegalStateException(method + " failed: " + values);
        }
        return values.get(1);
    }

    /** A VM as oned holds it (DONE ones included). */
    public record Vm(int id, String name, int state, int lcmState, String owner, String serviceId, String role,
                     String requestKey) {
    }

    /** Every VM oned holds, read as oneadmin. */
    public List<Vm> vms() {
        String xml = (String) ok("one.vmpool.infoextended", "oneadmin:opennebula", -2, -1, -1, -2);
        try {
            Document doc = DocumentBuilderFactory.newInstance().newDocumentBuilder()
                    .parse(new ByteArrayInputStream(xml.getBytes(java.nio.charset.StandardCharsets.UTF_8)));
            List<Vm> out = new ArrayList<>();
            NodeList vms = doc.getDocumentElement().getChildNodes();
            for (int i = 0; i < vms.getLength(); i++) {
                if (vms.item(i) instanceof Element vm && vm.getTagName().equals("VM")) {
                    Element user = (Element) vm.getElementsByTagName("USER_TEMPLATE").item(0);
                    out.add(new Vm(Integer.parseInt(child(vm, "ID")), child(vm, "NAME"),
                            Integer.parseInt(child(vm, "STATE")), Integer.parseInt(child(vm, "LCM_STATE")),
                            child(vm, "UNAME"), child(user, "SERVICE_ID"), child(user, "ROLE_NAME"),
                            child(user, "FLOTILLA_REQUEST_KEY")));
                }
            }
            return out;
        } catch (Exception e) {
            throw new IllegalStateException(e);
        }
    }

    private static String child(Element parent, String name) {
        if (parent == null) {
            return null;
        }
        NodeList nodes = parent.getChildNodes();
        for (int i = 0; i < nodes.getLength(); i++) {
            if (nodes.item(i) instanceof Element e && e.getTagName().equals(name)) {
                return e.getTextContent();
            }
        }
        return null;
    }

    @Override
    public void close() {
        stop();
    }

    private static int freePort() {
        try (ServerSocket s = new ServerSocket(0)) {
            return s.getLocalPort();
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }
}
