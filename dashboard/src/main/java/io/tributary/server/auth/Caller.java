package io.tributary.server.auth;

import io.tributary.model.Permission;
import java.util.Map;
import java.util.Set;

/** STAND-IN for the lead's auth contract (replaced when the "auth:" commits are merged). */
public record Caller(String user, boolean platformAdmin, Map<String, Set<Permission>> permissionsByTeam) {
    public boolean may(Permission permission, String team) {
        return platformAdmin || permissionsByTeam.getOrDefault(team, Set.of()).contains(permission);
    }

    public boolean mayInSomeTeam(Permission permission) {
        return platformAdmin || permissionsByTeam.values().stream().anyMatch(p -> p.contains(permission));
    }
}
