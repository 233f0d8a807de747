package dev.flotilla.domain;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

class PlannerTest {
    private static final Instant NOW = Instant.parse("2026-11-26T12:00:00Z");
    private static final Planner PLANNER = new Planner(VmNames.DEFAULT_TEMPLATE, Duration.ofSeconds(1800));

    // ---- intents read back after a restart ---------------------------------------------------------

    @Test
    void anUnsentHardTerminateIsResentHardWhateverTheRoleSays() {
        ServiceSnapshot s = service(ServiceState.UNDEPLOYING)
                .role(role("web", RoleState.UNDEPLOYING, 1).vm(vm(1).running().terminateRequested(false).hard()))
                .build();
        Plan plan = PLANNER.plan(s, NOW);
        DriverCall.Terminate resent = plan.driverCalls().stream().filter(c -> c instanceof DriverCall.Terminate)
                .map(c -> (DriverCall.Terminate) c).findFirst().orElseThrow();
        assertTrue(resent.hard(), "the stored intent, not the role's soft shutdown action");
    }

    @Test
    void aVmFirstAskedForOnHoldIsAskedForOnHoldAgain() {
        ServiceSnapshot s = service(ServiceState.DEPLOYING)
                .role(role("web", RoleState.DEPLOYING, 1).vm(vm(1).onHold())).build();
        Plan plan = PLANNER.plan(s, NOW);
        DriverCall.Create resent = plan.driverCalls().stream().filter(c -> c instanceof DriverCall.Create)
                .map(c -> (DriverCall.Create) c).findFirst().orElseThrow();
        assertEquals("key-1", resent.requestKey());
        assertTrue(resent.hold());
    }

    @Test
    void anUnconfirmedResumeIsResentAndAConfirmedOneIsNot() {
        VmBuilder unknown = vm(1).observed(VmStates.ACTIVE, VmStates.LCM_UNKNOWN, false).resumeRequested(false);
        Plan plan = PLANNER.plan(service(ServiceState.DEPLOYING).role(role("web", RoleState.DEPLOYING, 1)
                .vm(unknown)).build(), NOW);
        assertEquals(1, plan.driverCalls().stream().filter(c -> c instanceof DriverCall.Resume).count());
        VmBuilder sent = vm(1).observed(VmStates.ACTIVE, VmStates.LCM_UNKNOWN, false).resumeRequested(true);
        Plan again = PLANNER.plan(service(ServiceState.DEPLOYING).role(role("web", RoleState.DEPLOYING, 1)
                .vm(sent)).build(), NOW);
        assertEquals(0, again.driverCalls().stream().filter(c -> c instanceof DriverCall.Resume).count());
    }

    // ---- deploy ----------------------------------------------------------------------------------

    @Test
    void pendingServiceWithStrategyNoneDeploysEveryRoleAtOnce() {
        ServiceSnapshot s = service(ServiceState.PENDING).role(role("db", RoleState.PENDING, 1))
                .role(role("web", RoleState.PENDING, 2).parents("db")).build();
        Plan plan = PLANNER.plan(s, NOW);
        assertEquals(ServiceState.DEPLOYING, plan.states().serviceState());
        assertEquals(RoleState.DEPLOYING, plan.states().roleStates().get("db"));
        assertEquals(RoleState.DEPLOYING, plan.states().roleStates().get("web"));
        assertEquals(3, plan.vms().newVms().size());
        assertEquals(3, plan.driverCalls().stream().filter(c -> c instanceof DriverCall.Create).count());
        assertEquals(NOW.plusSeconds(1800), plan.states().deadline(), "DEPLOYING gets a deadline");
    }

    @Test
    void straightDeploysOnlyRolesWhoseParentsRun() {
        ServiceSnapshot s = service(ServiceState.PENDING).straight()
                .role(role("frontend", RoleState.PENDING, 1).parents("mysql", "kvm", "nfs"))
                .role(role("kvm", RoleState.PENDING, 1).parents("nfs"))
                .role(role("mysql", RoleState.PENDING, 1))
                .role(role("nfs", RoleState.PENDING, 1)).build();
        Plan plan = PLANNER.plan(s, NOW);
        assertEquals(RoleState.DEPLOYING, plan.states().roleStates().get("mysql"));
        assertEquals(RoleState.DEPLOYING, plan.states().roleStates().get("nfs"));
        assertNull(plan.states().roleStates().get("kvm"));
        assertNull(plan.states().roleStates().get("frontend"));
        assertTrue(plan.vms().newVms().stream()
                .allMatch(vm -> vm.roleName().equals("mysql") || vm.roleName().equals("nfs")));
    }

    @Test
    void whenTheParentRunsTheChildStartsInTheSamePlan() {
        ServiceSnapshot s = service(ServiceState.DEPLOYING).straight()
                .role(role("db", RoleState.DEPLOYING, 1).vm(vm(1).running()))
                .role(role("web", RoleState.PENDING, 2).parents("db")).build();
        Plan plan = PLANNER.plan(s, NOW);
        assertEquals(RoleState.RUNNING, plan.states().roleStates().get("db"));
        assertEquals(RoleState.DEPLOYING, plan.states().roleStates().get("web"));
        assertEquals(List.of("web_0_(service_7)", "web_1_(service_7)"),
                plan.vms().newVms().stream().map(NewVm::name).toList());
        assertEquals(ServiceState.DEPLOYING, plan.states().serviceState());
    }

    @Test
    void allRolesRunningMakesTheServiceRunningAndClearsTheDeadline() {
        ServiceSnapshot s = service(ServiceState.DEPLOYING).deadline(NOW.plusSeconds(100))
                .role(role("db", RoleState.DEPLOYING, 2).vm(vm(1).running()).vm(vm(2).running())).build();
        Plan plan = PLANNER.plan(s, NOW);
        assertEquals(ServiceState.RUNNING, plan.states().serviceState());
        assertTrue(plan.states().deadlineChanged());
        assertNull(plan.states().deadline());
        assertTrue(plan.events().stream().anyMatch(e -> e.message().equals("New state: RUNNING")));
    }

    @Test
    void aRoleWithoutVmsRunsAtOnce() {
        ServiceSnapshot s = service(ServiceState.PENDING).role(role("empty", RoleState.PENDING, 0)).build();
        Plan plan = PLANNER.plan(s, NOW);
        assertEquals(ServiceState.RUNNING, plan.states().serviceState());
        assertEquals(RoleState.RUNNING, plan.states().roleStates().get("empty"));
    }

    /** What one VM of a DEPLOYING role does to the role (states.md §3.3, §5). */
    @ParameterizedTest(name = "VM {0}/{1} ready={2} gate={3} -> role {4}")
    @CsvSource({
        "3,3,false,false,RUNNING",          // ACTIVE/RUNNING
        "3,2,false,false,DEPLOYING",        // ACTIVE/BOOT: keep waiting
        "1,0,false,false,DEPLOYING",        // PENDING
        "8,0,false,false,RUNNING",          // POWEROFF counts as deployed (user paused it)
        "5,0,false,false,RUNNING",          // SUSPENDED likewise
        "3,36,false,false,FAILED_DEPLOYING", // BOOT_FAILURE
        "3,39,false,false,FAILED_DEPLOYING", // PROLOG_FAILURE
        "11,0,false,false,FAILED_DEPLOYING", // CLONING_FAILURE counts as failure
        "3,3,false,true,DEPLOYING",         // running but READY not yet reported
        "3,3,true,true,RUNNING",            // READY=YES with the gate
        "3,36,true,true,FAILED_DEPLOYING"})  // READY does not hide a failure
    void deployingRoleFollowsItsVm(int state, int lcm, boolean ready, boolean gate, RoleState expected) {
        ServiceSnapshot s = service(ServiceState.DEPLOYING).readyGate(gate)
                .role(role("r", RoleState.DEPLOYING, 1).vm(vm(1).observed(state, lcm, ready))).build();
        Plan plan = PLANNER.plan(s, NOW);
        assertEquals(expected, plan.states().roleStates().getOrDefault("r", RoleState.DEPLOYING));
        if (expected == RoleState.FAILED_DEPLOYING) {
            assertEquals(ServiceState.FAILED_DEPLOYING, plan.states().serviceState());
            assertTrue(plan.events().stream().anyMatch(e -> e.severity() == 'E'));
        }
    }

    @Test
    void aVmThatCouldNotBeCreatedFailsTheDeploy() {
        ServiceSnapshot s = service(ServiceState.DEPLOYING)
                .role(role("r", RoleState.DEPLOYING, 1).vm(vm(1).createError("Error getting template [9]."))).build();
        Plan plan = PLANNER.plan(s, NOW);
        assertEquals(ServiceState.FAILED_DEPLOYING, plan.states().serviceState());
        assertTrue(plan.events().stream().anyMatch(e -> e.message().contains("Error getting template [9].")));
        assertTrue(plan.driverCalls().isEmpty(), "no retry of a failed create");
    }

    @Test
    void aVmDeletedOutsideDuringDeployLeavesTheRoleAndLowersItsCardinality() {
        ServiceSnapshot s = service(ServiceState.DEPLOYING)
                .role(role("r", RoleState.DEPLOYING, 2).vm(vm(1).running()).vm(vm(2).observed(6, 0, false))).build();
        Plan plan = PLANNER.plan(s, NOW);
        assertEquals(1, plan.states().cardinalities().get("r"));
        assertEquals(java.util.Set.of(2L), plan.vms().forgetRows());
        assertEquals(RoleState.RUNNING, plan.states().roleStates().get("r"));
    }

    // ---- crash safety: unconfirmed calls are made again with the same key -----------------------

    @Test
    void unconfirmedCreatesAndTerminatesAreResentWithTheirKeys() {
        ServiceSnapshot deploying = service(ServiceState.DEPLOYING)
                .role(role("r", RoleState.DEPLOYING, 1).vm(vm(1).key("7-r-0-v3"))).build();
        assertEquals(List.of(new DriverCall.Create("7-r-0-v3", "r", "r_1", 0, false, true)),
                PLANNER.plan(deploying, NOW).driverCalls());

        ServiceSnapshot undeploying = service(ServiceState.UNDEPLOYING)
                .role(role("r", RoleState.UNDEPLOYING, 1).vm(vm(1).key("k").running().terminateRequested(false)))
                .build();
        assertEquals(List.of(new DriverCall.Terminate("k", 1, false)), PLANNER.plan(undeploying, NOW).driverCalls());

        ServiceSnapshot sent = service(ServiceState.UNDEPLOYING)
                .role(role("r", RoleState.UNDEPLOYING, 1).vm(vm(1).running().terminateRequested(true))).build();
        assertTrue(PLANNER.plan(sent, NOW).driverCalls().isEmpty(), "a confirmed terminate is not repeated");
    }

    @Test
    void newVmKeysAreUniquePerVersionAndNumbersAreNeverReused() {
        ServiceSnapshot s = service(ServiceState.DEPLOYING).version(5)
                .role(role("r", RoleState.DEPLOYING, 3).lastVmNumber(4).vm(vm(1).running())).build();
        Plan plan = PLANNER.plan(s, NOW);
        assertEquals(List.of("7-r-4-v5", "7-r-5-v5"), plan.vms().newVms().stream().map(NewVm::requestKey).toList());
        assertEquals(6, plan.states().lastVmNumbers().get("r"));
    }

    // ---- running / warning -----------------------------------------------------------------------

    @ParameterizedTest(name = "VM {0}/{1} -> service {2}")
    @CsvSource({
        "8,0,WARNING",    // POWEROFF
        "3,16,WARNING",   // UNKNOWN
        "3,40,WARNING",   // EPILOG_FAILURE
        "5,0,RUNNING",    // SUSPENDED is ignored by the watchdog
        "3,3,RUNNING"})
    void watchdogOnARunningService(int state, int lcm, ServiceState expected) {
        ServiceSnapshot s = service(ServiceState.RUNNING)
                .role(role("r", RoleState.RUNNING, 1).vm(vm(1).observed(state, lcm, false))).build();
        assertEquals(expected, PLANNER.plan(s, NOW).states().serviceState());
    }

    @Test
    void warningClearsWhenEveryVmIsHealthyAgain() {
        ServiceSnapshot s = service(ServiceState.WARNING)
                .role(role("r", RoleState.WARNING, 1).vm(vm(1).running())).build();
        Plan plan = PLANNER.plan(s, NOW);
        assertEquals(ServiceState.RUNNING, plan.states().serviceState());
        assertEquals(RoleState.RUNNING, plan.states().roleStates().get("r"));
    }

    @Test
    void automaticDeletionUndeploysAServiceWhoseVmsAreAllGone() {
        ServiceSnapshot s = service(ServiceState.RUNNING).automaticDeletion()
                .role(role("r", RoleState.RUNNING, 1).vm(vm(1).observed(6, 0, false))).build();
        Plan plan = PLANNER.plan(s, NOW);
        assertEquals(ServiceState.DONE, plan.states().serviceState(), "nothing left to terminate, so it ends at once");
        assertTrue(plan.events().stream().anyMatch(e -> e.message().contains("automatic_deletion")));
    }

    // ---- undeploy --------------------------------------------------------------------------------

    @Test
    void undeployUnderStraightTerminatesChildrenFirst() {
        ServiceSnapshot s = service(ServiceState.RUNNING).straight()
                .role(role("db", RoleState.RUNNING, 1).vm(vm(1).running()))
                .role(role("web", RoleState.RUNNING, 1).parents("db").vm(vm(2).running())).build();
        Plan plan = PLANNER.undeploy(s, NOW);
        assertEquals(ServiceState.UNDEPLOYING, plan.states().serviceState());
        assertEquals(RoleState.UNDEPLOYING, plan.states().roleStates().get("web"));
        assertNull(plan.states().roleStates().get("db"));
        assertEquals(java.util.Map.of(2L, false), plan.vms().terminateRows());
    }

    @Test
    void whenChildrenAreDoneTheParentGoesAndThenTheServiceIsDone() {
        ServiceSnapshot s = service(ServiceState.UNDEPLOYING).straight()
                .role(role("db", RoleState.RUNNING, 1).vm(vm(1).running()))
                .role(role("web", RoleState.UNDEPLOYING, 1).parents("db")
                        .vm(vm(2).observed(6, 0, false).terminateRequested(true))).build();
        Plan plan = PLANNER.plan(s, NOW);
        assertEquals(RoleState.DONE, plan.states().roleStates().get("web"));
        assertEquals(RoleState.UNDEPLOYING, plan.states().roleStates().get("db"));
        assertEquals(java.util.Map.of(1L, false), plan.vms().terminateRows());

        ServiceSnapshot last = service(ServiceState.UNDEPLOYING).straight()
                .role(role("db", RoleState.UNDEPLOYING, 1).vm(vm(1).observed(6, 0, false).terminateRequested(true)))
                .role(role("web", RoleState.DONE, 1).parents("db")).build();
        Plan done = PLANNER.plan(last, NOW);
        assertEquals(ServiceState.DONE, done.states().serviceState());
        assertNull(done.states().deadline());
    }

    @Test
    void terminateHardFollowsTheShutdownAction() {
        ServiceSnapshot s = service(ServiceState.RUNNING)
                .role(role("r", RoleState.RUNNING, 1).hard().vm(vm(1).running())).build();
        Plan plan = PLANNER.undeploy(s, NOW);
        assertEquals(List.of(new DriverCall.Terminate("key-1", 1, true)), plan.driverCalls());
    }

    @Test
    void aFailedTerminateFailsTheUndeploy() {
        ServiceSnapshot s = service(ServiceState.UNDEPLOYING)
                .role(role("r", RoleState.UNDEPLOYING, 1).vm(vm(1).running().terminateRequested(true)
                        .terminateError("refused"))).build();
        Plan plan = PLANNER.plan(s, NOW);
        assertEquals(ServiceState.FAILED_UNDEPLOYING, plan.states().serviceState());
        assertEquals(RoleState.FAILED_UNDEPLOYING, plan.states().roleStates().get("r"));
    }

    @ParameterizedTest(name = "delete in {0} allowed={1}")
    @CsvSource({"PENDING,true", "RUNNING,true", "WARNING,true", "HOLD,true", "UNDEPLOYING,true",
        "DEPLOYING,false", "FAILED_DEPLOYING,false", "FAILED_UNDEPLOYING,false", "SCALING,false", "COOLDOWN,false",
        "DONE,false"})
    void deleteIsAllowedOnlyInOneFlowsStates(ServiceState state, boolean allowed) {
        ServiceSnapshot s = service(state).role(role("r", RoleState.RUNNING, 0)).build();
        if (allowed) {
            assertEquals(ServiceState.DONE, PLANNER.undeploy(s, NOW).states().serviceState());
        } else {
            ConflictException e = assertThrows(ConflictException.class, () -> PLANNER.undeploy(s, NOW));
            assertEquals("Service cannot be undeployed in state: " + state.name(), e.getMessage());
            assertEquals(state.name(), e.currentState());
        }
    }

    // ---- deadlines (decision 6) ------------------------------------------------------------------

    @Test
    void aTransientStatePastItsDeadlineFailsWithTheReason() {
        ServiceSnapshot s = service(ServiceState.DEPLOYING).deadline(NOW.minusSeconds(1))
                .role(role("r", RoleState.DEPLOYING, 1).vm(vm(1).observed(1, 0, false))).build();
        Plan plan = PLANNER.plan(s, NOW);
        assertEquals(ServiceState.FAILED_DEPLOYING, plan.states().serviceState());
        assertEquals(RoleState.FAILED_DEPLOYING, plan.states().roleStates().get("r"));
        assertTrue(plan.events().stream().anyMatch(e -> e.message().contains("deadline")
                && e.message().contains("r (DEPLOYING)")), plan.events().toString());
        assertNull(plan.states().deadline());
    }

    @Test
    void noDeadlineWhenTheTimeoutIsZero() {
        Planner unbounded = new Planner(VmNames.DEFAULT_TEMPLATE, Duration.ZERO);
        ServiceSnapshot s = service(ServiceState.PENDING).role(role("r", RoleState.PENDING, 1)).build();
        assertNull(unbounded.plan(s, NOW).states().deadline());
    }

    // ---- recover (decision 2) --------------------------------------------------------------------

    /** The seed's recovery table plus Flotilla's additions: the state recover moves to, or a conflict. */
    @ParameterizedTest(name = "recover in {0} -> {1}")
    @CsvSource({
        "FAILED_DEPLOYING,DEPLOYING",
        "DEPLOYING,DEPLOYING",
        "PENDING,DEPLOYING",
        "FAILED_UNDEPLOYING,UNDEPLOYING",
        "UNDEPLOYING,UNDEPLOYING",
        "COOLDOWN,RUNNING",
        "RUNNING,CONFLICT",
        "WARNING,CONFLICT",
        "HOLD,CONFLICT",
        "DONE,CONFLICT",
        "FAILED_SCALING,SCALING",
        "SCALING,SCALING"})
    void recoverFollowsTheSeedsTable(ServiceState from, String expected) {
        RoleState roleState = switch (from) {
            case FAILED_DEPLOYING -> RoleState.FAILED_DEPLOYING;
            case DEPLOYING -> RoleState.DEPLOYING;
            case PENDING -> RoleState.PENDING;
            case FAILED_UNDEPLOYING -> RoleState.FAILED_UNDEPLOYING;
            case UNDEPLOYING -> RoleState.UNDEPLOYING;
            case COOLDOWN -> RoleState.COOLDOWN;
            case FAILED_SCALING -> RoleState.FAILED_SCALING;
            case SCALING -> RoleState.SCALING;
            default -> RoleState.RUNNING;
        };
        VmBuilder vm = vm(1).observed(VmStates.ACTIVE, VmStates.LCM_BOOT, false);
        if (from == ServiceState.COOLDOWN) {
            vm = vm(1).running();
        }
        ServiceSnapshot s = service(from).role(role("r", roleState, 1).vm(vm)).build();
        if (expected.equals("CONFLICT")) {
            ConflictException e = assertThrows(ConflictException.class, () -> PLANNER.recover(s, NOW));
            assertEquals("Service cannot be recovered in state: " + from.name(), e.getMessage());
        } else {
            assertEquals(ServiceState.valueOf(expected), PLANNER.recover(s, NOW).states().serviceState());
        }
    }

    @Test
    void recoverReplacesFailedAndDoneVmsAndResumesUnknownOnes() {
        ServiceSnapshot s = service(ServiceState.FAILED_DEPLOYING)
                .role(role("r", RoleState.FAILED_DEPLOYING, 4).lastVmNumber(4)
                        .vm(vm(1).running())
                        .vm(vm(2).observed(VmStates.ACTIVE, VmStates.LCM_BOOT_FAILURE, false))
                        .vm(vm(3).observed(VmStates.DONE, 0, false))
                        .vm(vm(4).observed(VmStates.ACTIVE, VmStates.LCM_UNKNOWN, false))).build();
        Plan plan = PLANNER.recover(s, NOW);
        assertEquals(ServiceState.DEPLOYING, plan.states().serviceState());
        assertEquals(RoleState.DEPLOYING, plan.states().roleStates().get("r"));
        assertEquals(java.util.Set.of(2L), plan.vms().retireRows(), "the failed VM is retired, not forgotten");
        assertEquals(java.util.Map.of(2L, true), plan.vms().terminateRows(), "and terminated hard");
        assertEquals(java.util.Set.of(3L), plan.vms().forgetRows());
        assertEquals(java.util.Set.of(4L), plan.vms().resumeRows());
        assertEquals(2, plan.vms().newVms().size(), "two replacements keep the cardinality");
        assertNull(plan.states().cardinalities().get("r"));
        assertTrue(plan.driverCalls().contains(new DriverCall.Resume("key-4", 4)));
    }

    @Test
    void recoverOfAFailedUndeployTerminatesAgain() {
        ServiceSnapshot s = service(ServiceState.FAILED_UNDEPLOYING)
                .role(role("r", RoleState.FAILED_UNDEPLOYING, 1).vm(vm(1).running().terminateRequested(true)
                        .terminateError("busy"))).build();
        Plan plan = PLANNER.recover(s, NOW);
        assertEquals(ServiceState.UNDEPLOYING, plan.states().serviceState());
        assertEquals(RoleState.UNDEPLOYING, plan.states().roleStates().get("r"));
        assertEquals(List.of(new DriverCall.Terminate("key-1", 1, false)), plan.driverCalls());
    }

    // ---- recover --delete ------------------------------------------------------------------------

    @ParameterizedTest(name = "recover --delete from {0}")
    @CsvSource({"FAILED_DEPLOYING", "DEPLOYING", "RUNNING", "FAILED_UNDEPLOYING", "HOLD", "WARNING", "SCALING"})
    void recoverDeleteWorksFromEveryStateAndTerminatesEverythingHard(ServiceState from) {
        ServiceSnapshot s = service(from).straight()
                .role(role("db", RoleState.RUNNING, 1).vm(vm(1).running()))
                .role(role("web", RoleState.RUNNING, 1).parents("db").vm(vm(2).running())).build();
        Plan plan = PLANNER.forceDelete(s, NOW);
        assertEquals(ServiceState.UNDEPLOYING, plan.states().serviceState());
        assertTrue(plan.states().forceDelete());
        assertEquals(java.util.Map.of(1L, true, 2L, true), plan.vms().terminateRows(), "all at once, ignoring order");
    }

    @Test
    void recoverDeleteReportsAVmThatRefusesAndStillFinishes() {
        ServiceSnapshot s = new ServiceSnapshot(7, "svc", ServiceState.UNDEPLOYING, Deployment.NONE, false, false,
                NOW.plusSeconds(60), 3, false, false, true,
                List.of(role("r", RoleState.UNDEPLOYING, 2)
                        .vm(vm(1).running().terminateRequested(true).terminateError("refused"))
                        .vm(vm(2).observed(VmStates.DONE, 0, false).terminateRequested(true)).build()));
        Plan plan = PLANNER.plan(s, NOW);
        assertEquals(ServiceState.DONE, plan.states().serviceState());
        assertTrue(plan.events().stream().anyMatch(e -> e.message().startsWith("recover --delete could not remove VM r_1")
                && e.message().contains("refused")), plan.events().toString());
    }

    @Test
    void recoverDeleteAfterItsDeadlineLeavesNothingStuck() {
        ServiceSnapshot s = new ServiceSnapshot(7, "svc", ServiceState.UNDEPLOYING, Deployment.NONE, false, false,
                NOW.minusSeconds(1), 3, false, false, true,
                List.of(role("r", RoleState.UNDEPLOYING, 1)
                        .vm(vm(1).observed(VmStates.ACTIVE, VmStates.LCM_SHUTDOWN, false).terminateRequested(true))
                        .build()));
        Plan plan = PLANNER.plan(s, NOW);
        assertEquals(ServiceState.DONE, plan.states().serviceState());
        assertTrue(plan.events().stream().anyMatch(e -> e.message().contains("before the deadline")));
    }

    // ---- hold and release ------------------------------------------------------------------------

    @Test
    void anOnHoldServiceCreatesItsVmsOnHoldAndWaits() {
        ServiceSnapshot s = new ServiceSnapshot(7, "svc", ServiceState.PENDING, Deployment.STRAIGHT, false, false,
                null, 0, true, false, false,
                List.of(role("db", RoleState.PENDING, 1).build(),
                        role("web", RoleState.PENDING, 1).parents("db").build()));
        Plan plan = PLANNER.plan(s, NOW);
        assertEquals(ServiceState.HOLD, plan.states().serviceState(), "every role on hold makes the service HOLD");
        assertEquals(RoleState.HOLD, plan.states().roleStates().get("db"));
        assertEquals(RoleState.HOLD, plan.states().roleStates().get("web"),
                "a child of a held parent follows on hold");
        assertTrue(plan.vms().newVms().stream().allMatch(NewVm::hold));
        assertTrue(plan.driverCalls().stream().allMatch(c -> c instanceof DriverCall.Create create && create.hold()));
    }

    @Test
    void releaseGoesOnParentsFirstAndOnlyOnce() {
        ServiceSnapshot s = new ServiceSnapshot(7, "svc", ServiceState.HOLD, Deployment.STRAIGHT, false, false,
                null, 0, true, false, false,
                List.of(role("db", RoleState.HOLD, 1).vm(vm(1).observed(VmStates.HOLD, 0, false)).build(),
                        role("web", RoleState.HOLD, 1).parents("db").vm(vm(2).observed(VmStates.HOLD, 0, false))
                                .build()));
        Plan plan = PLANNER.release(s, NOW);
        assertEquals(ServiceState.DEPLOYING, plan.states().serviceState());
        assertTrue(plan.states().holdReleased());
        assertEquals(RoleState.DEPLOYING, plan.states().roleStates().get("db"));
        assertNull(plan.states().roleStates().get("web"), "the child waits for its parent to run");
        assertEquals(List.of(new DriverCall.Release("key-1", 1)), plan.driverCalls());

        ServiceSnapshot none = service(ServiceState.RUNNING).role(role("r", RoleState.RUNNING, 0)).build();
        ConflictException e = assertThrows(ConflictException.class, () -> PLANNER.release(none, NOW));
        assertEquals("Service has no roles in HOLD", e.getMessage());
    }

    // ---- self-healing (decision 9) ---------------------------------------------------------------

    @Test
    void selfHealingReplacesAVanishedVmInsteadOfShrinking() {
        ServiceSnapshot s = service(ServiceState.RUNNING)
                .role(role("r", RoleState.RUNNING, 2).selfHealing()
                        .vm(vm(1).running()).vm(vm(2).observed(VmStates.DONE, 0, false))).build();
        Plan plan = PLANNER.plan(s, NOW);
        assertEquals(ServiceState.DEPLOYING, plan.states().serviceState());
        assertEquals(RoleState.DEPLOYING, plan.states().roleStates().get("r"));
        assertNull(plan.states().cardinalities().get("r"), "the cardinality is kept");
        assertEquals(1, plan.vms().newVms().size());
    }

    @Test
    void selfHealingReplacesAMemberThatFailsWhileItsRoleIsBeingHealed() {
        // A VM vanished (the role deploys its replacement), then another member that had run fails.
        ServiceSnapshot s = service(ServiceState.DEPLOYING)
                .role(role("r", RoleState.DEPLOYING, 2).selfHealing().lastVmNumber(3)
                        .vm(vm(2).ran().observed(VmStates.ACTIVE, VmStates.LCM_BOOT_FAILURE, false))
                        .vm(vm(3).observed(VmStates.ACTIVE, VmStates.LCM_PROLOG, false))).build();
        Plan plan = PLANNER.plan(s, NOW);
        assertEquals(ServiceState.DEPLOYING, plan.states().serviceState(), "the deploy goes on");
        assertNull(plan.states().roleStates().get("r"), "the role stays DEPLOYING");
        assertEquals(1, plan.vms().newVms().size(), "a new VM replaces the failed one");
        assertTrue(plan.driverCalls().contains(new DriverCall.Terminate("key-2", 2, true)), plan.driverCalls().toString());
    }

    @Test
    void selfHealingDoesNotReplaceANewVmThatNeverRan() {
        ServiceSnapshot s = service(ServiceState.DEPLOYING)
                .role(role("r", RoleState.DEPLOYING, 1).selfHealing()
                        .vm(vm(1).observed(VmStates.ACTIVE, VmStates.LCM_BOOT_FAILURE, false))).build();
        Plan plan = PLANNER.plan(s, NOW);
        assertEquals(ServiceState.FAILED_DEPLOYING, plan.states().serviceState(), "a broken template is not retried forever");
        assertEquals(0, plan.vms().newVms().size());
    }

    // ---- builders --------------------------------------------------------------------------------

    private static ServiceBuilder service(ServiceState state) {
        return new ServiceBuilder(state);
    }

    private static RoleBuilder role(String name, RoleState state, int cardinality) {
        return new RoleBuilder(name, state, cardinality);
    }

    private static VmBuilder vm(int id) {
        return new VmBuilder(id);
    }

    private static final class ServiceBuilder {
        private final ServiceState state;
        private Deployment deployment = Deployment.NONE;
        private boolean gate;
        private boolean automaticDeletion;
        private Instant deadline;
        private int version;
        private final List<RoleSnapshot> roles = new ArrayList<>();

        ServiceBuilder(ServiceState state) {
            this.state = state;
        }

        ServiceBuilder straight() {
            deployment = Deployment.STRAIGHT;
            return this;
        }

        ServiceBuilder readyGate(boolean on) {
            gate = on;
            return this;
        }

        ServiceBuilder automaticDeletion() {
            automaticDeletion = true;
            return this;
        }

        ServiceBuilder deadline(Instant at) {
            deadline = at;
            return this;
        }

        ServiceBuilder version(int v) {
            version = v;
            return this;
        }

        ServiceBuilder role(RoleBuilder role) {
            roles.add(role.build());
            return this;
        }

        ServiceSnapshot build() {
            return new ServiceSnapshot(7, "svc", state, deployment, gate, automaticDeletion, deadline, version, roles);
        }
    }

    private static final class RoleBuilder {
        private final String name;
        private final RoleState state;
        private final int cardinality;
        private final List<String> parents = new ArrayList<>();
        private final List<VmSnapshot> vms = new ArrayList<>();
        private int lastVmNumber;
        private boolean hard;
        private boolean selfHealing;

        RoleBuilder(String name, RoleState state, int cardinality) {
            this.name = name;
            this.state = state;
            this.cardinality = cardinality;
        }

        RoleBuilder parents(String... names) {
            parents.addAll(List.of(names));
            return this;
        }

        RoleBuilder vm(VmBuilder vm) {
            vms.add(vm.build(name));
            lastVmNumber = Math.max(lastVmNumber, vms.size());
            return this;
        }

        RoleBuilder lastVmNumber(int n) {
            lastVmNumber = n;
            return this;
        }

        RoleBuilder hard() {
            hard = true;
            return this;
        }

        RoleBuilder selfHealing() {
            selfHealing = true;
            return this;
        }

        RoleSnapshot build() {
            return new RoleSnapshot(name, state, cardinality, 0, parents, lastVmNumber, hard, false, selfHealing, vms);
        }
    }

    private static final class VmBuilder {
        private final int id;
        private String key;
        private boolean created;
        private Integer state;
        private Integer lcm;
        private boolean ready;
        private String createError;
        private boolean terminateRequested;
        private boolean terminateSent;
        private String terminateError;
        private boolean terminateHard;
        private boolean hold;
        private boolean resumeRequested;
        private boolean resumeSent;
        private boolean hasRun;

        VmBuilder(int id) {
            this.id = id;
            this.key = "key-" + id;
        }

        VmBuilder key(String k) {
            key = k;
            return this;
        }

        VmBuilder running() {
            hasRun = true;
            return observed(VmStates.ACTIVE, VmStates.LCM_RUNNING, true);
        }

        /** Seen RUNNING before, in another state now. */
        VmBuilder ran() {
            hasRun = true;
            return this;
        }

        VmBuilder observed(int s, int l, boolean r) {
            created = true;
            state = s;
            lcm = l;
            ready = r;
            return this;
        }

        VmBuilder createError(String message) {
            createError = message;
            return this;
        }

        VmBuilder terminateRequested(boolean sent) {
            terminateRequested = true;
            terminateSent = sent;
            return this;
        }

        VmBuilder terminateError(String message) {
            terminateError = message;
            return this;
        }

        /** The terminate was asked for hard (recover --delete, a failed VM replaced). */
        VmBuilder hard() {
            terminateHard = true;
            return this;
        }

        VmBuilder onHold() {
            hold = true;
            return this;
        }

        VmBuilder resumeRequested(boolean sent) {
            resumeRequested = true;
            resumeSent = sent;
            return this;
        }

        VmSnapshot build(String role) {
            return new VmSnapshot(id, role, id - 1, role + "_" + id, key, created ? id : null, state, lcm, ready,
                    createError, terminateRequested, terminateSent, terminateError, false, false, false,
                    resumeRequested, resumeSent, terminateHard, hold, hasRun);
        }
    }
}
