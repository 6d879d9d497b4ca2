package io.tributary.server.streampark;

import io.javalin.config.RoutesConfig;
import io.javalin.http.BadRequestResponse;
import io.javalin.http.Context;
import io.javalin.http.HttpResponseException;
import io.javalin.http.NotFoundResponse;
import io.tributary.apply.Reconciler;
import io.tributary.model.Application;
import io.tributary.model.DesiredState;
import io.tributary.model.Permission;
import io.tributary.server.ApplicationActions;
import io.tributary.server.auth.Access;
import io.tributary.server.auth.Caller;
import io.tributary.store.AppStatus;
import io.tributary.store.Deployment;
import io.tributary.store.SavepointRecord;
import io.tributary.store.Store;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;
import java.util.TreeMap;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The part of Apache StreamPark's REST API that scripts call, answered the way StreamPark answers:
 * form-encoded {@code POST}s under {@code /flink/app/}, the API token in the {@code Authorization}
 * header, and the envelope {@code {"status": "success"|"error", "code": 200, "message": ..., "data": ...}}.
 * An app's StreamPark {@code id} is its stable number in Tributary (also {@code id} in
 * {@code /api/v1/applications}). Start and cancel go through {@link ApplicationActions}: the same
 * permission checks, audit and overrides as the dashboard. docs/streampark-migration.md says what maps
 * to what and what differs.
 */
public final class StreamParkApi {
    private static final Logger LOG = LoggerFactory.getLogger(StreamParkApi.class);
    static final String DEFAULT_REASON = "via the StreamPark-compatible API";
    private static final int MAX_PAGE_SIZE = 1000;

    private final Reconciler reconciler;
    private final ApplicationActions actions;

    public StreamParkApi(Reconciler reconciler, ApplicationActions actions) {
        this.reconciler = reconciler;
        this.actions = actions;
    }

    public void register(RoutesConfig routes) {
        routes.post("/flink/app/start", ctx -> answer(ctx, () -> start(ctx)));
        routes.post("/flink/app/cancel", ctx -> answer(ctx, () -> cancel(ctx)));
        routes.post("/flink/app/list", ctx -> answer(ctx, () -> list(ctx)));
        routes.post("/flink/app/get", ctx -> answer(ctx, () -> get(ctx)));
    }

    /** StreamPark's success envelope; refusals get its error envelope with the HTTP status as {@code code}. */
    private interface Work {
        Envelope run();
    }

    record Envelope(String status, int code, String message, Object data) {
        static Envelope success(Object data, String message) {
            return new Envelope("success", 200, message, data);
        }
    }

    private static void answer(Context ctx, Work work) {
        try {
            ctx.json(work.run());
        } catch (HttpResponseException e) {
            ctx.status(e.getStatus()).json(new Envelope("error", e.getStatus(), e.getMessage(), null));
        }
    }

    /**
     * {@code POST /flink/app/start} ({@code id}, {@code savePointed}, {@code savePoint},
     * {@code allowNonRestored}): pins the app running. It starts from its latest savepoint when it has
     * one, as every Tributary start does; a {@code savePoint} that is not that one is refused.
     */
    private Envelope start(Context ctx) {
        Caller caller = Access.require(ctx);
        String app = app(ctx);
        String path = ctx.formParam("savePoint");
        Optional<String> latest = reconciler.store().latestRestorable(app).map(SavepointRecord::path);
        if (path != null && !path.isBlank() && bool(ctx, "savePointed")
                && !latest.filter(l -> samePlace(l, path.strip())).isPresent()) {
            throw new BadRequestResponse("Tributary starts " + app + " from its latest savepoint ("
                    + latest.orElse("it has none") + "), not from another path; leave savePoint out, or set "
                    + "spec.restore.savepoint in Git for an app's first start");
        }
        String[] parts = app.split("/", 2);
        actions.run(caller, parts[0], parts[1], ApplicationActions.Action.START.path(), reason(ctx),
                ApplicationActions.StopOptions.NONE);
        LOG.info("streampark action=start app={} user={}", app, caller.user());
        boolean running = reconciler.store().status(app).map(s -> "RUNNING".equals(s.jobState())).orElse(false);
        return Envelope.success(true, running ? app + " is running already; it stays pinned running"
                : latest.map(p -> "starting " + app + " from savepoint " + p).orElse("starting " + app));
    }

    /**
     * Whether two savepoint paths name the same place: Flink writes {@code file:/sp/1} where people write
     * {@code file:///sp/1}, with or without a trailing slash.
     */
    static boolean samePlace(String a, String b) {
        return normalized(a).equals(normalized(b));
    }

    private static String normalized(String path) {
        String p = path.strip().replaceAll("/+$", "");
        try {
            java.net.URI uri = java.net.URI.create(p);
            if ("file".equals(uri.getScheme())) {
                return "file:" + java.nio.file.Path.of(uri).normalize();
            }
            return uri.normalize().toString();
        } catch (IllegalArgumentException e) {
            return p;
        }
    }

    /**
     * {@code POST /flink/app/cancel} ({@code id}, {@code savePointed}, {@code savePoint}, {@code drain}):
     * pins the app suspended and stops it with a savepoint into its configured directory. Tributary
     * tries a savepoint first in any case: {@code savePointed=false} cancels the job only if it fails.
     */
    private Envelope cancel(Context ctx) {
        Caller caller = Access.require(ctx);
        String app = app(ctx);
        String path = ctx.formParam("savePoint");
        if (path != null && !path.isBlank()) {
            Optional<String> configured = spec(app).map(a -> a.spec().savepoints())
                    .map(Application.Savepoints::directory);
            if (!configured.filter(c -> samePlace(c, path)).isPresent()) {
                throw new BadRequestResponse("savepoints of " + app + " go to its spec.savepoints.directory in Git ("
                        + configured.orElse("the cluster's default") + "); leave savePoint out");
            }
        }
        boolean savePointed = ctx.formParam("savePointed") == null || bool(ctx, "savePointed");
        String[] parts = app.split("/", 2);
        actions.run(caller, parts[0], parts[1], ApplicationActions.Action.STOP.path(), reason(ctx),
                new ApplicationActions.StopOptions(bool(ctx, "drain"), !savePointed));
        LOG.info("streampark action=cancel app={} user={} drain={}", app, caller.user(), bool(ctx, "drain"));
        return Envelope.success(null, savePointed ? "stopping " + app + " with a savepoint"
                : "stopping " + app + " with a savepoint first; the job is cancelled only if that fails");
    }

    /** StreamPark's page of apps: {@code records}, {@code total}, {@code size}, {@code current}, {@code pages}. */
    record Page(List<AppRecord> records, long total, int size, int current, long pages) {}

    /**
     * One app in StreamPark's field names. {@code teamId} is the team's name (Tributary's teams have no
     * numbers), {@code state} and {@code executionMode} StreamPark's numbers; {@code team}, {@code name},
     * {@code stateName}, {@code health} and {@code sync} are Tributary's own.
     */
    record AppRecord(long id, String teamId, String jobName, int jobType, int executionMode, int state,
            String jobId, String team, String name, String stateName, String health, String sync) {}

    /** {@code POST /flink/app/list} ({@code teamId}, {@code jobName}, {@code pageNum}, {@code pageSize}). */
    private Envelope list(Context ctx) {
        Caller caller = Access.require(ctx);
        String team = blankToNull(ctx.formParam("teamId"));
        String jobName = blankToNull(ctx.formParam("jobName"));
        int pageNum = number(ctx, "pageNum", 1);
        int pageSize = number(ctx, "pageSize", 10);
        if (pageNum < 1 || pageSize < 1 || pageSize > MAX_PAGE_SIZE) {
            throw new BadRequestResponse("pageNum starts at 1; pageSize is 1 to " + MAX_PAGE_SIZE);
        }
        List<AppRecord> visible = new ArrayList<>();
        for (AppRecord r : records()) {
            if (caller.may(Permission.APP_VIEW, r.team()) && (team == null || team.equals(r.team()))
                    && (jobName == null || r.jobName().toLowerCase(Locale.ROOT)
                            .contains(jobName.toLowerCase(Locale.ROOT)))) {
                visible.add(r);
            }
        }
        int from = (int) Math.min((long) (pageNum - 1) * pageSize, visible.size());
        int to = Math.min(from + pageSize, visible.size());
        long pages = (visible.size() + pageSize - 1) / pageSize;
        return Envelope.success(new Page(List.copyOf(visible.subList(from, to)), visible.size(), pageSize, pageNum,
                pages), null);
    }

    /** {@code POST /flink/app/get} ({@code id}): one app, or 404 when the caller cannot see it. */
    private Envelope get(Context ctx) {
        Caller caller = Access.require(ctx);
        String app = app(ctx);
        return records().stream()
                .filter(r -> r.jobName().equals(app) && caller.may(Permission.APP_VIEW, r.team()))
                .findFirst()
                .map(r -> Envelope.success(r, null))
                .orElseThrow(() -> new NotFoundResponse("no application with id " + ctx.formParam("id")));
    }

    /** Every app Git declares or the store still has, ordered by id. */
    private List<AppRecord> records() {
        Store store = reconciler.store();
        Map<String, Application> specs = new TreeMap<>();
        reconciler.current().map(Reconciler.Loaded::desired).map(DesiredState::applications)
                .ifPresent(apps -> apps.forEach(a -> specs.put(a.id().qualifiedName(), a)));
        Map<String, AppStatus> statuses = new TreeMap<>();
        store.statuses().forEach(s -> statuses.put(s.app(), s));
        Map<String, Boolean> names = new TreeMap<>();
        specs.keySet().forEach(n -> names.put(n, true));
        statuses.keySet().forEach(n -> names.put(n, true));
        List<AppRecord> records = new ArrayList<>();
        for (String app : names.keySet()) {
            Optional<Application> spec = Optional.ofNullable(specs.get(app));
            Optional<AppStatus> status = Optional.ofNullable(statuses.get(app));
            String[] parts = app.split("/", 2);
            long id = status.map(AppStatus::id).filter(n -> n > 0).orElseGet(() -> store.appId(app));
            String mode = spec.map(a -> a.spec().deployment().mode().yamlName())
                    .or(() -> status.map(AppStatus::deploymentMode)).orElse(null);
            String jobState = status.map(AppStatus::jobState).orElse(null);
            if (jobState == null && status.map(AppStatus::specHash).isPresent()) {
                // stopped, not new: how its last job ended, as StreamPark shows a cancelled app
                jobState = store.deployments(app, 1).stream().findFirst().map(Deployment::endState).orElse(null);
            }
            records.add(new AppRecord(id, parts[0], app,
                    spec.map(a -> a.spec().job().type().yamlName().equals("sql") ? 2 : 1).orElse(1),
                    executionMode(mode), state(jobState), status.map(AppStatus::jobId).orElse(null), parts[0],
                    parts[1], jobState, status.map(AppStatus::health).orElse(null),
                    status.map(AppStatus::sync).orElse(null)));
        }
        records.sort((a, b) -> Long.compare(a.id(), b.id()));
        return records;
    }

    /** The {@code team/name} of the form's {@code id}: 400 when it is not a number, 404 when no app has it. */
    private String app(Context ctx) {
        String id = ctx.formParam("id");
        if (id == null || id.isBlank()) {
            throw new BadRequestResponse("the form field \"id\" is required: the app's number, as \"id\" in "
                    + "POST /flink/app/list or GET /api/v1/applications");
        }
        long number;
        try {
            number = Long.parseLong(id.strip());
        } catch (NumberFormatException e) {
            throw new BadRequestResponse("\"id\" is an app's number, not \"" + shorten(id) + "\"");
        }
        return reconciler.store().appById(number)
                .orElseThrow(() -> new NotFoundResponse("no application with id " + number));
    }

    private Optional<Application> spec(String app) {
        return reconciler.current().flatMap(l -> l.desired().applications().stream()
                .filter(a -> a.id().qualifiedName().equals(app)).findFirst());
    }

    private static String reason(Context ctx) {
        String reason = ctx.formParam("reason");
        return reason == null || reason.isBlank() ? DEFAULT_REASON : reason;
    }

    private static boolean bool(Context ctx, String field) {
        String value = ctx.formParam(field);
        if (value == null || value.isBlank()) {
            return false;
        }
        String v = value.strip().toLowerCase(Locale.ROOT);
        if (v.equals("true") || v.equals("1")) {
            return true;
        }
        if (v.equals("false") || v.equals("0")) {
            return false;
        }
        throw new BadRequestResponse("\"" + field + "\" is true or false, not \"" + shorten(value) + "\"");
    }

    private static int number(Context ctx, String field, int fallback) {
        String value = ctx.formParam(field);
        if (value == null || value.isBlank()) {
            return fallback;
        }
        try {
            return Integer.parseInt(value.strip());
        } catch (NumberFormatException e) {
            throw new BadRequestResponse("\"" + field + "\" is a number, not \"" + shorten(value) + "\"");
        }
    }

    private static String blankToNull(String value) {
        return value == null || value.isBlank() ? null : value.strip();
    }

    /** What the caller sent, cut short, for an error message. */
    private static String shorten(String value) {
        return value.length() > 40 ? value.substring(0, 40) + "…" : value;
    }

    /** StreamPark's execution modes: REMOTE 1, YARN_PER_JOB 2, YARN_SESSION 3, YARN_APPLICATION 4, K8s 5 and 6. */
    static int executionMode(String mode) {
        if (mode == null) {
            return -1;
        }
        Map<String, Integer> modes = new LinkedHashMap<>();
        modes.put("standalone-session", 1);
        modes.put("yarn-per-job", 2);
        modes.put("yarn-session", 3);
        modes.put("yarn-application", 4);
        modes.put("kubernetes-session", 5);
        modes.put("kubernetes-application", 6);
        return modes.getOrDefault(mode, -1);
    }

    /**
     * StreamPark's app states; 0 (ADDED) for an app that never ran (a stopped one gives how its last job
     * ended), 15 (OTHER) for what has no number.
     */
    static int state(String jobState) {
        if (jobState == null) {
            return 0;
        }
        switch (jobState) {
            case "INITIALIZING": return 1;
            case "CREATED": return 2;
            case "RESTARTING": return 4;
            case "RUNNING": return 5;
            case "FAILING": return 6;
            case "FAILED": return 7;
            case "CANCELLING": return 8;
            case "CANCELED": return 9;
            case "FINISHED": return 10;
            case "SUSPENDED": return 11;
            case "RECONCILING": return 12;
            case "LOST": return 13;
            default: return 15;
        }
    }
}
