package dev.flotilla.cloud.opennebula;

import dev.flotilla.domain.VmObservation;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.zeromq.SocketType;
import org.zeromq.ZContext;
import org.zeromq.ZMQ;

import java.nio.charset.StandardCharsets;
import java.util.Base64;
import java.util.List;
import java.util.function.Consumer;

/**
 * oned's ZeroMQ publisher (opennebula-integration.md §5), read on a thread of its own (JeroMQ
 * blocks): every {@code EVENT SERVICE <id>} message — a state change of a VM that carries a
 * SERVICE_ID — becomes an observation of that exact VM (its id from the body, not a key prefix,
 * so VM 1 is never taken for VM 10). ZeroMQ reconnects by itself after oned restarts; a message
 * lost on the way costs only time, as the poller still reads the pool.
 */
final class OneEvents implements AutoCloseable {
    private static final Logger LOG = LoggerFactory.getLogger(OneEvents.class);
    private static final String TOPIC = "EVENT SERVICE ";

    private final ZContext context = new ZContext();
    private final Thread reader;
    private volatile boolean running = true;

    OneEvents(String endpoint, Consumer<List<VmObservation>> listener) {
        reader = new Thread(() -> read(endpoint, listener), "oned-events");
        reader.setDaemon(true);
        reader.start();
    }

    private void read(String endpoint, Consumer<List<VmObservation>> listener) {
        try (ZMQ.Socket socket = context.createSocket(SocketType.SUB)) {
            socket.setReceiveTimeOut(1000);
            // Bursts (a hundred services deploying at once) wait here rather than being dropped.
            socket.setRcvHWM(1_000_000);
            socket.setReconnectIVL(500);
            socket.setReconnectIVLMax(5000);
            socket.connect(endpoint);
            socket.subscribe(TOPIC.getBytes(StandardCharsets.UTF_8));
            LOG.info("listening to oned's events at {} (:subscriber_endpoint)", endpoint);
            while (running) {
                String key = socket.recvStr();
                if (key == null) {
                    continue; // receive timeout: look at the stop flag
                }
                String body = socket.hasReceiveMore() ? socket.recvStr() : null;
                if (body == null) {
                    continue;
                }
                try {
                    String xml = new String(Base64.getMimeDecoder().decode(body), StandardCharsets.UTF_8);
                    List<VmObservation> seen = OneXml.vms(xml).stream().filter(vm -> vm.requestKey() != null)
                            .map(OpenNebulaDriver::observation).toList();
                    if (!seen.isEmpty()) {
                        listener.accept(seen);
                    }
                } catch (RuntimeException e) {
                    LOG.warn("unreadable oned event '{}': {}", key.trim(), e.toString());
                }
            }
        } catch (RuntimeException e) {
            if (running) {
                LOG.warn("oned's event stream at {} stopped: {}", endpoint, e.toString());
            }
        }
    }

    @Override
    public void close() {
        running = false;
        context.close();
    }
}
