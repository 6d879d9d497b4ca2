package io.tributary.server.api;

import io.tributary.model.Permission;
import io.tributary.server.auth.Caller;
import java.util.function.BiPredicate;

/**
 * What the API asks of the caller of a read: whether they hold a permission in a team, and whether they
 * see everything (platform admins). The service makes one per request from the authenticated caller; a
 * read lists only what it may see.
 *
 * @param everything true for platform admins: every team, including teams no longer in Git
 */
public record Viewer(boolean everything, BiPredicate<Permission, String> permissions) {

    /** For tools that read as the service itself (no caller). */
    public static final Viewer EVERYTHING = new Viewer(true, (permission, team) -> true);

    /** What an authenticated caller may see. */
    public static Viewer of(Caller caller) {
        return new Viewer(caller.platformAdmin(), caller::may);
    }

    public boolean may(Permission permission, String team) {
        return everything || permissions.test(permission, team);
    }

    /** Whether the caller holds any permission in the team: what makes a team visible to them. */
    public boolean member(String team) {
        if (everything) {
            return true;
        }
        for (Permission p : Permission.values()) {
            if (permissions.test(p, team)) {
                return true;
            }
        }
        return false;
    }
}
