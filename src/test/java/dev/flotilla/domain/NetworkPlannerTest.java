package dev.flotilla.domain;

import com.fasterxml.jackson.databind.JsonNode;
import dev.flotilla.json.Json;
import org.junit.jupiter.api.Test;

import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Map;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** The NETS states: networks made before the roles, removed after them, failures and recover (states.md §1, §8, §9). */
class NetworkPlannerTest {
    private static final Instant NOW = Instant.parse("2026-12-02T12:00:00Z");
    private static final Planner PLANNER = new Planner(VmNames.DEFAULT_TEMPLATE, Duration.ofSeconds(1800));
    private static final ServiceNetworks.Declared PRIVATE =
            new ServiceNetworks.Declared("Private", NetworkSource.TEMPLATE, 0, "AR=[TYPE=IP4,IP=10.0.0.1,SIZE=8]");
    private static final ServiceNetworks.Declared PUBLIC = new ServiceNetworks.Declared("Public", NetworkSource.ID, 3, "");

    // ---- deploy ----------------------------------------------------------------------------------

    @Test
    void aServiceWithANetworkToMakeMakesItBeforeAnyVm() {
        Plan plan = PLANNER.plan(service(ServiceState.PENDING, List.of(PRIVATE, PUBLIC), List.of(),
                role(RoleState.PENDING)), NOW);
        assertEquals(ServiceState.DEPLOYING_NETS, plan.states().serviceState());
        assertEquals(NOW.plusSeconds(1800), plan.states().deadline(), "DEPLOYING_NETS has a deadline");
        assertTrue(plan.vms().newVms().isEmpty(), "no VM before its networks are READY");
        assertEquals(1, plan.networks().newNetworks().size(), "the existing network is used, not made");
        NetworkIntents.NewNetwork made = plan.networks().newNetworks().get(0);
        assertEquals("Private-7", made.netName(), "OneFlow's name: <net>-<service id>");
        assertEquals(1, made.attempt());
        DriverCall.CreateNetwork call = only(plan, DriverCall.CreateNetwork.class);
        assertEquals(made.requestKey(), call.requestKey());
        assertEquals(NetworkSource.TEMPLATE, call.source());
        assertEquals("AR=[TYPE=IP4,IP=10.0.0.1,SIZE=8]", call.extra());
        assertFalse(call.again());
    }

    @Test
    void aServiceThatOnlyUsesExistingNetworksDeploysAtOnce() {
        Plan plan = PLANNER.plan(service(ServiceState.PENDING, List.of(PUBLIC), List.of(), role(RoleState.PENDING)), NOW);
        assertEquals(ServiceState.DEPLOYING, plan.states().serviceState());
        assertEquals(2, plan.vms().newVms().size());
        assertTrue(plan.networks().isEmpty());
    }

    @Test
    void networksNotReadyAreReadAgainAndAnUnansweredCreateIsMadeAgainByItsKey() {
        Plan waiting = PLANNER.plan(service(ServiceState.DEPLOYING_NETS, List.of(PRIVATE),
                List.of(net(1, 12, NetworkStates.LOCK_CREATE)), role(RoleState.PENDING)), NOW);
        assertEquals(ServiceState.DEPLOYING_NETS, waiting.states().serviceState());
        assertEquals(12, only(waiting, DriverCall.WatchNetwork.class).netId());
        assertFalse(waiting.changesStore(), "a wait writes nothing");

        Plan afterCrash = PLANNER.plan(service(ServiceState.DEPLOYING_NETS, List.of(PRIVATE),
                List.of(net(1, null, null)), role(RoleState.PENDING)), NOW);
        DriverCall.CreateNetwork again = only(afterCrash, DriverCall.CreateNetwork.class);
        assertTrue(again.again(), "the cloud may already hold it: found by key, not made twice");
        assertEquals("7-net-Private-1", again.requestKey());
        assertTrue(afterCrash.networks().newNetworks().isEmpty());
    }

    @Test
    void onceEveryNetworkIsReadyTheRolesDeploy() {
        Plan plan = PLANNER.plan(service(ServiceState.DEPLOYING_NETS, List.of(PRIVATE, PUBLIC),
                List.of(net(1, 12, NetworkStates.READY)), role(RoleState.PENDING)), NOW);
        assertEquals(ServiceState.DEPLOYING, plan.states().serviceState());
        assertEquals(RoleState.DEPLOYING, plan.states().roleStates().get("web"));
        assertEquals(2, plan.vms().newVms().size());
        assertTrue(plan.events().stream().anyMatch(e -> e.message().equals("Networks ready: Private (12)")));
    }

    @Test
    void aRefusedOrFailedNetworkFailsTheServiceWithTheCloudsWords() {
        NetworkSnapshot refused = new NetworkSnapshot(1, "Private", 1, NetworkSource.TEMPLATE, 0, "", "Private-7",
                "7-net-Private-1", null, null, "[one.vntemplate.instantiate] Error getting virtual network template [0].",
                false, false, null, false, false);
        Plan plan = PLANNER.plan(service(ServiceState.DEPLOYING_NETS, List.of(PRIVATE), List.of(refused),
                role(RoleState.PENDING)), NOW);
        assertEquals(ServiceState.FAILED_DEPLOYING_NETS, plan.states().serviceState());
        assertTrue(reasons(plan).contains("Network Private could not be created: [one.vntemplate.instantiate] Error "
                + "getting virtual network template [0]."), reasons(plan));

        Plan error = PLANNER.plan(service(ServiceState.DEPLOYING_NETS, List.of(PRIVATE),
                List.of(net(1, 12, NetworkStates.ERROR)), role(RoleState.PENDING)), NOW);
        assertEquals(ServiceState.FAILED_DEPLOYING_NETS, error.states().serviceState());
        assertTrue(reasons(error).contains("Network Private (12) is in state ERROR"), reasons(error));
    }

    @Test
    void recoverReplacesOnlyTheNetworksThatFailed() {
        ServiceNetworks.Declared other = new ServiceNetworks.Declared("Other", NetworkSource.RESERVE, 0, "SIZE=2");
        NetworkSnapshot fine = new NetworkSnapshot(2, "Other", 1, NetworkSource.RESERVE, 0, "SIZE=2", "Other-7",
                "7-net-Other-1", 13, NetworkStates.READY, null, false, false, null, false, false);
        ServiceSnapshot failed = service(ServiceState.FAILED_DEPLOYING_NETS, List.of(PRIVATE, other),
                List.of(net(1, 12, NetworkStates.ERROR), fine), role(RoleState.PENDING));
        Plan plan = PLANNER.recover(failed, NOW);
        assertEquals(ServiceState.DEPLOYING_NETS, plan.states().serviceState());
        assertEquals(java.util.Set.of(1L), plan.networks().retireRows());
        assertEquals(java.util.Set.of(1L), plan.networks().deleteRows(), "the failed network is deleted");
        assertEquals(12, only(plan, DriverCall.DeleteNetwork.class).netId());
        NetworkIntents.NewNetwork retry = plan.networks().newNetworks().get(0);
        assertEquals("Private", retry.name());
        assertEquals(2, retry.attempt());
        assertEquals("7-net-Private-2", only(plan, DriverCall.CreateNetwork.class).requestKey());
        assertEquals(1, plan.networks().newNetworks().size(), "the READY network is kept");
    }

    @Test
    void recoverIsRefusedInRunning() {
        assertThrows(ConflictException.class, () -> PLANNER.recover(service(ServiceState.RUNNING, List.of(PRIVATE),
                List.of(net(1, 12, NetworkStates.READY)), role(RoleState.RUNNING)), NOW));
    }

    @Test
    void theDeadlineOfDeployingNetsNamesTheNetworksWaitedFor() {
        ServiceSnapshot late = new ServiceSnapshot(7, "svc", ServiceState.DEPLOYING_NETS, Deployment.NONE, false,
                false, NOW.minusSeconds(1), 0, false, false, false, List.of(role(RoleState.PENDING)), List.of(PRIVATE),
                List.of(net(1, 12, NetworkStates.LOCK_CREATE)));
        Plan plan = PLANNER.plan(late, NOW);
        assertEquals(ServiceState.FAILED_DEPLOYING_NETS, plan.states().serviceState());
        assertTrue(reasons(plan).contains("waiting for networks Private (12) (LOCK_CREATE)"), reasons(plan));
    }

    // ---- undeploy --------------------------------------------------------------------------------

    @Test
    void afterTheLastRoleTheMadeNetworksAreDeletedAndTheUsedOnesLeftAlone() {
        Plan plan = PLANNER.plan(service(ServiceState.UNDEPLOYING, List.of(PRIVATE, PUBLIC),
                List.of(net(1, 12, NetworkStates.READY)), role(RoleState.UNDEPLOYING)), NOW);
        assertEquals(ServiceState.UNDEPLOYING_NETS, plan.states().serviceState());
        DriverCall.DeleteNetwork delete = only(plan, DriverCall.DeleteNetwork.class);
        assertEquals(12, delete.netId(), "only the network the service made; never the existing one (3)");
        assertEquals(java.util.Set.of(1L), plan.networks().deleteRows());
    }

    @Test
    void aServiceThatMadeNoNetworkEndsAtOnce() {
        Plan plan = PLANNER.plan(service(ServiceState.UNDEPLOYING, List.of(PUBLIC), List.of(),
                role(RoleState.UNDEPLOYING)), NOW);
        assertEquals(ServiceState.DONE, plan.states().serviceState());
        assertTrue(plan.driverCalls().isEmpty());
    }

    @Test
    void deletedNetworksEndTheServiceAndAFailedDeleteFailsIt() {
        Plan done = PLANNER.plan(service(ServiceState.UNDEPLOYING_NETS, List.of(PRIVATE),
                List.of(deleting(NetworkStates.DONE, null)), role(RoleState.DONE)), NOW);
        assertEquals(ServiceState.DONE, done.states().serviceState());
        assertEquals(java.util.Set.of(1L), done.networks().forgetRows());

        Plan waiting = PLANNER.plan(service(ServiceState.UNDEPLOYING_NETS, List.of(PRIVATE),
                List.of(deleting(NetworkStates.LOCK_DELETE, null)), role(RoleState.DONE)), NOW);
        assertEquals(ServiceState.UNDEPLOYING_NETS, waiting.states().serviceState());
        assertEquals(12, only(waiting, DriverCall.WatchNetwork.class).netId());

        Plan failed = PLANNER.plan(service(ServiceState.UNDEPLOYING_NETS, List.of(PRIVATE),
                List.of(deleting(NetworkStates.ERROR, null)), role(RoleState.DONE)), NOW);
        assertEquals(ServiceState.FAILED_UNDEPLOYING_NETS, failed.states().serviceState());
        assertTrue(reasons(failed).contains("Network Private (12) is in state ERROR"), reasons(failed));
    }

    @Test
    void recoverDeletesAgainWhatFailedToGo() {
        Plan plan = PLANNER.recover(service(ServiceState.FAILED_UNDEPLOYING_NETS, List.of(PRIVATE),
                List.of(deleting(null, "[one.vn.delete] Not authorized")), role(RoleState.DONE)), NOW);
        assertEquals(ServiceState.UNDEPLOYING_NETS, plan.states().serviceState());
        assertEquals(12, only(plan, DriverCall.DeleteNetwork.class).netId());
    }

    @Test
    void recoverDeleteGivesUpANetworkThatWillNotGoAndEnds() {
        ServiceSnapshot stuck = new ServiceSnapshot(7, "svc", ServiceState.UNDEPLOYING_NETS, Deployment.NONE, false,
                false, NOW.plusSeconds(60), 0, false, false, true, List.of(role(RoleState.DONE)), List.of(PRIVATE),
                List.of(deleting(NetworkStates.ERROR, null)));
        Plan plan = PLANNER.plan(stuck, NOW);
        assertEquals(ServiceState.DONE, plan.states().serviceState());
        assertTrue(plan.events().stream().anyMatch(e -> e.severity() == 'E'
                && e.message().startsWith("recover --delete could not remove Network Private (12)")));
    }

    @Test
    void recoverDeleteFromDeployingNetsRemovesTheNetworksAlreadyMade() {
        Plan plan = PLANNER.forceDelete(service(ServiceState.DEPLOYING_NETS, List.of(PRIVATE),
                List.of(net(1, 12, NetworkStates.LOCK_CREATE)), role(RoleState.PENDING)), NOW);
        assertEquals(ServiceState.UNDEPLOYING_NETS, plan.states().serviceState());
        assertEquals(12, only(plan, DriverCall.DeleteNetwork.class).netId());
    }

    // ---- NIC placeholders ------------------------------------------------------------------------

    @Test
    void nicPlaceholdersAreFilledWithTheNetworkIds() {
        JsonNode contents = Json.parse("{\"NIC\": [{\"NETWORK_ID\": \"$Private\"}, {\"NETWORK_ID\": \"$Nowhere\"},"
                + " {\"NETWORK_ID\": 4}], \"CPU\": \"1\"}");
        JsonNode filled = ServiceNetworks.fillNics(contents, Map.of("Private", 12));
        assertEquals("12", filled.get("NIC").get(0).get("NETWORK_ID").asText());
        assertEquals("$Nowhere", filled.get("NIC").get(1).get("NETWORK_ID").asText(), "unknown names stay");
        assertEquals(4, filled.get("NIC").get(2).get("NETWORK_ID").asInt());
        assertEquals("$Private", contents.get("NIC").get(0).get("NETWORK_ID").asText(), "the input is not changed");
        JsonNode single = ServiceNetworks.fillNics(Json.parse("{\"NIC\": {\"NETWORK_ID\": \"$Private\"}}"),
                Map.of("Private", 12));
        assertEquals("12", single.get("NIC").get("NETWORK_ID").asText(), "a single NIC object too");
    }

    @Test
    void declaredNetworksComeFromNetworksValuesAndAMadeOnesIdDoesNotHideItsSource() {
        List<ServiceNetworks.Declared> declared = ServiceNetworks.declared(Json.parse("{\"networks_values\": ["
                + "{\"Private\": {\"template_id\": \"0\", \"extra\": \"X=1\", \"id\": 12}},"
                + "{\"Public\": {\"id\": \"3\"}}, {\"Res\": {\"reserve_from\": 3, \"extra\": \"SIZE=2\"}}]}"));
        assertEquals(List.of(new ServiceNetworks.Declared("Private", NetworkSource.TEMPLATE, 0, "X=1"),
                new ServiceNetworks.Declared("Public", NetworkSource.ID, 3, ""),
                new ServiceNetworks.Declared("Res", NetworkSource.RESERVE, 3, "SIZE=2")), declared);
    }

    // ---- builders --------------------------------------------------------------------------------

    private static ServiceSnapshot service(ServiceState state, List<ServiceNetworks.Declared> declared,
                                           List<NetworkSnapshot> networks, RoleSnapshot role) {
        return new ServiceSnapshot(7, "svc", state, Deployment.NONE, false, false, null, 0, false, false, false,
                List.of(role), declared, networks);
    }

    /** Role "web" of two VMs: none yet while PENDING; two gone after an undeploy. */
    private static RoleSnapshot role(RoleState state) {
        return new RoleSnapshot("web", state, 2, 0, List.of(), 0, false, false, false, List.of());
    }

    private static NetworkSnapshot net(long row, Integer netId, Integer state) {
        return new NetworkSnapshot(row, "Private", 1, NetworkSource.TEMPLATE, 0, "", "Private-7", "7-net-Private-" + row,
                netId, state, null, false, false, null, false, false);
    }

    private static NetworkSnapshot deleting(Integer state, String error) {
        return new NetworkSnapshot(1, "Private", 1, NetworkSource.TEMPLATE, 0, "", "Private-7", "7-net-Private-1", 12,
                state, null, true, true, error, false, false);
    }

    private static <T extends DriverCall> T only(Plan plan, Class<T> type) {
        List<T> calls = plan.driverCalls().stream().filter(type::isInstance).map(type::cast).toList();
        assertEquals(1, calls.size(), "calls: " + plan.driverCalls());
        return calls.get(0);
    }

    private static String reasons(Plan plan) {
        return plan.events().stream().map(e -> e.message() + " " + e.data()).toList().toString();
    }
}
