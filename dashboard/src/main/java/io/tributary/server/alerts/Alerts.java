package io.tributary.server.alerts;

import io.javalin.config.RoutesConfig;
import io.javalin.http.Context;
import io.javalin.http.ForbiddenResponse;
import io.javalin.http.NotFoundResponse;
import io.tributary.alert.AlertDispatcher;
import io.tributary.apply.Reconciler;
import io.tributary.model.AlertChannel;
import io.tributary.model.DesiredState;
import io.tributary.model.Permission;
import io.tributary.model.Team;
import io.tributary.server.api.PageView;
import io.tributary.server.api.Params;
import io.tributary.server.auth.Access;
import io.tributary.server.auth.Caller;
import io.tributary.store.AlertDelivery;
import io.tributary.store.AlertRecord;
import io.tributary.store.AlertStore;
import io.tributary.store.AuditEvent;
import io.tributary.store.ChannelHealth;
import io.tributary.store.Store;
import java.time.Clock;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;
import java.util.function.Function;
import java.util.stream.Collectors;

/**
 * Alerts as the dashboard and the API show them: the history (per app and overall) with each
 * notice's deliveries, the channels with how their deliveries go, and the test alert. A caller sees
 * the alerts and channels of the teams where they hold {@code alert:view} (platform admins: all,
 * including cluster and platform alerts and platform channels) and may send a test alert to a
 * team's channel with {@code alert:test} there (a platform channel: platform admins).
 */
public final class Alerts {

    private final Reconciler reconciler;
    private final AlertStore store;
    private final AlertDispatcher dispatcher;
    private final Clock clock;

    public Alerts(Reconciler reconciler, AlertStore store, AlertDispatcher dispatcher, Clock clock) {
        this.reconciler = reconciler;
        this.store = store;
        this.dispatcher = dispatcher;
        this.clock = clock;
    }

    /** One attempt to deliver a notice. */
    public record DeliveryView(String channel, String kind, int attempt, Instant at, boolean ok, String detail) {}

    /**
     * @param subject {@code team/name} of an app, {@code cluster:<name>}, or {@code platform:source}
     * @param app the app, when the subject is one
     * @param status {@code open} or {@code resolved}
     */
    public record AlertView(long id, String subject, String app, String event, String severity, String status,
            String message, Instant openedAt, Instant lastSeenAt, int repeats, Instant resolvedAt,
            String resolvedMessage, String revision, List<DeliveryView> deliveries) {

        /** Deliveries that finally worked, by channel: what the history page sums up. */
        public long channelsReached() {
            return deliveries.stream().filter(DeliveryView::ok).map(DeliveryView::channel).distinct().count();
        }

        public long channelsFailed() {
            Set<String> reached = deliveries.stream().filter(DeliveryView::ok).map(DeliveryView::channel)
                    .collect(Collectors.toSet());
            return deliveries.stream().map(DeliveryView::channel).distinct().filter(c -> !reached.contains(c)).count();
        }
    }

    /**
     * A declared channel and how its deliveries went ({@code failing}: its latest attempts failed;
     * {@code unusable}: why it cannot send as declared, e.g. a secret that cannot be read, else null; the
     * dashboard warns about both). Never its URL, token or secret.
     */
    public record ChannelView(String channel, String name, String team, String type, Instant lastAttemptAt,
            Instant lastOkAt, int failuresSinceOk, boolean failing, String lastDetail, String unusable,
            boolean mayTest) {}

    public record AlertPage(List<AlertView> items, long total, int limit, long offset) {}

    public record TestAlertResult(String channel, boolean ok, String detail) {}

    // ---- reads

    public List<ChannelView> channels(Caller caller) {
        Map<String, ChannelHealth> health = store.channelHealth().stream()
                .collect(Collectors.toMap(ChannelHealth::channel, Function.identity()));
        DesiredState state = desired();
        return state.all(AlertChannel.class).stream()
                .filter(c -> mayView(caller, c.metadata().team()))
                .map(c -> {
                    String key = c.id().qualifiedName();
                    ChannelHealth h = health.get(key);
                    return new ChannelView(key, c.metadata().name(), c.metadata().team(), c.spec().type().yamlName(),
                            h == null ? null : h.lastAttemptAt(), h == null ? null : h.lastOkAt(),
                            h == null ? 0 : h.failuresSinceOk(), h != null && h.failing(),
                            h == null ? null : h.lastDetail(), dispatcher.unusable(c, state).orElse(null),
                            mayTest(caller, c.metadata().team()));
                })
                .sorted(java.util.Comparator.comparing(ChannelView::channel))
                .toList();
    }

    /** Alerts of one app or team (null: any) the caller may view, newest first. */
    public AlertPage alerts(Caller caller, String app, String team, Instant since, int limit, long offset) {
        Set<String> teams = null;
        if (!caller.platformAdmin()) {
            teams = new TreeSet<>();
            for (Team t : desired().all(Team.class)) {
                if (caller.may(Permission.ALERT_VIEW, t.metadata().name())) {
                    teams.add(t.metadata().name());
                }
            }
        }
        Store.Page<AlertRecord> page = store.alerts(new Store.Filter(app, team, teams, since), limit, offset);
        List<AlertView> items = page.items().stream().map(this::view).toList();
        return new AlertPage(items, page.total(), limit, offset);
    }

    private AlertView view(AlertRecord a) {
        boolean isApp = a.subject().contains("/") && !a.subject().contains(":");
        List<DeliveryView> deliveries = store.deliveries(a.id()).stream()
                .map(d -> new DeliveryView(d.channel(), d.kind(), d.attempt(), d.at(), d.ok(), d.detail())).toList();
        return new AlertView(a.id(), a.subject(), isApp ? a.subject() : null, a.event(), a.severity(),
                a.open() ? "open" : "resolved", a.message(), a.openedAt(), a.lastSeenAt(), a.repeats(), a.resolvedAt(),
                a.resolvedMessage(), a.revision(), deliveries);
    }

    // ---- the test alert

    /**
     * Sends a test alert to {@code team/name} ({@code team} null: a platform channel) for the caller:
     * 404 for a channel the caller may not view or that is not declared, 403 without {@code alert:test}.
     * Audited, refusals too.
     */
    public TestAlertResult test(Caller caller, String team, String name) {
        String key = team == null ? name : team + "/" + name;
        boolean declared = desired().all(AlertChannel.class).stream().anyMatch(c -> c.id().qualifiedName().equals(key));
        if (!declared || !mayView(caller, team)) {
            throw new NotFoundResponse("no alert channel " + key + " that you may view in the applied revision");
        }
        if (!mayTest(caller, team)) {
            reconciler.store().audit(new AuditEvent(0, clock.instant(), caller.user(), "denied test-alert",
                    "alert channel " + key, null, "lacks alert:test"));
            throw new ForbiddenResponse(caller.user() + " lacks alert:test " + (team == null
                    ? "for platform channels (platform admins only)" : "in team " + team)
                    + "; a team admin can grant it in the Team's members (Git)");
        }
        reconciler.store().audit(new AuditEvent(0, clock.instant(), caller.user(), "test-alert", "alert channel " + key,
                null, null));
        AlertDispatcher.TestResult result = dispatcher.sendTest(key, caller.user());
        return new TestAlertResult(result.channel(), result.ok(), result.detail());
    }

    private static boolean mayView(Caller caller, String team) {
        return team == null ? caller.mayInSomeTeam(Permission.ALERT_VIEW) : caller.may(Permission.ALERT_VIEW, team);
    }

    static boolean mayTest(Caller caller, String team) {
        return team == null ? caller.platformAdmin() : caller.may(Permission.ALERT_TEST, team);
    }

    private DesiredState desired() {
        return reconciler.current().map(Reconciler.Loaded::desired).orElse(DesiredState.of(List.of()));
    }

    // ---- the API

    public void register(RoutesConfig routes) {
        routes.get("/api/v1/alerts", this::listAlerts);
        routes.get("/api/v1/alert-channels", this::listChannels);
        routes.post("/api/v1/alert-channels/{team}/{name}/test", ctx -> ctx.json(test(Access.require(ctx),
                Params.pathName(ctx, "team"), Params.pathName(ctx, "name"))));
        routes.post("/api/v1/alert-channels/{name}/test", ctx -> ctx.json(test(Access.require(ctx), null,
                Params.pathName(ctx, "name"))));
    }

    /** {@code GET /api/v1/alerts?app=&team=&since=&limit=&offset=}. */
    private void listAlerts(Context ctx) {
        Caller caller = Access.require(ctx);
        Params.Paging paging = Params.paging(ctx);
        ctx.json(alerts(caller, Params.app(ctx), Params.name(ctx, "team"), Params.since(ctx), paging.limit(),
                paging.offset()));
    }

    /** {@code GET /api/v1/alert-channels?limit=&offset=}. */
    private void listChannels(Context ctx) {
        Params.Paging paging = Params.paging(ctx);
        List<ChannelView> all = channels(Access.require(ctx));
        ctx.json(new PageView<>(paging.slice(all), all.size(), paging.limit(), paging.offset()));
    }
}
