package dev.flotilla.api;

import dev.flotilla.domain.Permissions;

import java.util.HashSet;
import java.util.List;
import java.util.Set;

/** The authenticated caller of a request: user, primary group and every group it belongs to. */
public record Identity(int uid, String name, int gid, String gname, List<Integer> groups) {
    public Identity {
        Set<Integer> all = new HashSet<>(groups);
        all.add(gid);
        groups = List.copyOf(all);
    }

    /** User 0 and members of group 0 (oneadmin) bypass permission checks, as in OpenNebula. */
    public boolean isAdmin() {
        return caller().isAdmin();
    }

    public Permissions.Caller caller() {
        return new Permissions.Caller(uid, Set.copyOf(groups));
    }
}
