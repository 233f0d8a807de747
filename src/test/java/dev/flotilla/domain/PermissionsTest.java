package dev.flotilla.domain;

import dev.flotilla.domain.Permissions.Caller;
import dev.flotilla.domain.Permissions.Owned;
import dev.flotilla.domain.Permissions.Right;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

import java.util.Set;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

class PermissionsTest {
    // alice (uid 3) and bob (uid 4) are in devs (100); carol (uid 5) in ops (101). Documents are alice's, group devs.
    private static final Caller ALICE = new Caller(3, Set.of(100));
    private static final Caller BOB = new Caller(4, Set.of(1, 100));
    private static final Caller CAROL = new Caller(5, Set.of(101));

    @ParameterizedTest(name = "mode {0}: alice {1}, bob {2}, carol {3}")
    @CsvSource({
        // mode, alice U/M, bob U/M, carol U/M
        "600, UM, --, --",
        "640, UM, U-, --",
        "644, UM, U-, U-",
        "660, UM, UM, --",
        "604, UM, U-, U-",  // bob is not "other" for the group bits, but the other bits grant everyone
        "400, U-, --, --",
        "000, --, --, --",
        "066, UM, UM, UM",  // no owner bits, yet alice gets USE/MANAGE through her group and the others
    })
    void theOwnerGroupAndOtherBitsEachGrant(String mode, String alice, String bob, String carol) {
        Owned doc = new Owned(3, 100, Integer.parseInt(mode, 8));
        assertRights(alice, ALICE, doc);
        assertRights(bob, BOB, doc);
        assertRights(carol, CAROL, doc);
    }

    private static void assertRights(String expected, Caller who, Owned doc) {
        String actual = (Permissions.allows(who, doc, Right.USE) ? "U" : "-")
                + (Permissions.allows(who, doc, Right.MANAGE) ? "M" : "-");
        assertEquals(expected, actual, "uid " + who.uid() + " on mode " + Integer.toOctalString(doc.mode()));
    }

    @Test
    void oneadminAndItsGroupPassEverything() {
        Owned locked = new Owned(3, 100, 0);
        assertTrue(Permissions.allows(new Caller(0, Set.of(0)), locked, Right.ADMIN));
        assertTrue(Permissions.allows(new Caller(7, Set.of(1, 0)), locked, Right.ADMIN), "a member of group 0");
        assertFalse(Permissions.allows(new Caller(7, Set.of(1)), locked, Right.USE));
    }

    @Test
    void refusalsAreWordedAsTheCoreWordsThem() {
        assertEquals("[one.document.info] User [5] : Not authorized to perform USE DOCUMENT [9].",
                Permissions.refusal("one.document.info", CAROL, Right.USE, 9));
    }

    @Test
    void chmodNeedsAdminOnlyWhenAnAdminBitChanges() {
        Owned doc = new Owned(3, 100, 0600);
        assertEquals(Right.MANAGE, Permissions.chmodNeeds(doc, 0644));
        assertEquals(Right.ADMIN, Permissions.chmodNeeds(doc, 0700));
        assertEquals(Right.ADMIN, Permissions.chmodNeeds(new Owned(3, 100, 0710), 0600), "taking one away too");
    }

    @Test
    void onlyAdminsGiveDocumentsAwayAndGroupsMustBeTheCallers() {
        Owned doc = new Owned(3, 100, 0600);
        assertEquals("Only oneadmin may give a document to another user", Permissions.chownRefusal(ALICE, doc, 4, -1));
        assertNull(Permissions.chownRefusal(ALICE, doc, 3, -1), "to herself is no change");
        assertEquals("User [3] is not in group [101]", Permissions.chownRefusal(ALICE, doc, -1, 101));
        assertNull(Permissions.chownRefusal(new Caller(3, Set.of(100, 101)), doc, -1, 101));
        assertNull(Permissions.chownRefusal(new Caller(0, Set.of(0)), doc, 5, 101));
    }
}
