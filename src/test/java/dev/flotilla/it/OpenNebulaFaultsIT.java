package dev.flotilla.it;

import dev.flotilla.support.ApiClient;
import dev.flotilla.support.FakeOned;
import dev.flotilla.support.ServerProcess;
import dev.flotilla.support.TestDatabase;
import dev.flotilla.support.TestServer;
import org.junit.jupiter.api.Test;

import java.time.Duration;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;

import static dev.flotilla.it.OpenNebulaIT.body;
import static dev.flotilla.it.OpenNebulaIT.instantiate;
import static dev.flotilla.it.OpenNebulaIT.state;
import static dev.flotilla.it.OpenNebulaIT.template;
import static org.awaitility.Awaitility.await;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * The OpenNebula driver when oned is not as it should be: no events, down, hanging, and Flotilla
 * itself killed mid-deploy; plus what one service costs in core calls.
 */
class OpenNebulaFaultsIT {
    private static final Duration WAIT = Duration.ofSeconds(60);
    private static final String SERVICE = """
            {"name": "three-by-two", "deployment": "straight", "roles": [
              {"name": "db", "type": "vm", "template_id": 0, "cardinality": 2},
              {"name": "app", "type": "vm", "template_id": 0, "cardinality": 2, "parents": ["db"]},
              {"name": "web", "type": "vm", "template_id": 1, "cardinality": 2, "parents": ["app"]}]}
            """;

    private static ApiClient admin(TestServer server) {
        return server.api().as("oneadmin", "opennebula");
    }

    private static long calls(FakeOned oned, int from) {
        return oned.calls().size() - from;
    }

    @Test
    void withoutEventsPollingStillConverges() {
        try (FakeOned oned = new FakeOned(false); TestDatabase db = TestDatabase.fresh()) {
            Map<String, String> env = new HashMap<>(oned.env());
            // Subscribed to a publisher that never speaks: only the pool read every :wait_timeout: moves things.
            env.put("FLOTILLA_SUBSCRIBER_ENDPOINT", "tcp://127.0.0.1:1");
            env.put("FLOTILLA_WAIT_TIMEOUT", "1");
            try (TestServer server = TestServer.start(db, env)) {
                ApiClient admin = admin(server);
                int id = instantiate(admin, template(admin, SERVICE), null);
                await().atMost(WAIT).until(() -> state(admin, id) == 2);
                assertEquals(204, admin.delete("/service/" + id).status());
                await().atMost(WAIT).until(() -> state(admin, id) == 5);
            }
        }
    }

    @Test
    void oneServiceCostsAtMostEightCoreCallsToDeployAndEightToUndeploy() {
        try (FakeOned oned = new FakeOned(true); TestDatabase db = TestDatabase.fresh();
             TestServer server = TestServer.start(db, oned.env())) {
            ApiClient admin = admin(server);
            int template = template(admin, SERVICE);
            int before = oned.calls().size();
            int id = instantiate(admin, template, null);
            await().atMost(WAIT).until(() -> state(admin, id) == 2);
            long deploy = calls(oned, before);
            int beforeDelete = oned.calls().size();
            assertEquals(204, admin.delete("/service/" + id).status());
            await().atMost(WAIT).until(() -> state(admin, id) == 5);
            long undeploy = calls(oned, beforeDelete);
            System.out.printf("OpenNebula core calls: %d to deploy, %d to undeploy a service of 3 roles x 2 VMs%n",
                    deploy, undeploy);
            assertTrue(deploy <= 8, deploy + " calls to deploy: " + oned.calls().subList(before, before + (int) deploy));
            assertTrue(undeploy <= 8, undeploy + " calls to undeploy");
        }
    }

    @Test
    void anInstantiateWhileOnedIsDownIsAnsweredAndCarriedOutWhenItIsBack() {
        try (FakeOned oned = new FakeOned(true); TestDatabase db = TestDatabase.fresh();
             TestServer server = TestServer.start(db, oned.env())) {
            ApiClient admin = admin(server);
            int template = template(admin, SERVICE);
            oned.stop();
            int id = instantiate(admin, template, null); // the user was verified before: the cache answers
            assertEquals(1, state(admin, id), "accepted and stored: DEPLOYING");
            assertEquals(503, admin.get("/health").status(), "health says the cloud does not answer");
            oned.start();
            await().atMost(WAIT).until(() -> state(admin, id) == 2);
            assertEquals(6, oned.vms().size(), "each VM made once, with its request key");
        }
    }

    @Test
    void onedHangingMidDeployOnlyDelaysIt() {
        try (FakeOned oned = new FakeOned(true); TestDatabase db = TestDatabase.fresh();
             TestServer server = TestServer.start(db, oned.env())) {
            ApiClient admin = admin(server);
            int template = template(admin, SERVICE);
            oned.pause(true);
            int id = instantiate(admin, template, null);
            assertEquals(1, state(admin, id));
            oned.pause(false);
            await().atMost(WAIT).until(() -> state(admin, id) == 2);
            assertEquals(6, oned.vms().size());
        }
    }

    /** SIGKILL while deploying with this driver: no VM is created twice (the request key in oned finds it). */
    @Test
    void killNineWhileDeployingOnOpenNebulaDuplicatesNoVm() {
        try (FakeOned oned = new FakeOned(true, "--pending-delay", "1"); TestDatabase db = TestDatabase.fresh();
             ServerProcess server = new ServerProcess(db, "opennebula-crash", oned.env())) {
            server.start();
            ApiClient admin = server.api().as("oneadmin", "opennebula");
            int template = CrashIT.reliably(admin, "POST", "/service_template", SERVICE, "one-crash-template")
                    .json().path("DOCUMENT").path("ID").asInt();
            int[] ids = new int[4];
            for (int i = 0; i < ids.length; i++) {
                ids[i] = CrashIT.reliably(admin, "POST", "/service_template/" + template + "/action",
                        "{\"action\":{\"perform\":\"instantiate\"}}", "one-crash-" + i)
                        .json().path("DOCUMENT").path("ID").asInt();
                if (i % 2 == 1) {
                    server.kill(); // while VMs are being asked for
                    server.start();
                }
            }
            await().atMost(WAIT).ignoreExceptions().until(() -> java.util.Arrays.stream(ids)
                    .allMatch(id -> state(admin, id) == 2));
            Set<String> keys = new HashSet<>();
            Map<String, Integer> perService = new HashMap<>();
            for (FakeOned.Vm vm : oned.vms()) {
                assertTrue(keys.add(vm.requestKey()), "a request key twice in oned: " + vm);
                if (vm.state() != 6) {
                    perService.merge(vm.serviceId(), 1, Integer::sum);
                }
            }
            for (int id : ids) {
                assertEquals(6, perService.getOrDefault(String.valueOf(id), 0), "service " + id + ": 6 live VMs");
                Set<Integer> members = new HashSet<>();
                body(admin, id).path("roles").forEach(r -> r.path("nodes")
                        .forEach(n -> members.add(n.path("deploy_id").asInt())));
                assertEquals(6, members.size());
            }
            System.out.printf("OpenNebula crash: %d SIGKILLs, %d VMs in oned for %d members, 0 duplicate keys%n",
                    server.kills(), oned.vms().size(), ids.length * 6);
            assertEquals(List.of(), oned.vms().stream().filter(vm -> vm.requestKey() == null).toList());
        }
    }
}
