package io.tributary.server.auth;

import io.javalin.http.Context;
import io.javalin.http.ForbiddenResponse;
import io.javalin.http.UnauthorizedResponse;
import io.tributary.model.Permission;
import java.net.URLEncoder;
import java.nio.charset.StandardCharsets;
import java.util.Optional;

/** What handlers ask about the request's caller; the {@link Authenticator} has put it there. */
public final class Access {
    static final String CALLER = "tributary.caller";
    static final String SESSION = "tributary.session";

    private Access() {}

    public static Optional<Caller> caller(Context ctx) {
        return Optional.ofNullable(ctx.attribute(CALLER));
    }

    /** The logged-in caller of a page, or a redirect to the login form that comes back to it. */
    public static Optional<Caller> pageCaller(Context ctx) {
        Optional<Caller> caller = caller(ctx);
        if (caller.isEmpty()) {
            redirectToLogin(ctx);
        }
        return caller;
    }

    /** To the login form, which sends the user back to this page, with its query, once logged in. */
    static void redirectToLogin(Context ctx) {
        String path = ctx.path() + (ctx.queryString() == null ? "" : "?" + ctx.queryString());
        ctx.redirect("/login?next=" + URLEncoder.encode(path, StandardCharsets.UTF_8));
    }

    /** The caller, or 401 when nobody is logged in. */
    public static Caller require(Context ctx) {
        return caller(ctx).orElseThrow(() -> new UnauthorizedResponse(
                "log in, or send an API token as \"Authorization: Bearer <token>\""));
    }

    /** The caller when they hold {@code permission} in {@code team}; 401 or 403 otherwise. */
    public static Caller require(Context ctx, Permission permission, String team) {
        Caller caller = require(ctx);
        if (!caller.may(permission, team)) {
            throw new ForbiddenResponse(caller.user() + " lacks " + permission.yamlName() + " in team " + team);
        }
        return caller;
    }

    /** The CSRF token forms of this session must carry ({@code _csrf} field or {@code X-CSRF-Token} header). */
    public static String csrfToken(Context ctx) {
        Sessions.Session session = ctx.attribute(SESSION);
        return session == null ? "" : session.csrfToken();
    }
}
