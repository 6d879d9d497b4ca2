package io.tributary.server.auth;

import io.tributary.model.DesiredState;
import io.tributary.model.Permission;
import io.tributary.model.Role;
import io.tributary.model.Team;
import io.tributary.model.User;
import io.tributary.store.Store;
import java.time.Instant;
import java.util.EnumSet;
import java.util.HashMap;
import java.util.Map;
import java.util.Optional;
import java.util.Set;

/**
 * Who is calling and what they may do: the permissions of their role in each team, from the Team,
 * User and Role kinds of the applied revision. Platform admins may do everything everywhere.
 */
public record Caller(String user, boolean platformAdmin, Map<String, Set<Permission>> permissionsByTeam) {
    public Caller {
        Map<String, Set<Permission>> copy = new HashMap<>();
        permissionsByTeam.forEach((team, permissions) -> copy.put(team, Set.copyOf(permissions)));
        permissionsByTeam = Map.copyOf(copy);
    }

    public boolean may(Permission permission, String team) {
        return platformAdmin || permissionsByTeam.getOrDefault(team, Set.of()).contains(permission);
    }

    public boolean mayInSomeTeam(Permission permission) {
        return platformAdmin || permissionsByTeam.values().stream().anyMatch(p -> p.contains(permission));
    }

    /**
     * The audit entries this caller may read: their own, and those of the applications and projects of
     * teams where they hold audit:view (a platform admin: all), of {@code target} and {@code actor} if given.
     */
    public Store.AuditFilter auditFilter(String target, String actor, Instant since) {
        Set<String> teams = platformAdmin ? null : permissionsByTeam.entrySet().stream()
                .filter(e -> e.getValue().contains(Permission.AUDIT_VIEW)).map(Map.Entry::getKey)
                .collect(java.util.stream.Collectors.toUnmodifiableSet());
        return new Store.AuditFilter(user, teams, target, actor, since);
    }

    /**
     * The caller a user name stands for in {@code desired}, or empty when the user is not declared
     * there (any more): a user removed from Git can no longer log in or use their tokens.
     */
    public static Optional<Caller> of(String user, Optional<DesiredState> desired) {
        if (User.BOOTSTRAP_ADMIN.equals(user)) {
            return Optional.of(new Caller(user, true, Map.of()));
        }
        if (desired.isEmpty()) {
            return Optional.empty();
        }
        DesiredState state = desired.get();
        Optional<User> declared = state.all(User.class).stream()
                .filter(u -> u.metadata().name().equals(user))
                .findFirst();
        if (declared.isEmpty()) {
            return Optional.empty();
        }
        Map<String, Set<Permission>> byTeam = new HashMap<>();
        for (Team team : state.all(Team.class)) {
            for (Team.Member member : team.spec().members()) {
                if (member.user().equals(user)) {
                    byTeam.computeIfAbsent(team.metadata().name(), t -> EnumSet.noneOf(Permission.class))
                            .addAll(permissionsOf(member.role(), state));
                }
            }
        }
        return Optional.of(new Caller(user, declared.get().spec().platformAdmin(), byTeam));
    }

    private static Set<Permission> permissionsOf(String role, DesiredState state) {
        if (Permission.BUILT_IN_ROLES.contains(role)) {
            return Permission.ofBuiltInRole(role);
        }
        // validation refuses a member whose role does not exist, so an unknown one here grants nothing
        return state.all(Role.class).stream()
                .filter(r -> r.metadata().name().equals(role))
                .findFirst()
                .map(r -> Set.copyOf(r.spec().permissions()))
                .orElse(Set.of());
    }
}
