package dev.flotilla.cloud;

import java.util.List;

/** A user as the cloud knows it: id, name, primary group and every group it belongs to. */
public record CloudIdentity(int uid, String name, int gid, String gname, List<Integer> groups) {
    public CloudIdentity {
        groups = List.copyOf(groups);
    }
}
