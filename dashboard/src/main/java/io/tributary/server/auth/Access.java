package io.tributary.server.auth;

import io.javalin.http.Context;
import io.javalin.http.ForbiddenResponse;
import io.tributary.model.Permission;
import java.util.Map;
import java.util.Optional;

/** STAND-IN for the lead's auth contract (replaced when the "auth:" commits are merged): everyone is admin. */
public final class Access {
    private Access() {}

    public static Optional<Caller> caller(Context ctx) {
        return Optional.of(new Caller("admin", true, Map.of()));
    }

    public static Caller require(Context ctx) {
        return caller(ctx).orElseThrow();
    }

    public static Caller require(Context ctx, Permission permission, String team) {
        Caller caller = require(ctx);
        if (!caller.may(permission, team)) {
            throw new ForbiddenResponse(caller.user() + " may not " + permission.yamlName() + " in team " + team);
        }
        return caller;
    }

    public static String csrfToken(Context ctx) {
        return "stand-in";
    }
}
