package dev.flotilla.api;

/** The authenticated caller of a request. */
public record Identity(int uid, String name, int gid, String gname) {

    /** User 0 and members of group 0 (oneadmin) bypass permission checks, as in OpenNebula. */
    public boolean isAdmin() {
        return uid == 0 || gid == 0;
    }
}
