package dev.flotilla.store;

/** What OpenNebula keeps about any document: id, owner, group, name and the 9 permission bits (octal 0600 = um-). */
public record DocumentMeta(int id, int uid, int gid, String uname, String gname, String name, int permissions) {
}
