package dev.flotilla.domain;

import org.junit.jupiter.api.Test;

import java.util.List;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

class DriftTest {
    private static final int ACTIVE = 3;

    @Test
    void strayMissingAndUnexpectedVmsAreReportedWithTheirRemedy() {
        List<Drift.Member> members = List.of(
                new Drift.Member(1, "web", RoleState.RUNNING, 10),
                new Drift.Member(1, "web", RoleState.RUNNING, 11),
                new Drift.Member(1, "db", RoleState.WARNING, 12),
                new Drift.Member(1, "db", RoleState.RUNNING, 13),
                new Drift.Member(2, "x", RoleState.DEPLOYING, 20));
        List<Drift.CloudVm> cloud = List.of(
                new Drift.CloudVm(10, 1, "web", ACTIVE, VmStates.LCM_RUNNING),
                new Drift.CloudVm(12, 1, "db", 8, 0), // POWEROFF
                new Drift.CloudVm(13, 1, "db", ACTIVE, VmStates.LCM_BOOT_FAILURE),
                new Drift.CloudVm(20, 2, "x", ACTIVE, VmStates.LCM_PROLOG), // still deploying: expected
                new Drift.CloudVm(99, 1, "web", ACTIVE, VmStates.LCM_RUNNING));
        List<Drift.Finding> report = Drift.report(members, cloud);
        assertEquals(List.of(Drift.Kind.MISSING_VM, Drift.Kind.UNEXPECTED_STATE, Drift.Kind.UNEXPECTED_STATE,
                Drift.Kind.STRAY_VM), report.stream().map(Drift.Finding::kind).toList());
        assertEquals(11, report.get(0).vmId());
        assertTrue(report.get(1).remedy().contains("resume"), report.get(1).remedy());
        assertEquals("ACTIVE/BOOT_FAILURE", report.get(2).state());
        assertTrue(report.get(2).remedy().startsWith("recover terminates"));
        assertEquals(99, report.get(3).vmId());
    }
}
