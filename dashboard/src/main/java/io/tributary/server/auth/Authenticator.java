package io.tributary.server.auth;

import io.javalin.config.RoutesConfig;
import io.javalin.http.BadRequestResponse;
import io.javalin.http.Context;
import io.javalin.http.Cookie;
import io.javalin.http.ForbiddenResponse;
import io.javalin.http.HandlerType;
import io.javalin.http.HttpResponseException;
import io.javalin.http.TooManyRequestsResponse;
import io.javalin.http.HttpStatus;
import io.javalin.http.SameSite;
import io.javalin.http.UnauthorizedResponse;
import io.tributary.model.DesiredState;
import io.tributary.model.User;
import io.tributary.server.Json;
import io.tributary.server.api.Problems;
import io.tributary.store.AccountStore;
import io.tributary.store.AuditEvent;
import io.tributary.store.Store;
import java.net.URLEncoder;
import java.nio.charset.StandardCharsets;
import java.time.Clock;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.function.Supplier;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Puts the caller of every request in its context (from an API token or the session cookie), turns
 * away anonymous requests to what needs a login, checks the CSRF token of cookie-authenticated
 * writes, sets the security headers, and serves login and logout.
 */
public final class Authenticator {
    private static final Logger LOG = LoggerFactory.getLogger(Authenticator.class);
    public static final String COOKIE = "tributary_session";
    public static final String CSRF_HEADER = "X-CSRF-Token";
    public static final String CSRF_FIELD = "_csrf";
    /** What anyone may reach: health, metrics, the login itself, static files, webhooks (signed), the API's description. */
    private static final List<String> OPEN_PREFIXES = List.of("/healthz", "/readyz", "/metrics", "/login",
            "/password/", "/assets/", "/webjars/", "/favicon", "/api/v1/webhooks/", "/api/v1/openapi.json",
            "/api/v1/login", "/api/docs", "/artifacts/");
    private static final Set<HandlerType> SAFE_METHODS = Set.of(HandlerType.GET, HandlerType.HEAD, HandlerType.OPTIONS);
    private static final String CONTENT_SECURITY_POLICY = "default-src 'self'; script-src 'self'; "
            + "style-src 'self' 'unsafe-inline'; img-src 'self' data:; connect-src 'self'; "
            + "frame-ancestors 'none'; base-uri 'self'; form-action 'self'";

    private final Passwords passwords;
    private final Sessions sessions;
    private final ApiTokens tokens;
    private final LoginThrottle throttle;
    private final Supplier<Optional<DesiredState>> desired;
    private final Store store;
    private final Clock clock;

    /** @param store where logins, failed logins and logouts are audited */
    public Authenticator(AccountStore accounts, Store store, Clock clock, Supplier<Optional<DesiredState>> desired) {
        this.store = store;
        this.clock = clock;
        this.passwords = new Passwords(accounts);
        this.tokens = new ApiTokens(accounts, clock);
        this.sessions = new Sessions(accounts, clock);
        this.throttle = new LoginThrottle(clock);
        this.desired = desired;
    }

    public Passwords passwords() {
        return passwords;
    }

    public ApiTokens tokens() {
        return tokens;
    }

    public void register(RoutesConfig routes) {
        routes.before(this::authenticate);
        routes.post("/login", this::loginForm);
        routes.post("/logout", this::logout);
        routes.post("/api/v1/login", this::loginJson);
    }

    /**
     * Gives the bootstrap admin a password on first start: the one in {@code fromEnvironment} when
     * set (and then at every start where it differs, so that the environment stays the truth), else a
     * generated one, printed once.
     */
    public void bootstrapAdmin(Optional<String> fromEnvironment) {
        String admin = User.BOOTSTRAP_ADMIN;
        if (fromEnvironment.isPresent()) {
            // set again only when it changed: setting a password logs its user out everywhere, and a restart
            // with the same environment must not end every open dashboard's session
            if (!passwords.matches(admin, fromEnvironment.get())) {
                passwords.set(admin, fromEnvironment.get());
            }
            LOG.info("auth user={} password=from-environment", admin);
        } else if (!passwords.isSet(admin)) {
            String generated = RandomSecrets.generate();
            passwords.set(admin, generated);
            // printed, not logged: it must not end up in a log collector; this is its only appearance
            System.out.printf("%nFirst start: log in as \"%s\" with the password %s%n"
                    + "(shown once; set TRIBUTARY_ADMIN_PASSWORD to choose it yourself)%n%n", admin, generated);
        }
    }

    private void authenticate(Context ctx) {
        ctx.header("Content-Security-Policy", CONTENT_SECURITY_POLICY);
        ctx.header("X-Content-Type-Options", "nosniff");
        ctx.header("X-Frame-Options", "DENY");
        ctx.header("Referrer-Policy", "same-origin");

        String authorization = ctx.header("Authorization");
        if (authorization != null && !authorization.isBlank()) {
            Optional<Caller> caller = tokenCaller(authorization);
            if (caller.isEmpty()) {
                LOG.warn("auth refused=token address={} path={}", ctx.ip(), ctx.path());
                throw new UnauthorizedResponse("the API token is unknown, expired or revoked, or its user left Git");
            }
            ctx.attribute(Access.CALLER, caller.get());
        } else {
            Optional<Sessions.Session> session = session(ctx.cookie(COOKIE));
            Optional<Caller> caller = session.flatMap(s -> Caller.of(s.user(), desired.get()));
            if (caller.isPresent()) {
                ctx.attribute(Access.CALLER, caller.get());
                ctx.attribute(Access.SESSION, session.get());
                if (!SAFE_METHODS.contains(ctx.method()) && !isLogin(ctx.path())) {
                    requireCsrfToken(ctx, session.get());
                }
            }
        }
        if (ctx.attribute(Access.CALLER) == null && !isOpen(ctx.path())) {
            if (isPage(ctx)) {
                Access.redirectToLogin(ctx);
                ctx.skipRemainingHandlers();
            } else {
                throw new UnauthorizedResponse("log in, or send an API token as \"Authorization: Bearer <token>\"");
            }
        }
    }

    /**
     * Who the request's API token or session cookie will name each time it is asked, with the rights Git
     * gives them then: empty once the token is revoked, the session ended or the user left Git. For
     * requests that stay open (a page's live updates), which the per-request check saw only once.
     */
    public Supplier<Optional<Caller>> callerFromNowOn(Context ctx) {
        String authorization = ctx.header("Authorization");
        if (authorization != null && !authorization.isBlank()) {
            return () -> tokenCaller(authorization);
        }
        String cookie = ctx.cookie(COOKIE);
        return () -> session(cookie).flatMap(s -> Caller.of(s.user(), desired.get()));
    }

    private Optional<Caller> tokenCaller(String authorization) {
        String secret = authorization.regionMatches(true, 0, "Bearer ", 0, 7)
                ? authorization.substring(7).strip() : authorization.strip();
        return tokens.authenticate(secret).flatMap(t -> Caller.of(t.user(), desired.get()));
    }

    private Optional<Sessions.Session> session(String cookie) {
        return cookie == null ? Optional.empty() : sessions.find(cookie);
    }

    private static void requireCsrfToken(Context ctx, Sessions.Session session) {
        String sent = ctx.header(CSRF_HEADER);
        if (sent == null && (ctx.isFormUrlencoded() || ctx.isMultipartFormData())) {
            sent = ctx.formParam(CSRF_FIELD);
        }
        if (sent == null || !RandomSecrets.constantTimeEquals(sent, session.csrfToken())) {
            LOG.warn("auth refused=csrf user={} address={} path={}", session.user(), ctx.ip(), ctx.path());
            throw new ForbiddenResponse(Problems.isApi(ctx)
                    ? "a write with the session cookie needs the header " + CSRF_HEADER + " with the csrfToken that"
                            + " POST /api/v1/login answered (or send an API token as \"Authorization: Bearer <token>\")"
                    : "the form's CSRF token is missing or stale; reload the page and try again");
        }
    }

    private void loginForm(Context ctx) {
        String user = ctx.formParam("user");
        String next = safeNext(ctx.formParam("next"));
        try {
            open(ctx, user, ctx.formParam("password"));
            ctx.redirect(next);
        } catch (HttpResponseException refused) {
            String error = refused.getStatus() == HttpStatus.TOO_MANY_REQUESTS.getCode() ? "throttled" : "1";
            ctx.redirect("/login?error=" + error + "&next=" + URLEncoder.encode(next, StandardCharsets.UTF_8));
        }
    }

    record LoginRequest(String user, String password) {}

    private void loginJson(Context ctx) {
        String expected = "expected a JSON body {\"user\": \"...\", \"password\": \"...\"}";
        LoginRequest request = Json.body(ctx, LoginRequest.class, expected);
        if (request == null) {
            throw new BadRequestResponse(expected);
        }
        Sessions.Session session = open(ctx, request.user(), request.password());
        ctx.json(Map.of("user", session.user(), "csrfToken", session.csrfToken()));
    }

    /** Checks the password and opens a session with its cookie, or throws 400, 401 or 429. */
    private Sessions.Session open(Context ctx, String user, String password) {
        if (user == null || user.isBlank() || password == null) {
            throw new BadRequestResponse("user and password are required");
        }
        String address = ctx.ip();
        Duration wait = throttle.waitFor(user, address);
        if (!wait.isZero()) {
            LOG.warn("auth refused=throttled user={} address={} wait={}s", user, address, wait.toSeconds());
            ctx.header("Retry-After", Long.toString(Math.max(1, wait.toSeconds())));
            throw new TooManyRequestsResponse(
                    "too many failed logins; try again in " + Math.max(1, wait.toSeconds()) + " s");
        }
        boolean known = Caller.of(user, desired.get()).isPresent();
        if (!passwords.matches(user, password) || !known) {
            throttle.failed(user, address);
            LOG.warn("auth refused=password user={} address={}", user, address);
            audit(user, "login-failed", "address " + address);
            throw new UnauthorizedResponse("wrong user or password");
        }
        throttle.succeeded(user, address);
        Sessions.Opened opened = sessions.open(user);
        Cookie cookie = new Cookie(COOKIE, opened.cookieValue(), "/", (int) Sessions.LIFETIME.toSeconds(),
                secureCookie(ctx), true, null, SameSite.LAX);
        ctx.cookie(cookie);
        ctx.attribute(Access.SESSION, opened.session());
        LOG.info("auth login user={} address={}", user, address);
        audit(user, "login", "address " + address);
        return opened.session();
    }

    /**
     * Ends the caller's session (an API token caller has none: nothing ends). A form post is sent back
     * to the login page; a script gets 204.
     */
    private void logout(Context ctx) {
        Caller caller = Access.require(ctx);
        Sessions.Session session = ctx.attribute(Access.SESSION);
        if (session != null) {
            sessions.close(session);
            LOG.info("auth logout user={}", session.user());
        }
        audit(caller.user(), "logout", session == null ? "no session (API token)" : "session");
        ctx.removeCookie(COOKIE, "/");
        if (ctx.isFormUrlencoded() || ctx.isMultipartFormData()) {
            ctx.redirect("/login");
        } else {
            ctx.status(HttpStatus.NO_CONTENT);
        }
    }

    private void audit(String user, String action, String details) {
        // a failed login's name is whatever was typed: kept short
        String name = user.length() > 100 ? user.substring(0, 100) + "…" : user;
        store.audit(new AuditEvent(0, clock.instant(), name, action, "user " + name, null, details));
    }

    /** After a password change, sessions cached here must not outlive the ones the store dropped. */
    public void forgetCachedSessions() {
        sessions.forgetCached();
    }

    /**
     * Secure (HTTPS-only) unless the request came over plain HTTP from afar: browsers keep Secure
     * cookies for http://localhost, so only a plain-HTTP deployment reached by another name needs the
     * flag off, and it is told so in the log.
     */
    private static boolean secureCookie(Context ctx) {
        String scheme = Optional.ofNullable(ctx.header("X-Forwarded-Proto")).orElse(ctx.scheme());
        if ("https".equalsIgnoreCase(scheme)) {
            return true;
        }
        String host = ctx.host() == null ? "" : ctx.host().replaceFirst(":\\d+$", "");
        boolean local = host.equals("localhost") || host.equals("127.0.0.1") || host.equals("[::1]");
        if (!local) {
            LOG.warn("auth cookie=not-secure reason=plain-http host={}: put the service behind TLS", host);
        }
        return local;
    }

    /** Only a local path: a login link must not send anyone to another site. */
    private static String safeNext(String next) {
        if (next == null || !next.startsWith("/") || next.startsWith("//") || next.contains("\\")) {
            return "/";
        }
        return next;
    }

    private static boolean isLogin(String path) {
        return path.equals("/login") || path.equals("/api/v1/login");
    }

    private static boolean isOpen(String path) {
        return OPEN_PREFIXES.stream().anyMatch(path::startsWith);
    }

    private static boolean isPage(Context ctx) {
        return ctx.method() == HandlerType.GET && !ctx.path().startsWith("/api/") && !ctx.path().startsWith("/flink/");
    }
}
