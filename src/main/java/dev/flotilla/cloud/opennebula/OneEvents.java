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
import java.util.Queue;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.function.Consumer;

/**
 * oned's ZeroMQ publisher (opennebula-integration.md §5), read on a thread of its own (JeroMQ
 * blocks), one subscription serving every listener of a driver:
 * <ul>
 * <li>{@code EVENT SERVICE <id>} — a state change of a VM that carries a SERVICE_ID — becomes an
 * observation of that exact VM (its id from the body, not a key prefix, so VM 1 is never taken for
 * VM 10);</li>
 * <li>{@code EVENT NET <id>/<STATE>/} becomes the id of the network whose state changed (its
 * {@code RESOURCE_ID}).</li>
 * </ul>
 * A topic is subscribed only once something listens to it (a driver that only waits for networks
 * is not sent every VM's XML). The thread starts with the first listener; a topic added later is
 * subscribed within the receive timeout. ZeroMQ reconnects by itself after oned restarts; a message
 * lost on the way costs only time, as the pollers still read oned.
 */
final class OneEvents implements AutoCloseable {
    private static final Logger LOG = LoggerFactory.getLogger(OneEvents.class);
    static final String VM_TOPIC = "EVENT SERVICE ";
    /** Not {@code EVENT STATE NET/...}: oned sends both for each change, one is enough. */
    static final String NET_TOPIC = "EVENT NET ";

    private final String endpoint;
    private final ZContext context = new ZContext();
    private final List<Consumer<List<VmObservation>>> vmListeners = new CopyOnWriteArrayList<>();
    private final List<Consumer<List<Integer>>> netListeners = new CopyOnWriteArrayList<>();
    /** Topics to subscribe, handed to the reader thread (a ZeroMQ socket belongs to one thread). */
    private final Queue<String> toSubscribe = new ConcurrentLinkedQueue<>();
    private Thread reader;
    private volatile boolean running = true;

    OneEvents(String endpoint) {
        this.endpoint = endpoint;
    }

    synchronized void onVms(Consumer<List<VmObservation>> listener) {
        if (vmListeners.isEmpty()) {
            toSubscribe.add(VM_TOPIC);
        }
        vmListeners.add(listener);
        start();
    }

    synchronized void onNetworks(Consumer<List<Integer>> listener) {
        if (netListeners.isEmpty()) {
            toSubscribe.add(NET_TOPIC);
        }
        netListeners.add(listener);
        start();
    }

    private void start() {
        if (reader == null && running) {
            reader = new Thread(this::read, "oned-events");
            reader.setDaemon(true);
            reader.start();
        }
    }

    private void read() {
        try (ZMQ.Socket socket = context.createSocket(SocketType.SUB)) {
            socket.setReceiveTimeOut(1000);
            // Bursts (a hundred services deploying at once) wait here rather than being dropped.
            socket.setRcvHWM(1_000_000);
            socket.setReconnectIVL(500);
            socket.setReconnectIVLMax(5000);
            socket.connect(endpoint);
            LOG.info("listening to oned's events at {} (:subscriber_endpoint)", endpoint);
            while (running) {
                for (String topic = toSubscribe.poll(); topic != null; topic = toSubscribe.poll()) {
                    socket.subscribe(topic.getBytes(StandardCharsets.UTF_8));
                }
                String key = socket.recvStr();
                if (key == null) {
                    continue; // receive timeout: look at the stop flag and new topics
                }
                String body = socket.hasReceiveMore() ? socket.recvStr() : null;
                if (body == null) {
                    continue;
                }
                try {
                    String xml = new String(Base64.getMimeDecoder().decode(body), StandardCharsets.UTF_8);
                    if (key.startsWith(NET_TOPIC)) {
                        network(key, xml);
                    } else if (key.startsWith(VM_TOPIC)) {
                        vms(xml);
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

    private void vms(String xml) {
        List<VmObservation> seen = OneXml.vms(xml).stream().filter(vm -> vm.requestKey() != null)
                .map(OpenNebulaDriver::observation).toList();
        if (!seen.isEmpty()) {
            vmListeners.forEach(listener -> listener.accept(seen));
        }
    }

    /** The id from the body's RESOURCE_ID, else from the key ({@code EVENT NET <id>/<STATE>/ }). */
    private void network(String key, String xml) {
        Integer id = OneXml.hookResourceId(xml);
        if (id == null) {
            String rest = key.substring(NET_TOPIC.length());
            int slash = rest.indexOf('/');
            id = Integer.parseInt((slash < 0 ? rest : rest.substring(0, slash)).trim());
        }
        List<Integer> ids = List.of(id);
        netListeners.forEach(listener -> listener.accept(ids));
    }

    @Override
    public synchronized void close() {
        running = false;
        context.close();
    }
}
