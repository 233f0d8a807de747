package dev.flotilla.support;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;

import java.net.http.WebSocket;
import java.util.List;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.CopyOnWriteArrayList;

/** A WebSocket listener of /events that keeps every frame it gets, parsed. */
public class FrameListener implements WebSocket.Listener {
    private static final ObjectMapper JSON = new ObjectMapper();

    public final List<JsonNode> frames = new CopyOnWriteArrayList<>();
    private final StringBuilder partial = new StringBuilder();

    @Override
    public CompletionStage<?> onText(WebSocket ws, CharSequence data, boolean last) {
        partial.append(data);
        if (last) {
            try {
                frames.add(JSON.readTree(partial.toString()));
            } catch (Exception e) {
                throw new IllegalStateException(e);
            }
            partial.setLength(0);
        }
        ws.request(1);
        return null;
    }

    /** The frames of one service. */
    public List<JsonNode> of(int serviceId) {
        return frames.stream().filter(f -> f.path("service_id").asInt() == serviceId).toList();
    }

    public boolean any(int serviceId) {
        return !of(serviceId).isEmpty();
    }
}
