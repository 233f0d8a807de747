package dev.flotilla.bus;

/** Every event-bus address, in one place. Messages carry identity (ids), never state. */
public final class Addresses {
    /** API → engine, request/reply: a command such as instantiate, undeploy, purge_done. */
    public static final String ENGINE_COMMAND = "engine.command";
    /** Poller / others → engine: "look at these services" ({@code serviceIds}). */
    public static final String ENGINE_WAKE = "engine.wake";
    /** Answered by the engine's event loop: whether it is alive and not stuck (health/ready). */
    public static final String ENGINE_PING = "engine.ping";
    /** Engine → API: each recorded service event, for WebSocket clients. */
    public static final String SERVICE_EVENTS = "service.events";
    /**
     * In a cluster, the events a node read from PostgreSQL, in {@code seq} order, for its own
     * WebSocket clients (local consumers only); {@link #SERVICE_EVENTS} then only wakes the reader.
     */
    public static final String STREAM_FRAMES = "stream.frames";
    /** A service's owner, group or mode changed (its id): the event streams look its rights up again. */
    public static final String SERVICE_OWNER_CHANGED = "service.owner.changed";
    /**
     * Writers → API, after their commit: these services' documents changed ({@code JsonArray} of
     * ids); the document cache reads them again before serving them.
     */
    public static final String SERVICES_CHANGED = "services.changed";
    /** A user was deleted: every API verticle forgets the credentials it had verified. */
    public static final String USERS_CHANGED = "users.changed";

    private Addresses() {
    }
}
