package dev.flotilla.api;

import dev.flotilla.config.FlotillaConfig;
import io.vertx.core.Vertx;
import io.vertx.core.http.HttpConnection;
import io.vertx.core.net.SocketAddress;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.util.HashMap;
import java.util.Map;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * Bounds what connections may hold: at most {@code max_connections} open (counted across the API
 * verticles), and each must deliver a whole request within {@code request_timeout} seconds of
 * opening or of its previous answer; a connection that dribbles headers or a body (slowloris) or
 * idles between requests is closed. One instance per API verticle, confined to its event loop.
 */
final class ConnectionGuard {
    private static final Logger LOG = LoggerFactory.getLogger(ConnectionGuard.class);

    private final Vertx vertx;
    private final AtomicInteger open;
    private final int maxConnections;
    private final long requestTimeoutMs;
    private final Map<HttpConnection, Long> readDeadlines = new HashMap<>();
    /** A WebSocket handshake names its peer, not its connection. */
    private final Map<String, HttpConnection> byPeer = new HashMap<>();

    ConnectionGuard(Vertx vertx, AtomicInteger open, FlotillaConfig.HttpLimits limits) {
        this.vertx = vertx;
        this.open = open;
        this.maxConnections = limits.maxConnections();
        this.requestTimeoutMs = limits.requestTimeout() * 1000L;
    }

    void opened(HttpConnection connection) {
        int now = open.incrementAndGet();
        String peer = String.valueOf(connection.remoteAddress());
        byPeer.put(peer, connection);
        connection.closeHandler(v -> {
            open.decrementAndGet();
            byPeer.remove(peer, connection);
            requestRead(connection);
        });
        if (now > maxConnections) {
            LOG.warn("connection from {} refused: {} connections open (max_connections {})",
                    connection.remoteAddress(), now - 1, maxConnections);
            connection.close();
            return;
        }
        awaitRequest(connection);
    }

    /** Starts the clock for the next request on this connection. */
    void awaitRequest(HttpConnection connection) {
        requestRead(connection);
        long timer = vertx.setTimer(requestTimeoutMs, t -> {
            if (readDeadlines.remove(connection) != null) {
                LOG.debug("closing connection from {}: no complete request within {} ms",
                        connection.remoteAddress(), requestTimeoutMs);
                connection.close();
            }
        });
        readDeadlines.put(connection, timer);
    }

    /** A WebSocket handshake has arrived; the stream lives by its own rules from now on. */
    void handshakeRead(SocketAddress peer) {
        HttpConnection connection = byPeer.get(String.valueOf(peer));
        if (connection != null) {
            requestRead(connection);
        }
    }

    /** The request has arrived whole; answering it takes what it takes. */
    void requestRead(HttpConnection connection) {
        Long timer = readDeadlines.remove(connection);
        if (timer != null) {
            vertx.cancelTimer(timer);
        }
    }
}
