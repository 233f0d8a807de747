package dev.flotilla.bus;

import dev.flotilla.json.Json;
import io.vertx.core.buffer.Buffer;
import io.vertx.core.eventbus.MessageCodec;

/**
 * The one codec of Flotilla's typed messages: within a node the record itself travels (records
 * are immutable), between nodes its JSON form.
 */
public final class LocalCodec<T> implements MessageCodec<T, T> {
    private final Class<T> type;

    private LocalCodec(Class<T> type) {
        this.type = type;
    }

    public static <T> LocalCodec<T> of(Class<T> type) {
        return new LocalCodec<>(type);
    }

    @Override
    public void encodeToWire(Buffer buffer, T value) {
        byte[] json = Json.write(value).getBytes(java.nio.charset.StandardCharsets.UTF_8);
        buffer.appendInt(json.length).appendBytes(json);
    }

    @Override
    public T decodeFromWire(int pos, Buffer buffer) {
        int length = buffer.getInt(pos);
        try {
            return Json.MAPPER.readValue(buffer.getBytes(pos + 4, pos + 4 + length), type);
        } catch (java.io.IOException e) {
            throw new IllegalArgumentException("unreadable " + type.getSimpleName() + ": " + e.getMessage(), e);
        }
    }

    @Override
    public T transform(T value) {
        return value;
    }

    @Override
    public String name() {
        return "flotilla-" + type.getSimpleName();
    }

    @Override
    public byte systemCodecID() {
        return -1;
    }

    /** Registers the codecs of every message type the engine exchanges. */
    public static void registerAll(io.vertx.core.eventbus.EventBus bus) {
        bus.registerDefaultCodec(CommandRequest.class, of(CommandRequest.class));
        bus.registerDefaultCodec(CommandReply.class, of(CommandReply.class));
    }
}
