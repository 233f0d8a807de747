package dev.flotilla.it;

import dev.flotilla.cloud.CloudDriver;
import dev.flotilla.cloud.CloudDriver.Instantiated;
import dev.flotilla.cloud.CloudDriver.NetworkSeen;
import dev.flotilla.cloud.CloudDriver.TerminateOutcome;
import dev.flotilla.cloud.NetworkRequest;
import dev.flotilla.cloud.VmRequest;
import dev.flotilla.cloud.opennebula.OpenNebulaDriver;
import dev.flotilla.config.FlotillaConfig;
import dev.flotilla.domain.NetworkSource;
import dev.flotilla.domain.NetworkStates;
import dev.flotilla.domain.VmObservation;
import dev.flotilla.support.FakeOned;
import io.vertx.core.Future;
import io.vertx.core.Vertx;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.w3c.dom.Document;
import org.w3c.dom.Element;
import org.w3c.dom.NodeList;

import javax.xml.parsers.DocumentBuilderFactory;
import java.io.ByteArrayInputStream;
import java.nio.charset.StandardCharsets;
import java.time.Clock;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Collection;
import java.util.Collections;
import java.util.List;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;

import static org.awaitility.Awaitility.await;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * Service networks through the OpenNebula driver against the fake oned (opennebula-integration.md
 * §4, §5): networks from network templates and reservations, made as the service's owner, found
 * again by their request key after a crash, watched to READY and DONE, deleted, and announced by
 * oned's network events.
 */
class OpenNebulaNetworksIT {
    private static final Duration WAIT = Duration.ofSeconds(30);
    private static final String ONEADMIN = "oneadmin:opennebula";
    private static final AtomicInteger KEYS = new AtomicInteger();

    private static FakeOned oned;
    private static Vertx vertx;
    private static final List<CloudDriver> drivers = new ArrayList<>();
    private static CloudDriver driver;
    private static int vnTemplate;
    /** Networks the shared driver's events announced, from its first moment. */
    private static final List<Integer> announced = new CopyOnWriteArrayList<>();

    @BeforeAll
    static void start() {
        // Steps of half a second: a new network is seen in LOCK_CREATE before it is READY.
        oned = new FakeOned(true, "--step-delay", "0.5");
        vertx = Vertx.vertx();
        driver = driver();
        driver.onNetworkChanges(announced::addAll);
        vnTemplate = (Integer) oned.ok("one.vntemplate.allocate", ONEADMIN, "NAME=\"private\"\nBRIDGE=\"br1\"\n"
                + "VN_MAD=\"dummy\"\nAR=[TYPE=\"IP4\", IP=\"10.1.0.1\", SIZE=\"16\"]\n");
    }

    @AfterAll
    static void stop() throws Exception {
        drivers.forEach(CloudDriver::close);
        vertx.close().toCompletionStage().toCompletableFuture().get(10, TimeUnit.SECONDS);
        oned.close();
    }

    /** A driver of its own, as each verticle has (the engine's and the poller's). */
    private static CloudDriver driver() {
        String events = oned.env().get("FLOTILLA_SUBSCRIBER_ENDPOINT");
        CloudDriver d = OpenNebulaDriver.create(vertx, new FlotillaConfig.OpenNebulaSettings(oned.xmlrpc(), events,
                "cipher", oned.env().get("FLOTILLA_ONE_AUTH_FILE"), "serveradmin", FakeOned.SERVER_PASSWORD),
                Clock.systemUTC());
        drivers.add(d);
        return d;
    }

    private static <T> T get(Future<T> future) {
        try {
            return future.toCompletionStage().toCompletableFuture().get(20, TimeUnit.SECONDS);
        } catch (ExecutionException e) {
            throw new IllegalStateException(e.getCause());
        } catch (Exception e) {
            throw new IllegalStateException(e);
        }
    }

    private static NetworkRequest fromTemplate(String name, String owner, int gid, boolean again, String key) {
        return new NetworkRequest(key, NetworkSource.TEMPLATE, vnTemplate, name, "DESCRIPTION=\"made by a test\"", 7,
                owner, gid, again);
    }

    private static String newKey() {
        return "7-net-" + KEYS.incrementAndGet() + "-v0";
    }

    private static int ready(Instantiated made) {
        assertNull(made.error());
        assertNotNull(made.vmId());
        int id = made.vmId();
        await().atMost(WAIT).until(() -> get(driver.network(made.requestKey(), id)).state() == NetworkStates.READY);
        return id;
    }

    /** {@code one.vn.info} as oneadmin, parsed. */
    private static Element vnet(int id) throws Exception {
        String xml = (String) oned.ok("one.vn.info", ONEADMIN, id);
        Document doc = DocumentBuilderFactory.newInstance().newDocumentBuilder()
                .parse(new ByteArrayInputStream(xml.getBytes(StandardCharsets.UTF_8)));
        return doc.getDocumentElement();
    }

    private static String text(Element parent, String path) {
        Element at = parent;
        for (String name : path.split("/")) {
            Element next = null;
            NodeList nodes = at.getChildNodes();
            for (int i = 0; i < nodes.getLength() && next == null; i++) {
                if (nodes.item(i) instanceof Element e && e.getTagName().equals(name)) {
                    next = e;
                }
            }
            if (next == null) {
                return null;
            }
            at = next;
        }
        return at.getTextContent();
    }

    /** The networks oned holds under a name. */
    private static long named(String name) throws Exception {
        String xml = (String) oned.ok("one.vnpool.info", ONEADMIN, -2, -1, -1);
        NodeList vnets = DocumentBuilderFactory.newInstance().newDocumentBuilder()
                .parse(new ByteArrayInputStream(xml.getBytes(StandardCharsets.UTF_8))).getDocumentElement()
                .getElementsByTagName("VNET");
        long count = 0;
        for (int i = 0; i < vnets.getLength(); i++) {
            if (name.equals(text((Element) vnets.item(i), "NAME"))) {
                count++;
            }
        }
        return count;
    }

    @Test
    void aNetworkFromATemplateIsTheOwnersAndBecomesReady() throws Exception {
        String key = newKey();
        Instantiated made = get(driver.createNetwork(fromTemplate("private-7", "user", 1, false, key)));
        assertNull(made.error());
        assertEquals(key, made.requestKey());
        int id = made.vmId();
        assertEquals(new NetworkSeen(id, NetworkStates.LOCK_CREATE), get(driver.network(key, id)));
        await().atMost(WAIT).until(() -> get(driver.network(key, id)).state() == NetworkStates.READY);

        Element vnet = vnet(id);
        assertEquals("user", text(vnet, "UNAME"), "made as the service's owner");
        assertEquals("1", text(vnet, "GID"), "within the service's group");
        assertEquals("private-7", text(vnet, "NAME"));
        assertEquals(key, text(vnet, "TEMPLATE/FLOTILLA_REQUEST_KEY"));
        assertEquals("made by a test", text(vnet, "TEMPLATE/DESCRIPTION"), "the user's extra text");
        assertEquals("br1", text(vnet, "TEMPLATE/BRIDGE"), "the network template's own attributes");
        assertEquals(new NetworkSeen(id, NetworkStates.READY), get(driver.network(key, null)), "found by its key");
    }

    @Test
    void madeAgainAfterACrashTheNetworkIsFoundNotMadeTwice() throws Exception {
        String key = newKey();
        Instantiated first = get(driver.createNetwork(fromTemplate("again-7", "user", 1, false, key)));
        Instantiated again = get(driver.createNetwork(fromTemplate("again-7", "user", 1, true, key)));
        assertEquals(first, again);
        assertEquals(1, named("again-7"));

        // Never made before the crash: made now.
        String other = newKey();
        Instantiated fresh = get(driver.createNetwork(fromTemplate("again2-7", "user", 1, true, other)));
        assertNull(fresh.error());
        assertNotEquals(first.vmId(), fresh.vmId());
        assertEquals(1, named("again2-7"));
    }

    @Test
    void aReservationComesFromItsParentAndIsFoundAgainByNameAndParent() throws Exception {
        String key = newKey();
        NetworkRequest request = new NetworkRequest(key, NetworkSource.RESERVE, 0, "lease-7", "SIZE=\"2\"", 7,
                "oneadmin", 0, false);
        int id = ready(get(driver.createNetwork(request)));
        Element vnet = vnet(id);
        assertEquals("0", text(vnet, "PARENT_NETWORK_ID"));
        assertEquals("lease-7", text(vnet, "NAME"));

        // The fake (like oned) keeps no extra attributes on a reservation: found by its name and parent.
        Instantiated again = get(driver.createNetwork(new NetworkRequest(key, NetworkSource.RESERVE, 0, "lease-7",
                "SIZE=\"2\"", 7, "oneadmin", 0, true)));
        assertEquals(new Instantiated(key, id, null), again);
        assertEquals(1, named("lease-7"));
    }

    @Test
    void aRefusalCarriesOnedsMessage() {
        String key = newKey();
        Instantiated made = get(driver.createNetwork(new NetworkRequest(key, NetworkSource.TEMPLATE, 999, "nope-7", "",
                7, "user", 1, false)));
        assertEquals(new Instantiated(key, null,
                "[one.vntemplate.instantiate] Error getting virtual network template [999]."), made);

        // oneadmin's network 0 is not the user's to reserve from.
        Instantiated refused = get(driver.createNetwork(new NetworkRequest(key, NetworkSource.RESERVE, 0, "nope-7",
                "SIZE=\"1\"", 7, "user", 1, false)));
        assertNull(refused.vmId());
        assertTrue(refused.error().startsWith("[one.vn.reserve] User [2] : Not authorized"), refused.error());
    }

    @Test
    void aDeletedNetworkEndsDoneAndAnUnknownOneIsNotFound() {
        String key = newKey();
        int id = ready(get(driver.createNetwork(fromTemplate("gone-7", "user", 1, false, key))));
        assertEquals(TerminateOutcome.TERMINATING, get(driver.deleteNetwork(key, id)));
        await().atMost(WAIT).until(() -> get(driver.network(key, id)).state() == NetworkStates.DONE);
        assertEquals(new NetworkSeen(null, NetworkStates.DONE), get(driver.network(key, null)), "gone by its key too");

        assertEquals(TerminateOutcome.NOT_FOUND, get(driver.deleteNetwork(key, id)), "deleted already");
        assertEquals(TerminateOutcome.NOT_FOUND, get(driver.deleteNetwork("never-made", null)));
        assertEquals(new NetworkSeen(null, NetworkStates.DONE), get(driver.network("never-made", null)));

        // Only the key known (a crash between the create and its record): deleted by the key.
        String lost = newKey();
        int unrecorded = ready(get(driver.createNetwork(fromTemplate("lost-7", "user", 1, false, lost))));
        assertEquals(TerminateOutcome.TERMINATING, get(driver.deleteNetwork(lost, null)));
        await().atMost(WAIT).until(() -> get(driver.network(lost, unrecorded)).state() == NetworkStates.DONE);
    }

    @Test
    void chownOfNetworksNobodyHasIsNothingAndOnedsAnswerOtherwise() {
        assertNull(get(driver.chownNetworks(List.of(), 2, 1)));
        // The fake has no one.vn.chown: the failure is the caller's to report, not a crash.
        assertThrows(IllegalStateException.class, () -> get(driver.chownNetworks(List.of(0), 2, 1)));
    }

    /**
     * Waits until {@code heard} holds a network made by {@code d}. A new ZeroMQ subscription takes a
     * moment to reach the publisher (and a topic added to a running reader up to its receive
     * timeout): networks made before that go unheard, so one is made each round until one is heard.
     */
    private static void untilSubscribed(CloudDriver d, Collection<Integer> heard) {
        List<Integer> made = Collections.synchronizedList(new ArrayList<>());
        await().atMost(WAIT).pollInterval(Duration.ofMillis(700)).until(() -> {
            made.add(ready(get(d.createNetwork(fromTemplate("probe-7", "user", 1, false, newKey())))));
            return made.stream().anyMatch(heard::contains);
        });
    }

    @Test
    void onedsNetworkEventsNameTheNetworksThatChanged() {
        untilSubscribed(driver, announced);
        String key = newKey();
        int id = ready(get(driver.createNetwork(fromTemplate("heard-7", "user", 1, false, key))));
        await().atMost(WAIT).until(() -> announced.contains(id));
        long before = Collections.frequency(announced, id);
        assertEquals(TerminateOutcome.TERMINATING, get(driver.deleteNetwork(key, id)));
        await().atMost(WAIT).until(() -> Collections.frequency(announced, id) > before);
        assertEquals(NetworkStates.DONE, get(driver.network(key, id)).state(), "heard when it was deleted");
    }

    @Test
    void oneDriverHearsItsVmsAndItsNetworksOnOneSubscription() {
        CloudDriver both = driver();
        Set<Integer> vms = ConcurrentHashMap.newKeySet();
        Set<Integer> nets = ConcurrentHashMap.newKeySet();
        both.onChanges(seen -> seen.stream().map(VmObservation::vmId).forEach(vms::add));
        both.onNetworkChanges(nets::addAll);
        // The VM topic was subscribed no later than the network topic: once networks are heard, so are VMs.
        untilSubscribed(both, nets);

        Instantiated vm = get(both.instantiate(List.of(new VmRequest("7-web-0-v0", 0, "web_0", false, 7, "web", null,
                "oneadmin", 0, false)))).get(0);
        assertNull(vm.error());
        await().atMost(WAIT).until(() -> vms.contains(vm.vmId()));
    }
}
