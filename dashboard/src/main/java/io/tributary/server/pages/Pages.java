package io.tributary.server.pages;

import io.javalin.config.JavalinConfig;
import io.javalin.http.Context;
import io.javalin.http.Cookie;
import io.javalin.http.ForbiddenResponse;
import io.javalin.http.HttpResponseException;
import io.javalin.http.HttpStatus;
import io.javalin.http.staticfiles.Location;
import io.tributary.apply.Overrides;
import io.tributary.apply.Reconciler;
import io.tributary.model.AlertChannel;
import io.tributary.model.AlertPolicy;
import io.tributary.model.Application;
import io.tributary.model.Cluster;
import io.tributary.model.DesiredState;
import io.tributary.model.FlinkVersion;
import io.tributary.model.JobState;
import io.tributary.model.Permission;
import io.tributary.model.Team;
import io.tributary.model.User;
import io.tributary.model.Variable;
import io.tributary.server.ApplicationActions;
import io.tributary.server.ClusterStatuses;
import io.tributary.server.GitVsRunning;
import io.tributary.server.alerts.Alerts;
import io.tributary.server.api.ReadModel;
import io.tributary.server.api.Viewer;
import io.tributary.server.auth.Access;
import io.tributary.server.auth.ApiTokens;
import io.tributary.server.auth.Caller;
import io.tributary.server.auth.Passwords;
import io.tributary.server.auth.TokensApi;
import io.tributary.server.pages.Model.AppRow;
import io.tributary.server.pages.Model.Chrome;
import io.tributary.server.pages.Model.Flash;
import io.tributary.store.AuditEvent;
import io.tributary.store.Deployment;
import java.net.URI;
import java.net.URLDecoder;
import java.net.URLEncoder;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Clock;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.function.Function;
import java.util.function.Supplier;
import java.util.stream.Collectors;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import tools.jackson.databind.SerializationFeature;
import tools.jackson.databind.json.JsonMapper;

/**
 * The dashboard's HTML pages: server-rendered JTE templates, htmx for live rows over Server-Sent
 * Events, one stylesheet. Every page needs a logged-in caller and shows only the teams it may view;
 * override forms post here with the CSRF token and go through {@link ApplicationActions}.
 */
public final class Pages implements AutoCloseable {
    private static final Logger LOG = LoggerFactory.getLogger(Pages.class);
    static final String FLASH_COOKIE = "tributary_flash";
    static final Set<String> ACTIONS = Set.of("stop", "start", "restart", "savepoint", "pause-sync", "resume-sync",
            "release-override");
    private static final JsonMapper SPEC_JSON = JsonMapper.builder().enable(SerializationFeature.INDENT_OUTPUT).build();

    private final Reconciler reconciler;
    private final ClusterStatuses clusterStatuses;
    private final ApplicationActions actions;
    private final TokensApi tokens;
    private final Clock clock;
    private final Views views;
    private final Templates templates = new Templates();
    private final LiveUpdates live;
    private final Function<Context, Supplier<Optional<Caller>>> callerFromNowOn;
    /** Whether a first-login link's secret would still set a password. */
    private final java.util.function.Predicate<String> linkUsable;
    private final Alerts alerts;

    /**
     * @param callerFromNowOn the credentials of a request that stays open, asked again later (see
     *     {@link io.tributary.server.auth.Authenticator#callerFromNowOn})
     * @param linkUsable whether a first-login link's secret would still set a password
     */
    public Pages(Reconciler reconciler, ClusterStatuses clusterStatuses, ApplicationActions actions, TokensApi tokens,
            GitVsRunning drift, ReadModel model, Alerts alerts, Clock clock,
            Function<Context, Supplier<Optional<Caller>>> callerFromNowOn, java.util.function.Predicate<String> linkUsable) {
        this.callerFromNowOn = callerFromNowOn;
        this.linkUsable = linkUsable;
        this.reconciler = reconciler;
        this.clusterStatuses = clusterStatuses;
        this.alerts = alerts;
        this.actions = actions;
        this.tokens = tokens;
        this.clock = clock;
        this.views = new Views(reconciler, drift, model);
        this.live = new LiveUpdates(views, templates, clock);
    }

    /** Static assets (the stylesheet, htmx from its WebJars) and every page route. */
    public void register(JavalinConfig config) {
        config.staticFiles.add(files -> {
            files.hostedPath = "/assets";
            files.directory = "/tributary/static";
            files.location = Location.CLASSPATH;
        });
        config.staticFiles.enableWebjars();
        config.routes.get("/login", this::login);
        config.routes.get("/password/{token}", this::password);
        config.routes.get("/", this::overview);
        config.routes.get("/apps/{team}/{name}", this::app);
        config.routes.post("/apps/{team}/{name}/actions/{action}", this::action);
        config.routes.get("/clusters", this::clusters);
        config.routes.get("/teams", this::teams);
        config.routes.get("/variables", this::variables);
        new BuildPages(reconciler, templates, clock).register(config);
        config.routes.get("/sync", this::sync);
        config.routes.post("/sync", this::syncNow);
        config.routes.get("/audit", this::audit);
        config.routes.get("/alerts", this::alerts);
        config.routes.post("/alerts/channels/{team}/{name}/test", this::testAlert);
        config.routes.post("/alerts/channels/{name}/test", this::testAlert);
        config.routes.get("/tokens", this::tokens);
        config.routes.post("/tokens", this::createToken);
        config.routes.post("/tokens/{id}/revoke", this::revokeToken);
        config.routes.sse("/events/apps", client -> {
            Optional<Caller> caller = Access.caller(client.ctx());
            if (caller.isEmpty()) {
                client.close();
                return;
            }
            live.connect(client, caller.get(), callerFromNowOn.apply(client.ctx()), blankToNull(client.ctx().queryParam("team")),
                    blankToNull(client.ctx().queryParam("q")), blankToNull(client.ctx().queryParam("status")));
        });
    }

    // ---- pages

    private void login(Context ctx) {
        String next = safeNext(ctx.queryParam("next"));
        ctx.html(templates.render("login.jte", new Model.LoginPage(next, ctx.queryParam("error"),
                "set".equals(ctx.queryParam("password")), clock.instant())));
    }

    /** A first-login link opened in a browser: the form that chooses the password (posted to the same path). */
    private void password(Context ctx) {
        ctx.header("Referrer-Policy", "no-referrer"); // the path is the link's secret
        // a spent or expired link says so at once, not after a password was chosen and typed twice
        String error = linkUsable.test(ctx.pathParam("token")) ? ctx.queryParam("error") : "spent";
        ctx.html(templates.render("password.jte", new Model.PasswordPage(ctx.path(), error, Passwords.MIN_LENGTH)));
    }

    private void overview(Context ctx) {
        Optional<Caller> caller = Access.pageCaller(ctx);
        if (caller.isEmpty()) {
            return;
        }
        List<AppRow> all = views.rows(caller.get());
        String team = blankToNull(ctx.queryParam("team"));
        String query = blankToNull(ctx.queryParam("q"));
        String asked = blankToNull(ctx.queryParam("status"));
        String status = asked != null && Views.STATUSES.contains(asked) ? asked : null;
        Flash flash = asked == null || status != null ? takeFlash(ctx) : new Flash("error", "There is no status \""
                + asked + "\" to filter by; all applications are shown. The filters are " + String.join(", ",
                        Views.STATUSES) + ".");
        List<AppRow> shown = all.stream().filter(r -> Views.matches(r, team, query, status)).toList();
        List<String> teams = all.stream().map(AppRow::team).distinct().sorted().toList();
        ctx.html(templates.render("overview.jte", new Model.Overview(
                chrome(ctx, caller.get(), "Applications", "apps", flash, reconciler, clock),
                shown, Views.counts(all.stream().filter(r -> Views.matches(r, team, query, null)).toList()), teams,
                team, query, status, reconciler.current().map(l -> l.desired().applications().size()).orElse(0))));
    }

    private void app(Context ctx) {
        Optional<Caller> caller = Access.pageCaller(ctx);
        if (caller.isEmpty()) {
            return;
        }
        String team = ctx.pathParam("team");
        String app = team + "/" + ctx.pathParam("name");
        Optional<AppRow> row = caller.get().may(Permission.APP_VIEW, team) ? views.row(caller.get(), app)
                : Optional.empty();
        if (row.isEmpty()) {
            error(ctx, caller.get(), HttpStatus.NOT_FOUND, "There is no application " + app
                    + " in the applied revision or the store" + (caller.get().may(Permission.APP_VIEW, team) ? ""
                    : " that you may view") + ". The overview lists every application you may see.");
            return;
        }
        var store = reconciler.store();
        Optional<Application> spec = views.spec(app);
        List<Deployment> deployments = store.deployments(app, 50);
        Optional<Path> log = views.jobManagerLog(app);
        Caller c = caller.get();
        AppRow r = row.get();
        boolean hasJob = r.jobState() != null && store.status(app).map(s -> s.jobId() != null).orElse(false);
        boolean running = hasJob && JobState.fromFlink(r.jobState()).isAlive();
        boolean paused = r.overridden() && r.override().syncPaused();
        var controls = new Model.Controls(c.may(Permission.APP_STOP, team) && r.inGit(),
                c.may(Permission.APP_START, team) && r.inGit(), c.may(Permission.APP_RESTART, team) && r.inGit(),
                c.may(Permission.APP_SAVEPOINT, team) && r.inGit(), c.may(Permission.APP_SYNC, team) && r.inGit(),
                hasJob, running, paused, r.overridden());
        List<AuditEvent> audit = store.auditEvents(c.auditFilter("application " + app, null, null), 30, 0).items();
        ctx.html(templates.render("app.jte", new Model.AppPage(chrome(ctx, c, app, "apps"), r,
                spec.map(a -> specJson(a)).orElse(null),
                spec.map(a -> a.spec().job().sql()).map(s -> s.text()).orElse(null),
                views.drift(app, deployments), deployments, store.savepoints(app), store.events(app, 50),
                store.operations(app, 30), audit, views.exceptions(app),
                log.map(Path::toString).orElse(null), log.map(Views::tail).orElse(null), controls)));
    }

    private void action(Context ctx) {
        Optional<Caller> caller = Access.pageCaller(ctx);
        if (caller.isEmpty()) {
            return;
        }
        String team = ctx.pathParam("team");
        String name = ctx.pathParam("name");
        String action = ctx.pathParam("action");
        String app = team + "/" + name;
        // answered here, not by a redirect: a made-up name must not send the browser to a made-up page
        if (!caller.get().may(Permission.APP_VIEW, team) || views.row(caller.get(), app).isEmpty()) {
            if (ACTIONS.contains(action)) {
                actions.auditDenied(caller.get(), app, action, ctx.formParam("reason"), "lacks "
                        + Permission.APP_VIEW.yamlName());
            }
            error(ctx, caller.get(), HttpStatus.NOT_FOUND, "There is no application " + app
                    + " that you may view. The overview lists every application you may see.");
            return;
        }
        if (!ACTIONS.contains(action)) {
            error(ctx, caller.get(), HttpStatus.BAD_REQUEST, "Unknown action \"" + action
                    + "\"; use one of the buttons on the application's page.");
            return;
        }
        String back = "/apps/" + app;
        String reason = ctx.formParam("reason");
        ApplicationActions.StopOptions stop = new ApplicationActions.StopOptions(ctx.formParam("drain") != null,
                ctx.formParam("cancelIfSavepointFails") != null);
        try {
            actions.run(caller.get(), team, name, action, reason, stop);
            LOG.info("page action app={}/{} action={} actor={}", team, name, action, caller.get().user());
            flash(ctx, "ok", done(action) + " by " + caller.get().user() + ": " + reason);
        } catch (Overrides.Refused e) {
            flash(ctx, "error", "Could not " + action + ": " + e.getMessage());
        } catch (ForbiddenResponse e) {
            flash(ctx, "error", "You may not " + action + " applications of team " + team + ": " + e.getMessage());
        } catch (HttpResponseException e) {
            flash(ctx, "error", "Could not " + action + ": " + e.getMessage());
        } catch (IllegalArgumentException e) {
            flash(ctx, "error", "Could not " + action + ": " + e.getMessage());
        }
        ctx.redirect(back, HttpStatus.SEE_OTHER);
    }

    private static String done(String action) {
        return switch (action) {
            case "stop" -> "Stop (with savepoint) started";
            case "start" -> "Start requested";
            case "restart" -> "Restart started";
            case "savepoint" -> "Savepoint triggered";
            case "pause-sync" -> "Sync paused";
            case "resume-sync" -> "Sync resumed";
            default -> "Override released";
        };
    }

    private void clusters(Context ctx) {
        Optional<Caller> caller = Access.pageCaller(ctx);
        if (caller.isEmpty()) {
            return;
        }
        Optional<DesiredState> desired = views.desired();
        List<Model.ClusterRow> rows = new ArrayList<>();
        List<Model.VersionRow> versions = new ArrayList<>();
        desired.ifPresent(d -> {
            String defaultVersion = d.defaultFlinkVersion().map(v -> v.metadata().name()).orElse(null);
            for (FlinkVersion v : d.all(FlinkVersion.class)) {
                versions.add(new Model.VersionRow(v.metadata().name(), v.spec().version(), v.spec().home(),
                        v.metadata().name().equals(defaultVersion)));
            }
            List<Cluster> visible = d.all(Cluster.class).stream().filter(cluster -> {
                String team = cluster.metadata().team();
                return team == null ? caller.get().mayInSomeTeam(Permission.CLUSTER_VIEW)
                        : caller.get().may(Permission.CLUSTER_VIEW, team);
            }).toList();
            clusterStatuses.of(visible, d).stream().map(ClusterRows::of).forEach(rows::add);
        });
        ctx.html(templates.render("clusters.jte", new Model.ClustersPage(chrome(ctx, caller.get(), "Clusters",
                "clusters"), rows, versions)));
    }

    private void teams(Context ctx) {
        Optional<Caller> caller = Access.pageCaller(ctx);
        if (caller.isEmpty()) {
            return;
        }
        List<Model.TeamRow> teams = new ArrayList<>();
        List<Model.UserRow> users = new ArrayList<>();
        Map<String, List<AppRow>> rowsByTeam = views.rows(caller.get()).stream()
                .collect(java.util.stream.Collectors.groupingBy(AppRow::team));
        views.desired().ifPresent(d -> {
            Map<String, User> byName = new java.util.TreeMap<>();
            d.all(User.class).forEach(u -> byName.put(u.metadata().name(), u));
            Viewer viewer = Viewer.of(caller.get());
            for (Team team : d.all(Team.class)) {
                if (!viewer.member(team.metadata().name())) {
                    continue; // as the API: the teams the caller is in (platform admins: all)
                }
                List<Model.Member> members = team.spec().members().stream()
                        .map(m -> new Model.Member(m.user(), Optional.ofNullable(byName.get(m.user()))
                                .map(u -> u.spec().displayName()).orElse(null), m.role()))
                        .toList();
                teams.add(new Model.TeamRow(team.metadata().name(), team.spec().description(), members,
                        Views.counts(rowsByTeam.getOrDefault(team.metadata().name(), List.of()))));
            }
            byName.values().forEach(u -> users.add(new Model.UserRow(u.metadata().name(), u.spec().displayName(),
                    u.spec().email(), u.spec().platformAdmin())));
            if (!byName.containsKey(User.BOOTSTRAP_ADMIN)) {
                users.add(new Model.UserRow(User.BOOTSTRAP_ADMIN, "bootstrap admin (not in Git)", null, true));
            }
        });
        teams.sort(Comparator.comparing(Model.TeamRow::name));
        users.sort(Comparator.comparing(Model.UserRow::name));
        ctx.html(templates.render("teams.jte", new Model.TeamsPage(chrome(ctx, caller.get(), "Teams", "teams"),
                teams, users)));
    }

    private void variables(Context ctx) {
        Optional<Caller> caller = Access.pageCaller(ctx);
        if (caller.isEmpty()) {
            return;
        }
        List<Model.VariableRow> rows = new ArrayList<>();
        views.desired().ifPresent(d -> {
            for (Variable v : d.all(Variable.class)) {
                String team = v.metadata().team();
                if (team == null ? !caller.get().mayInSomeTeam(Permission.VARIABLE_VIEW)
                        : !caller.get().may(Permission.VARIABLE_VIEW, team)) {
                    continue;
                }
                boolean secret = v.isSecret();
                rows.add(new Model.VariableRow(v.metadata().name(), team, secret ? null : v.spec().value(), secret,
                        secret ? describe(v.spec().secret()) : null, v.spec().description()));
            }
        });
        rows.sort(Comparator.comparing((Model.VariableRow v) -> String.valueOf(v.team())).thenComparing(
                Model.VariableRow::name));
        ctx.html(templates.render("variables.jte", new Model.VariablesPage(chrome(ctx, caller.get(), "Variables",
                "variables"), rows)));
    }

    /** Where a secret comes from ("environment variable X", "file /run/..."), never its value. */
    private static String describe(io.tributary.model.SecretRef ref) {
        if (ref == null) {
            return "secret";
        }
        return ref.env() != null ? "environment variable " + ref.env() : "file " + ref.file();
    }

    private void sync(Context ctx) {
        Optional<Caller> caller = Access.pageCaller(ctx);
        if (caller.isEmpty()) {
            return;
        }
        Reconciler.SyncStatus s = reconciler.sync();
        boolean maySync = caller.get().mayInSomeTeam(Permission.APP_SYNC);
        Model.SyncPage page = s == null
                ? new Model.SyncPage(chrome(ctx, caller.get(), "Sync", "sync"), "Reconciling", "starting", null, null,
                        null, null, null, null, List.of(), false, maySync)
                : new Model.SyncPage(chrome(ctx, caller.get(), "Sync", "sync"), s.condition(), s.reason(), s.source(),
                        s.appliedRevision(), s.fetchedRevision(), s.fetchedMessage(), s.lastFetch(), s.lastAttempt(),
                        s.errors(), s.leader(), maySync);
        ctx.html(templates.render("sync.jte", page));
    }

    private void syncNow(Context ctx) {
        Optional<Caller> caller = Access.pageCaller(ctx);
        if (caller.isEmpty()) {
            return;
        }
        if (!caller.get().mayInSomeTeam(Permission.APP_SYNC)) {
            flash(ctx, "error", "You may not trigger a sync: it needs the app:sync permission in some team.");
        } else {
            reconciler.triggerSync();
            reconciler.store().audit(new AuditEvent(0, clock.instant(), caller.get().user(), "sync", "config source",
                    "sync now from the dashboard", null));
            flash(ctx, "ok", "Fetching the config repository now; this page shows the result in a few seconds.");
        }
        ctx.redirect("/sync", HttpStatus.SEE_OTHER);
    }

    private void audit(Context ctx) {
        Optional<Caller> caller = Access.pageCaller(ctx);
        if (caller.isEmpty()) {
            return;
        }
        String app;
        String actor;
        try {
            app = io.tributary.server.api.Params.app(ctx);
            actor = io.tributary.server.api.Params.name(ctx, "actor");
        } catch (io.tributary.server.api.Problem p) {
            error(ctx, caller.get(), HttpStatus.BAD_REQUEST, p.detail());
            return;
        }
        // the same filter as GET /api/v1/audit
        List<AuditEvent> entries = reconciler.store().auditEvents(caller.get().auditFilter(
                app == null ? null : "application " + app, actor, null), 200, 0).items();
        ctx.html(templates.render("audit.jte", new Model.AuditPage(chrome(ctx, caller.get(), "Audit log", "audit"),
                entries, app, actor)));
    }

    private void alerts(Context ctx) {
        Optional<Caller> caller = Access.pageCaller(ctx);
        if (caller.isEmpty()) {
            return;
        }
        String app = blankToNull(ctx.queryParam("app"));
        if (app != null && !app.matches("[a-z0-9][-a-z0-9.]*/[a-z0-9][-a-z0-9.]*")) {
            error(ctx, caller.get(), HttpStatus.BAD_REQUEST, "app must be team/name, such as payments/orders.");
            return;
        }
        int policies = views.desired().map(d -> d.all(AlertPolicy.class).size()).orElse(0);
        int channels = views.desired().map(d -> d.all(AlertChannel.class).size()).orElse(0);
        Alerts.AlertPage history = alerts.alerts(caller.get(), app, null, null, 100, 0);
        ctx.html(templates.render("alerts.jte", new Model.AlertsPage(chrome(ctx, caller.get(), "Alerts", "alerts"),
                policies, channels, app, alerts.channels(caller.get()), history.items(), history.total())));
    }

    /** The "Send test alert" button of a channel: one attempt now, its outcome as the flash message. */
    private void testAlert(Context ctx) {
        Optional<Caller> caller = Access.pageCaller(ctx);
        if (caller.isEmpty()) {
            return;
        }
        String team = ctx.pathParamMap().get("team");
        String name = ctx.pathParam("name");
        String pattern = "[a-z0-9]([-a-z0-9.]*[a-z0-9])?";
        if ((team != null && !team.matches(pattern)) || !name.matches(pattern)) {
            error(ctx, caller.get(), HttpStatus.BAD_REQUEST, "A channel is named like payments/oncall; use the"
                    + " Send test alert buttons on the Alerts page.");
            return;
        }
        String channel = team == null ? name : team + "/" + name;
        try {
            Alerts.TestAlertResult result = alerts.test(caller.get(), team, name);
            flash(ctx, result.ok() ? "ok" : "error", result.ok() ? "Test alert sent to " + channel + ": "
                    + result.detail() : "Test alert to " + channel + " failed: " + result.detail());
        } catch (io.javalin.http.NotFoundResponse e) {
            // answered here, not by a redirect: a made-up name must not send the browser to a made-up page
            error(ctx, caller.get(), HttpStatus.NOT_FOUND, "There is no alert channel " + channel
                    + " that you may view. The Alerts page lists every channel you may see.");
            return;
        } catch (HttpResponseException e) {
            flash(ctx, "error", "Could not send a test alert to " + channel + ": " + e.getMessage());
        }
        ctx.redirect("/alerts", HttpStatus.SEE_OTHER);
    }

    private void tokens(Context ctx) {
        Optional<Caller> caller = Access.pageCaller(ctx);
        if (caller.isEmpty()) {
            return;
        }
        renderTokens(ctx, caller.get(), null, null);
    }

    private void renderTokens(Context ctx, Caller caller, String createdName, String createdSecret) {
        List<ApiTokens.Token> list = new ArrayList<>(tokens.visibleTo(caller));
        list.sort(Comparator.comparing(ApiTokens.Token::createdAt).reversed());
        ctx.header("Cache-Control", "no-store");
        Optional<DesiredState> desired = reconciler.current().map(Reconciler.Loaded::desired);
        Set<String> ownersGone = list.stream().map(ApiTokens.Token::user)
                .filter(user -> Caller.of(user, desired).isEmpty()).collect(Collectors.toSet());
        ctx.html(templates.render("tokens.jte", new Model.TokensPage(chrome(ctx, caller, "API tokens", "tokens"), list,
                createdName, createdSecret, ownersGone)));
    }

    /** Creates a token and shows its secret once, in this response only (never in a redirect or a cookie). */
    private void createToken(Context ctx) {
        Optional<Caller> caller = Access.pageCaller(ctx);
        if (caller.isEmpty()) {
            return;
        }
        String name = blankToNull(ctx.formParam("name"));
        String days = Optional.ofNullable(ctx.formParam("expires")).orElse("90");
        if (name == null) {
            flash(ctx, "error", "Give the token a name, such as the script or system that will use it.");
            ctx.redirect("/tokens", HttpStatus.SEE_OTHER);
            return;
        }
        java.time.Instant expires;
        try {
            expires = "never".equals(days) ? null
                    : clock.instant().plus(java.time.Duration.ofDays(Math.max(1, Math.min(3650, Integer.parseInt(days)))));
        } catch (NumberFormatException e) {
            flash(ctx, "error", "Expiry \"" + days + "\" is not a number of days; pick one from the list.");
            ctx.redirect("/tokens", HttpStatus.SEE_OTHER);
            return;
        }
        ApiTokens.Created created;
        try {
            created = tokens.create(caller.get(), name, expires);
        } catch (IllegalArgumentException e) {
            flash(ctx, "error", "Could not create the token: " + e.getMessage());
            ctx.redirect("/tokens", HttpStatus.SEE_OTHER);
            return;
        }
        LOG.info("page token created user={} name={} prefix={}", caller.get().user(), name, created.token().prefix());
        renderTokens(ctx, caller.get(), name, created.secret());
    }

    private void revokeToken(Context ctx) {
        Optional<Caller> caller = Access.pageCaller(ctx);
        if (caller.isEmpty()) {
            return;
        }
        long id;
        try {
            id = Long.parseLong(ctx.pathParam("id"));
        } catch (NumberFormatException e) {
            error(ctx, caller.get(), HttpStatus.BAD_REQUEST, "A token's id is a number; use the Revoke buttons on the API tokens page.");
            return;
        }
        Optional<ApiTokens.Token> token;
        try {
            token = tokens.revoke(caller.get(), id);
        } catch (ForbiddenResponse e) {
            error(ctx, caller.get(), HttpStatus.FORBIDDEN, e.getMessage() + ".");
            return;
        }
        if (token.isEmpty()) {
            error(ctx, caller.get(), HttpStatus.NOT_FOUND, "There is no token with id " + id + ".");
            return;
        }
        flash(ctx, "ok", "Token \"" + token.get().name() + "\" of " + token.get().user()
                + " revoked: requests with it are refused from now on.");
        ctx.redirect("/tokens", HttpStatus.SEE_OTHER);
    }

    // ---- shared

    private Chrome chrome(Context ctx, Caller caller, String title, String nav) {
        return chrome(ctx, caller, title, nav, takeFlash(ctx), reconciler, clock);
    }

    /** The chrome of a page; it tells of a Stalled config source on every page, since nothing else shows it. */
    static Chrome chrome(Context ctx, Caller caller, String title, String nav, Flash flash, Reconciler reconciler,
            Clock clock) {
        Reconciler.SyncStatus sync = reconciler.sync();
        String stalled = sync != null && "Stalled".equals(sync.condition()) ? sync.reason() : null;
        return new Chrome(title, nav, caller.user(), Access.csrfToken(ctx), flash, stalled, clock.instant());
    }

    private void error(Context ctx, Caller caller, HttpStatus status, String message) {
        ctx.status(status).html(templates.render("error.jte", new Model.ErrorPage(chrome(ctx, caller,
                status.getMessage(), ""), status.getCode(), message)));
    }

    private static void flash(Context ctx, String kind, String text) {
        Cookie cookie = new Cookie(FLASH_COOKIE, URLEncoder.encode(kind + ":" + text, StandardCharsets.UTF_8));
        cookie.setPath("/");
        cookie.setHttpOnly(true);
        cookie.setMaxAge(60);
        ctx.cookie(cookie);
    }

    private static Flash takeFlash(Context ctx) {
        String raw = ctx.cookie(FLASH_COOKIE);
        if (raw == null || raw.isEmpty()) {
            return null;
        }
        ctx.removeCookie(FLASH_COOKIE, "/");
        String text = URLDecoder.decode(raw, StandardCharsets.UTF_8);
        int colon = text.indexOf(':');
        return colon < 0 ? null : new Flash(text.substring(0, colon), text.substring(colon + 1));
    }

    /** Only a path on this site: never another host, so the login form cannot send users elsewhere. */
    static String safeNext(String next) {
        if (next == null || !next.startsWith("/") || next.startsWith("//") || next.contains("\\")) {
            return "/";
        }
        try {
            URI uri = URI.create(next);
            return uri.getHost() == null ? next : "/";
        } catch (IllegalArgumentException e) {
            return "/";
        }
    }

    private static String specJson(Application app) {
        try {
            return SPEC_JSON.writeValueAsString(app.spec());
        } catch (RuntimeException e) {
            return app.spec().toString();
        }
    }

    private static String blankToNull(String text) {
        return text == null || text.isBlank() ? null : text.strip();
    }

    @Override
    public void close() {
        live.close();
    }
}
