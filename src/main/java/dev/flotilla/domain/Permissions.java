package dev.flotilla.domain;

import java.util.Set;

/**
 * OpenNebula's permission model for documents (opennebula-integration.md §1): the owner bits apply
 * to the owner, the group bits to members of the object's group, the other bits to everyone, and a
 * right is granted when any of them grants it. User 0 and members of group 0 pass every check.
 * Modes are the 9-bit octal numbers the core shows ({@code 0640} = {@code um- u-- ---}).
 */
public final class Permissions {
    /** What new documents get: the core's default umask 177 leaves {@code um- --- ---}. */
    public static final int DEFAULT_MODE = 0600;

    private Permissions() {
    }

    public enum Right {
        USE(4), MANAGE(2), ADMIN(1);

        private final int bit;

        Right(int bit) {
            this.bit = bit;
        }

        /** The right's bit among the other bits (USE 4, MANAGE 2, ADMIN 1); the group's is this << 3, the owner's << 6. */
        public int bit() {
            return bit;
        }
    }

    /** Who asks: a user and every group it belongs to (its primary group included). */
    public record Caller(int uid, Set<Integer> groups) {
        public Caller {
            groups = Set.copyOf(groups);
        }

        public boolean isAdmin() {
            return uid == 0 || groups.contains(0);
        }
    }

    /** The owner, group and mode of one document. */
    public record Owned(int uid, int gid, int mode) {
    }

    public static boolean allows(Caller caller, Owned object, Right right) {
        if (caller.isAdmin()) {
            return true;
        }
        int owner = (object.mode() >> 6) & 7;
        int group = (object.mode() >> 3) & 7;
        int other = object.mode() & 7;
        return (object.uid() == caller.uid() && (owner & right.bit) != 0)
                || (caller.groups().contains(object.gid()) && (group & right.bit) != 0)
                || (other & right.bit) != 0;
    }

    /** The core's words for a refusal: {@code [one.document.info] User [3] : Not authorized to perform USE DOCUMENT [5].} */
    public static String refusal(String coreMethod, Caller caller, Right right, int documentId) {
        return "[" + coreMethod + "] User [" + caller.uid() + "] : Not authorized to perform " + right.name()
                + " DOCUMENT [" + documentId + "].";
    }

    /**
     * Why a chmod to {@code newMode} is refused, or null when it may go: MANAGE is needed for any
     * change and ADMIN too when an admin bit changes (the core's rule).
     */
    public static Right chmodNeeds(Owned object, int newMode) {
        int adminBits = 0111;
        return (object.mode() & adminBits) != (newMode & adminBits) ? Right.ADMIN : Right.MANAGE;
    }

    /**
     * Why a chown or chgrp is refused, or null when it may go (the caller already may MANAGE the
     * object): only admins give an object to another user; a group must be one the caller belongs to.
     * {@code -1} keeps the current value.
     */
    public static String chownRefusal(Caller caller, Owned object, int newUid, int newGid) {
        if (caller.isAdmin()) {
            return null;
        }
        if (newUid >= 0 && newUid != object.uid()) {
            return "Only oneadmin may give a document to another user";
        }
        if (newGid >= 0 && newGid != object.gid() && !caller.groups().contains(newGid)) {
            return "User [" + caller.uid() + "] is not in group [" + newGid + "]";
        }
        return null;
    }
}
