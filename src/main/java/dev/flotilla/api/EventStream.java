package dev.flotilla.api;

import dev.flotilla.web.Http;
import dev.flotilla.bus.Addresses;
import dev.flotilla.bus.EventFrames;
import dev.flotilla.OperationException;
import dev.flotilla.config.FlotillaConfig;
import dev.flotilla.store.EventLog;
import dev.flotilla.store.EventRecord;
import io.vertx.core.Vertx;
import io.vertx.core.http.ServerWebSocket;
import io.vertx.core.json.JsonObject;
import io.vertx.core.http.ServerWebSocketHandshake;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import dev.flotilla.domain.Permissions;
import dev.flotilla.store.DocumentAdmin;

import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;

/**
 * {@code /events}: every recorded event of the services the subscriber may USE, as a JSON frame; a
 * chown or chmod while connected is followed at the next event. {@code ?services=1,2} filters,
 * {@code ?since=<seq>} replays the stored events after that sequence number and then goes on live,
 * with nothing missed or repeated at the seam. A client that cannot keep up is closed with a
 * reason instead of being buffered without bound. One event-bus consumer per API verticle fans out.
 */
final class EventStream {
    private static final Logger LOG = LoggerFactory.getLogger(EventStream.class);
    static final String PATH = "/events";
    private static final int REPLAY_LIMIT = 10_000;
    /** Policy violation: the client did not read fast enough (RFC 6455 §7.4.1). */
    private static final short TOO_SLOW = 1008;

    private static final int MAX_FILTER_IDS = 1000;

    private static final int MAX_CACHED_OWNERS = 10_000;
    private static final long SEAM_MILLIS = 60_000;

    private final Vertx vertx;
    private final EventLog eventLog;
    private final DocumentAdmin documents;
    private final ClientCounts clients;
    private final FlotillaConfig.HttpLimits limits;
    private final Set<Subscriber> subscribers = new LinkedHashSet<>();
    /**
     * Owner and mode of the services whose events pass by (empty for a service that is gone), for
     * at most {@link #OWNER_TTL_MILLIS}: a change whose notice was lost (a crash right after its
     * commit) is seen within that time all the same.
     */
    private final Map<Integer, CachedOwner> owners = new HashMap<>();
    private static final long OWNER_TTL_MILLIS = 30_000;
    /** Counts owner-change notices: a lookup that overlapped one may have read the old owner. */
    private long ownerChanges;

    private record CachedOwner(Optional<Permissions.Owned> owner, long at) {
    }
    /** Live events in arrival order; the head waits while its service's owner is looked up. */
    private final ArrayDeque<JsonObject> arriving = new ArrayDeque<>();
    private boolean lookingUp;

    EventStream(Vertx vertx, EventLog eventLog, DocumentAdmin documents, ClientCounts clients,
                FlotillaConfig.HttpLimits limits, boolean clustered) {
        this.vertx = vertx;
        this.eventLog = eventLog;
        this.documents = documents;
        this.clients = clients;
        this.limits = limits;
        // One node: the engine's events as it publishes them. A cluster: the node's tail of PostgreSQL
        // (EventTail), so every event reaches every node once, in seq order, whichever node wrote it.
        io.vertx.core.Handler<io.vertx.core.eventbus.Message<JsonObject>> arrived = message -> {
            arriving.add(message.body());
            deliver();
        };
        if (clustered) {
            vertx.eventBus().localConsumer(Addresses.STREAM_FRAMES, arrived);
        } else {
            vertx.eventBus().consumer(Addresses.SERVICE_EVENTS, arrived);
        }
        vertx.eventBus().<Integer>consumer(Addresses.SERVICE_OWNER_CHANGED, message -> {
            ownerChanges++;
            owners.remove(message.body());
        });
    }

    /** Hands the arrived events out in order, each to the subscribers that may USE its service. */
    private void deliver() {
        while (!arriving.isEmpty() && !lookingUp) {
            JsonObject event = arriving.peek();
            int serviceId = event.getInteger("service_id");
            CachedOwner cached = owners.get(serviceId);
            if (cached != null && System.currentTimeMillis() - cached.at() > OWNER_TTL_MILLIS) {
                owners.remove(serviceId);
                cached = null;
            }
            boolean onlyAdmins = subscribers.stream().allMatch(s -> s.identity.isAdmin());
            if (cached == null && !onlyAdmins) {
                lookUp(serviceId);
                return;
            }
            arriving.poll();
            Optional<Permissions.Owned> owner = cached == null ? Optional.empty() : cached.owner();
            fanOut(event, owner);
        }
    }

    /** One encoding of the frame for every subscriber (a thousand sockets, one JSON text). */
    private void fanOut(JsonObject event, Optional<Permissions.Owned> owner) {
        Frame frame = new Frame(event.getLong("seq"), event.getInteger("service_id"), event.encode());
        for (Subscriber s : List.copyOf(subscribers)) {
            s.live(frame, owner);
        }
    }

    private record Frame(long seq, int serviceId, String text) {
        static Frame of(EventRecord e) {
            return new Frame(e.seq(), e.serviceId(), EventFrames.of(e).encode());
        }
    }

    private void lookUp(int serviceId) {
        lookingUp = true;
        long changesBefore = ownerChanges;
        documents.owner(DocumentAdmin.Kind.SERVICE, serviceId).onComplete(found -> {
            lookingUp = false;
            if (owners.size() >= MAX_CACHED_OWNERS) {
                owners.clear();
            }
            if (found.succeeded() && ownerChanges != changesBefore) {
                deliver(); // an owner changed meanwhile: this answer may be the old one, ask again
                return;
            }
            if (found.succeeded()) {
                owners.put(serviceId, new CachedOwner(found.result(), System.currentTimeMillis()));
                deliver();
                return;
            }
            // The database did not answer: this one event goes to admins only, the next asks again.
            LOG.warn("could not read the owner of service {}: {}", serviceId, found.cause().toString());
            fanOut(arriving.poll(), Optional.empty());
            deliver();
        });
    }

    /**
     * The handshake is authenticated like the REST API (a Basic {@code Authorization} header, or the
     * browser's session cookie from a page of this server's own origin) before it is accepted; bad
     * parameters and credentials are refused with 400 and 401, a cookie from another origin with 403.
     */
    void handle(ServerWebSocketHandshake handshake, Authenticator auth) {
        if (!handshake.path().equals(PATH)) {
            handshake.reject(404);
            return;
        }
        String header = handshake.headers().get("Authorization");
        Set<Integer> filter = new HashSet<>();
        Long since;
        try {
            Map<String, String> params = queryParams(handshake.query());
            String services = params.get("services");
            if (services != null && !services.isBlank()) {
                for (String id : services.split(",", MAX_FILTER_IDS + 1)) {
                    Integer parsed = Http.asciiInt(id.trim());
                    if (parsed == null || filter.size() >= MAX_FILTER_IDS) {
                        throw new NumberFormatException(id);
                    }
                    filter.add(parsed);
                }
            }
            String s = params.get("since");
            since = s == null || s.isBlank() ? null : Long.parseLong(s.trim());
        } catch (NumberFormatException e) {
            handshake.reject(400);
            return;
        }
        String token = header == null ? Sessions.token(handshake.headers().get("Cookie")) : null;
        boolean originOk = token == null ? !Sessions.crossSite(handshake.headers())
                : handshake.headers().get("Origin") != null && !Sessions.crossSite(handshake.headers());
        if (!originOk) {
            handshake.reject(403); // another site's page riding on what the browser attaches by itself
            return;
        }
        (token != null ? auth.session(token, null, true) : auth.authenticate(header, handshake.remoteAddress().hostAddress()))
                .onFailure(e -> handshake.reject(e instanceof OperationException o
                        && (o.status() == 503 || o.status() == 429) ? o.status() : 401))
                .onSuccess(identity -> {
                    if (!clients.takeStream(identity.uid(), limits.maxSubscribersPerUser())) {
                        LOG.info("user={} refused an event stream: {} open (max_subscribers_per_user)",
                                identity.uid(), limits.maxSubscribersPerUser());
                        handshake.reject(429);
                        return;
                    }
                    handshake.accept()
                            .onSuccess(ws -> subscribe(ws, identity, filter, since))
                            .onFailure(e -> clients.releaseStream(identity.uid()));
                });
    }

    private void subscribe(ServerWebSocket ws, Identity identity, Set<Integer> filter, Long since) {
        Subscriber subscriber = new Subscriber(ws, identity, filter);
        subscribers.add(subscriber);
        ws.setWriteQueueMaxSize(limits.streamBufferBytes());
        long pingEvery = Math.max(500, limits.streamSlowSeconds() * 1000L / 2);
        long pinger = vertx.setPeriodic(pingEvery, t -> subscriber.ping());
        ws.pongHandler(data -> subscriber.ponged());
        ws.closeHandler(v -> {
            subscribers.remove(subscriber);
            vertx.cancelTimer(pinger);
            clients.releaseStream(identity.uid());
        });
        if (since == null) {
            subscriber.goLive(List.of());
            return;
        }
        eventLog.eventsSince(identity.caller(), since, filter, REPLAY_LIMIT)
                .onSuccess(subscriber::goLive)
                .onFailure(e -> {
                    LOG.warn("event replay failed: {}", e.toString());
                    ws.close((short) 1011, "replay failed; reconnect with since=" + since);
                });
    }

    private static Map<String, String> queryParams(String query) {
        Map<String, String> out = new java.util.HashMap<>();
        if (query == null || query.isEmpty()) {
            return out;
        }
        for (String pair : query.split("&")) {
            int eq = pair.indexOf('=');
            String key = java.net.URLDecoder.decode(eq < 0 ? pair : pair.substring(0, eq), java.nio.charset.StandardCharsets.UTF_8);
            String value = eq < 0 ? "" : java.net.URLDecoder.decode(pair.substring(eq + 1), java.nio.charset.StandardCharsets.UTF_8);
            out.put(key, value);
        }
        return out;
    }

    private final class Subscriber {
        private final ServerWebSocket ws;
        private final Identity identity;
        private final Set<Integer> filter;
        /** Live events that arrive while the replay is read; sent after it, minus what it already sent. */
        private List<Frame> pending = new ArrayList<>();
        private final Set<Long> replayed = new HashSet<>();
        private boolean closed;
        /** When the unanswered ping was sent (0 = none): a client that does not read cannot answer. */
        private long pingSentAt;

        Subscriber(ServerWebSocket ws, Identity identity, Set<Integer> filter) {
            this.ws = ws;
            this.identity = identity;
            this.filter = filter;
        }

        void live(Frame event, Optional<Permissions.Owned> owner) {
            if (!filter.isEmpty() && !filter.contains(event.serviceId())) {
                return;
            }
            if (!identity.isAdmin()
                    && (owner.isEmpty() || !Permissions.allows(identity.caller(), owner.get(), Permissions.Right.USE))) {
                return;
            }
            if (pending != null) {
                pending.add(event);
            } else if (!replayed.contains(event.seq())) {
                send(event);
            }
        }

        /** Sends the replay, then what arrived live meanwhile that the replay did not already hold. */
        void goLive(List<EventRecord> replay) {
            for (EventRecord e : replay) {
                replayed.add(e.seq());
                send(Frame.of(e));
            }
            List<Frame> buffered = pending;
            pending = null;
            buffered.stream().filter(event -> !replayed.contains(event.seq())).forEach(this::send);
            if (!replayed.isEmpty()) {
                // Only an event committed before the replay's read and published after it can come
                // twice, and it is published right after its commit: the seam needs no long memory
                // (a replay holds up to 10,000 numbers, per socket).
                vertx.setTimer(SEAM_MILLIS, t -> replayed.clear());
            }
        }

        private void send(Frame event) {
            if (closed) {
                return;
            }
            if (ws.writeQueueFull()) {
                drop(limits.streamBufferBytes() + " bytes of events wait unsent");
                return;
            }
            ws.writeTextMessage(event.text());
        }

        void ping() {
            if (closed) {
                return;
            }
            long now = System.currentTimeMillis();
            if (pingSentAt == 0) {
                pingSentAt = now;
                ws.writePing(io.vertx.core.buffer.Buffer.buffer(Long.toString(now)));
            } else if (now - pingSentAt > limits.streamSlowSeconds() * 1000L) {
                drop("no answer to a ping for " + limits.streamSlowSeconds() + " s");
            }
        }

        void ponged() {
            pingSentAt = 0;
        }

        /**
         * No more events: the close frame (1008, with the reason) is the last thing written, and the
         * connection ends when the client answers it or after the closing timeout. What the client
         * holds unread stays bounded by stream_buffer_bytes.
         */
        private void drop(String why) {
            closed = true;
            subscribers.remove(this);
            LOG.info("dropping a slow /events client {}: {}", ws.remoteAddress(), why);
            ws.close(TOO_SLOW, "client too slow: " + why + "; reconnect with since=<last seq>");
        }
    }
}
