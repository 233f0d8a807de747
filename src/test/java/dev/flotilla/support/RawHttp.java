package dev.flotilla.support;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.util.Base64;
import java.util.Locale;

/**
 * HTTP/1.1 over a plain socket, byte for byte as written: for what ordinary clients refuse to
 * send or would normalize (dot segments, raw escapes, half-sent requests). Each response to a
 * whole request line is checked against the OpenAPI document ({@link OpenApiValidator}).
 */
public final class RawHttp {
    private RawHttp() {
    }

    /** A response: status and body (read to Content-Length, chunked end or connection close). */
    public record Response(int status, String head, String body) {
        /** A header's value (the first one), or null. */
        public String header(String name) {
            for (String line : head.split("\r\n")) {
                int colon = line.indexOf(':');
                if (colon > 0 && line.substring(0, colon).trim().equalsIgnoreCase(name)) {
                    return line.substring(colon + 1).trim();
                }
            }
            return null;
        }
    }

    public static String basic(String user, String password) {
        return "Basic " + Base64.getEncoder().encodeToString((user + ":" + password).getBytes(StandardCharsets.UTF_8));
    }

    /** Sends {@code request} (CRLFs included) and reads one response, with a read timeout. */
    public static Response exchange(int port, byte[] request, int timeoutMs) {
        try (Socket socket = new Socket("127.0.0.1", port)) {
            socket.setSoTimeout(timeoutMs);
            socket.getOutputStream().write(request);
            socket.getOutputStream().flush();
            Response response = read(socket.getInputStream());
            String[] line = OpenApiValidator.requestLine(request);
            if (line != null) {
                // What even odd requests get back must be as the OpenAPI document says.
                OpenApiValidator.get().check(line[0], line[1], response.status(), response.header("Content-Type"),
                        response.body());
            }
            return response;
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    public static Response exchange(int port, String request) {
        return exchange(port, request.getBytes(StandardCharsets.UTF_8), 10_000);
    }

    /** A request with Host, Connection: close and, with a body, Content-Length. */
    public static String request(String method, String target, String authorization, String contentType, String body) {
        StringBuilder r = new StringBuilder(method + " " + target + " HTTP/1.1\r\nHost: 127.0.0.1\r\nConnection: close\r\n");
        if (authorization != null) {
            r.append("Authorization: ").append(authorization).append("\r\n");
        }
        if (contentType != null) {
            r.append("Content-Type: ").append(contentType).append("\r\n");
        }
        if (body != null) {
            r.append("Content-Length: ").append(body.getBytes(StandardCharsets.UTF_8).length).append("\r\n");
        }
        r.append("\r\n");
        if (body != null) {
            r.append(body);
        }
        return r.toString();
    }

    public static Response read(InputStream in) throws IOException {
        String head = readHead(in);
        String[] statusLine = head.split("\r\n", 2)[0].split(" ");
        int status = Integer.parseInt(statusLine[1]);
        String lower = head.toLowerCase(Locale.ROOT);
        byte[] body;
        int lengthAt = lower.indexOf("\r\ncontent-length:");
        if (lengthAt >= 0) {
            int end = lower.indexOf("\r\n", lengthAt + 2);
            int length = Integer.parseInt(head.substring(lengthAt + 17, end < 0 ? head.length() : end).trim());
            body = in.readNBytes(length);
        } else if (lower.contains("\r\ntransfer-encoding: chunked")) {
            body = readChunked(in);
        } else {
            body = in.readAllBytes();
        }
        return new Response(status, head, new String(body, StandardCharsets.UTF_8));
    }

    private static String readHead(InputStream in) throws IOException {
        ByteArrayOutputStream head = new ByteArrayOutputStream();
        int matched = 0;
        byte[] end = {'\r', '\n', '\r', '\n'};
        while (matched < 4) {
            int b = in.read();
            if (b < 0) {
                throw new IOException("connection closed before a response head: " + head);
            }
            head.write(b);
            matched = b == end[matched] ? matched + 1 : (b == '\r' ? 1 : 0);
        }
        return head.toString(StandardCharsets.ISO_8859_1);
    }

    private static byte[] readChunked(InputStream in) throws IOException {
        ByteArrayOutputStream body = new ByteArrayOutputStream();
        while (true) {
            StringBuilder line = new StringBuilder();
            int b;
            while ((b = in.read()) >= 0 && b != '\n') {
                if (b != '\r') {
                    line.append((char) b);
                }
            }
            int size = Integer.parseInt(line.toString().split(";")[0].trim(), 16);
            if (size == 0) {
                in.readNBytes(2);
                return body.toByteArray();
            }
            body.write(in.readNBytes(size));
            in.readNBytes(2);
        }
    }
}
