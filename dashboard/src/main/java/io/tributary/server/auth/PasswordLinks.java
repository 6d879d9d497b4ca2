package io.tributary.server.auth;

import io.javalin.config.RoutesConfig;
import io.javalin.http.BadRequestResponse;
import io.javalin.http.Context;
import io.javalin.http.ForbiddenResponse;
import io.javalin.http.GoneResponse;
import io.javalin.http.NotFoundResponse;
import io.tributary.model.DesiredState;
import io.tributary.store.AccountStore;
import io.tributary.store.AuditEvent;
import io.tributary.store.Store;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.Map;
import java.util.Optional;
import java.util.function.Supplier;

/**
 * First-login links: a platform admin asks for one for a user declared in Git and hands it over; the
 * user opens it once, within {@link #VALID_FOR}, and chooses a password. The link's secret is stored
 * only as a hash.
 */
public final class PasswordLinks {
    static final Duration VALID_FOR = Duration.ofHours(24);

    private final AccountStore accounts;
    private final Passwords passwords;
    private final Authenticator authenticator;
    private final Store store;
    private final Clock clock;
    private final Supplier<Optional<DesiredState>> desired;

    public PasswordLinks(AccountStore accounts, Authenticator authenticator, Store store, Clock clock,
            Supplier<Optional<DesiredState>> desired) {
        this.accounts = accounts;
        this.passwords = authenticator.passwords();
        this.authenticator = authenticator;
        this.store = store;
        this.clock = clock;
        this.desired = desired;
    }

    public void register(RoutesConfig routes) {
        routes.post("/api/v1/users/{user}/password-link", this::create);
        routes.post("/password/{token}", this::spend);
    }

    /** Whether the link with this secret would still set a password (for its page, before anything is typed). */
    public boolean usable(String secret) {
        return accounts.passwordLinkUsable(RandomSecrets.hash(secret));
    }

    private void create(Context ctx) {
        Caller caller = Access.require(ctx);
        String user = ctx.pathParam("user");
        if (!caller.platformAdmin()) {
            store.audit(new AuditEvent(0, clock.instant(), caller.user(), "denied create-password-link", "user " + user,
                    null, "not a platform admin"));
            throw new ForbiddenResponse("only platform admins hand out first-login links");
        }
        if (Caller.of(user, desired.get()).isEmpty()) {
            throw new NotFoundResponse("no user \"" + user + "\" in the applied revision; declare it in Git first");
        }
        String secret = RandomSecrets.generate();
        Instant expiresAt = clock.instant().plus(VALID_FOR);
        accounts.createPasswordLink(RandomSecrets.hash(secret), user, expiresAt);
        store.audit(new AuditEvent(0, clock.instant(), caller.user(), "create-password-link", "user " + user, null, null));
        ctx.status(201).json(Map.of("user", user, "path", "/password/" + secret, "expiresAt", expiresAt));
    }

    /** The string field {@code password} of a JSON object body, or null for anything else. */
    private static String jsonPassword(Context ctx) {
        Object body;
        try {
            body = ctx.bodyAsClass(Map.class);
        } catch (RuntimeException e) {
            return null;
        }
        return body instanceof Map<?, ?> map && map.get("password") instanceof String password ? password : null;
    }

    /**
     * {@code POST /password/{token}} with a form or JSON field {@code password}: sets it, once. The link's
     * page ({@code GET}) posts the form, and is shown again with what went wrong.
     */
    private void spend(Context ctx) {
        boolean form = ctx.isFormUrlencoded();
        String password = form ? ctx.formParam("password") : jsonPassword(ctx);
        if (password == null) {
            throw new BadRequestResponse("expected the new password: a form field \"password\" or a JSON body"
                    + " {\"password\": \"...\"}");
        }
        // the page is shown again with a code, not a text: a link someone else made cannot put words on it
        Optional<String> weakness = Passwords.weakness(password);
        if (weakness.isPresent()) {
            if (form) {
                ctx.redirect(ctx.path() + "?error=weak");
                return;
            }
            throw new BadRequestResponse(weakness.get());
        }
        if (form && ctx.formParam("confirm") != null && !password.equals(ctx.formParam("confirm"))) {
            ctx.redirect(ctx.path() + "?error=differ");
            return;
        }
        Optional<String> spent = accounts.spendPasswordLink(RandomSecrets.hash(ctx.pathParam("token")));
        if (spent.isEmpty()) {
            if (form) {
                ctx.redirect(ctx.path() + "?error=spent");
                return;
            }
            throw new GoneResponse("this link was used already or expired; ask an admin for a new one");
        }
        String user = spent.get();
        passwords.set(user, password);
        authenticator.forgetCachedSessions();
        store.audit(new AuditEvent(0, clock.instant(), user, "set-password", "user " + user, "first-login link", null));
        if (ctx.isFormUrlencoded()) {
            ctx.redirect("/login?password=set");
        } else {
            ctx.json(Map.of("user", user, "passwordSet", true));
        }
    }
}
