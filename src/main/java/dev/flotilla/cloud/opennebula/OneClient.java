package dev.flotilla.cloud.opennebula;

import dev.flotilla.cloud.CloudRefusedException;
import io.vertx.core.Future;
import io.vertx.core.Vertx;
import io.vertx.core.buffer.Buffer;
import io.vertx.core.http.PoolOptions;
import io.vertx.ext.web.client.WebClient;
import io.vertx.ext.web.client.WebClientOptions;

import java.net.URI;
import java.util.List;

/**
 * oned's XML-RPC endpoint on Vert.x's non-blocking web client (kept-alive, bounded pool, connect
 * and idle timeouts). A call either answers oned's result, fails with a {@link CloudRefusedException}
 * carrying a {@link OneError} when oned said no, or fails otherwise when oned could not be asked.
 */
final class OneClient {
    private static final int TIMEOUT_MS = 20_000;

    private final WebClient client;
    private final URI endpoint;

    OneClient(Vertx vertx, String endpoint) {
        this.endpoint = URI.create(endpoint);
        this.client = WebClient.create(vertx, new WebClientOptions()
                .setKeepAlive(true)
                .setConnectTimeout(5_000)
                .setIdleTimeout(60)
                .setDefaultHost(this.endpoint.getHost())
                .setDefaultPort(this.endpoint.getPort() < 0 ? 80 : this.endpoint.getPort())
                .setSsl("https".equals(this.endpoint.getScheme())),
                new PoolOptions().setHttp1MaxSize(16));
    }

    /** {@code method(session, args...)}; the result is oned's second value (a string or a number). */
    Future<Object> call(String method, String session, Object... args) {
        Object[] params = new Object[args.length + 1];
        params[0] = session;
        System.arraycopy(args, 0, params, 1, args.length);
        String path = endpoint.getRawPath() == null || endpoint.getRawPath().isEmpty() ? "/RPC2" : endpoint.getRawPath();
        return client.post(path)
                .putHeader("Content-Type", "text/xml")
                .timeout(TIMEOUT_MS)
                .sendBuffer(Buffer.buffer(XmlRpc.call(method, params)))
                .compose(response -> {
                    if (response.statusCode() != 200) {
                        return Future.failedFuture(new IllegalStateException("oned answered HTTP "
                                + response.statusCode() + " to " + method));
                    }
                    List<Object> values = XmlRpc.values(response.bodyAsString());
                    if (values.isEmpty() || !(values.get(0) instanceof Boolean ok)) {
                        return Future.failedFuture(new IllegalStateException("oned's answer to " + method
                                + " is not [success, result, ...]"));
                    }
                    if (!ok) {
                        String message = values.size() > 1 ? String.valueOf(values.get(1)) : method + " failed";
                        int code = values.size() > 2 && values.get(2) instanceof Long c ? c.intValue() : 0;
                        return Future.failedFuture(new CloudRefusedException(message, new OneError(message, code)));
                    }
                    return Future.succeededFuture(values.size() > 1 ? values.get(1) : null);
                });
    }

    /** The {@link OneError} behind a refusal, or null when oned could not be asked. */
    static OneError oneError(Throwable failure) {
        return failure instanceof CloudRefusedException r && r.getCause() instanceof OneError e ? e : null;
    }

    void close() {
        client.close();
    }
}
