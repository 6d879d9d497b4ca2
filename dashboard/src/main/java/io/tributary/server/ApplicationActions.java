package io.tributary.server;

import io.javalin.http.BadRequestResponse;
import io.javalin.http.ConflictResponse;
import io.javalin.http.Context;
import io.javalin.http.ForbiddenResponse;
import io.javalin.http.NotFoundResponse;
import io.tributary.apply.Overrides;
import io.tributary.apply.Reconciler;
import io.tributary.model.Permission;
import io.tributary.server.auth.Access;
import io.tributary.server.auth.Caller;
import io.tributary.store.AuditEvent;
import java.time.Clock;
import java.util.Arrays;
import java.util.Map;
import java.util.Optional;

/**
 * Operators' actions on one application, in one place for the REST API, the dashboard's forms and
 * the StreamPark-compatible endpoints: the permission each needs, the checks, the call, the audit.
 */
public final class ApplicationActions {
    /** Longest reason an action may carry: it is shown in pages, events and the audit, and flashed back in a cookie. */
    static final int MAX_REASON = 1000;
    /** Shortest: "x" tells the next on-call engineer nothing (the dashboard's form asks the same). */
    public static final int MIN_REASON = 3;

    /** The actions and the permission each needs in the app's team. */
    public enum Action {
        STOP("stop", Permission.APP_STOP),
        START("start", Permission.APP_START),
        RESTART("restart", Permission.APP_RESTART),
        SAVEPOINT("savepoint", Permission.APP_SAVEPOINT),
        PAUSE_SYNC("pause-sync", Permission.APP_SYNC),
        RESUME_SYNC("resume-sync", Permission.APP_SYNC),
        RELEASE_OVERRIDE("release-override", Permission.APP_SYNC);

        private final String path;
        private final Permission permission;

        Action(String path, Permission permission) {
            this.path = path;
            this.permission = permission;
        }

        public String path() {
            return path;
        }

        public Permission permission() {
            return permission;
        }

        public static Optional<Action> byPath(String path) {
            return Arrays.stream(values()).filter(a -> a.path.equals(path)).findFirst();
        }
    }

    private final Reconciler reconciler;
    private final Overrides overrides;
    private final Clock clock;

    public ApplicationActions(Reconciler reconciler, Clock clock) {
        this.reconciler = reconciler;
        this.overrides = new Overrides(reconciler, clock);
        this.clock = clock;
    }

    /**
     * Runs {@code action} on {@code team/name} for {@code caller}: 400 for an unknown action or no
     * reason, 404 for an app that neither Git nor the store knows, 403 without the permission (the
     * same for a caller who may not even see the app: every logged-in user may learn that a name
     * exists, as anyone reading the config repository can), 409 when the app's state does not allow
     * it now. Refusals for want of permission are audited too.
     */
    public void run(Caller caller, String team, String name, String action, String reason, StopOptions stop) {
        Action known = Action.byPath(action).orElseThrow(() -> new BadRequestResponse("unknown action \"" + action
                + "\"; expected one of " + Arrays.stream(Action.values()).map(Action::path).toList()));
        String app = team + "/" + name;
        if (!exists(app)) {
            throw new NotFoundResponse("no application " + app);
        }
        if (!caller.may(known.permission(), team)) {
            auditDenied(caller, app, known.path(), reason, "lacks " + known.permission().yamlName());
            throw new ForbiddenResponse(caller.user() + " lacks " + known.permission().yamlName() + " in team " + team
                    + "; a team admin can grant it in the Team's members (Git)");
        }
        if (reason == null || reason.isBlank()) {
            throw new BadRequestResponse("say why: \"reason\" is required for every action, and shown to others");
        }
        if (reason.strip().length() < MIN_REASON) {
            throw new BadRequestResponse("say why in at least " + MIN_REASON + " characters (a ticket, an incident):"
                    + " the reason is shown to the next person who looks at this app");
        }
        if (reason.length() > MAX_REASON) {
            throw new BadRequestResponse("the reason has " + reason.length() + " characters; keep it under "
                    + MAX_REASON + " (link to a ticket for the details)");
        }
        try {
            switch (known) {
                case STOP -> overrides.stop(app, caller.user(), reason, stop.drain(), stop.cancelIfSavepointFails());
                case START -> overrides.start(app, caller.user(), reason);
                case RESTART -> overrides.restart(app, caller.user(), reason);
                case SAVEPOINT -> overrides.savepoint(app, caller.user(), reason);
                case PAUSE_SYNC -> overrides.pauseSync(app, caller.user(), reason);
                case RESUME_SYNC -> overrides.resumeSync(app, caller.user(), reason);
                case RELEASE_OVERRIDE -> overrides.release(app, caller.user(), reason);
                default -> throw new IllegalStateException("unhandled action " + known);
            }
        } catch (Overrides.Refused refused) {
            throw new ConflictResponse(refused.getMessage());
        }
    }

    /** How a stop goes: {@code drain} lets sources finish first; {@code cancelIfSavepointFails} cancels the job then. */
    public record StopOptions(boolean drain, boolean cancelIfSavepointFails) {
        public static final StopOptions NONE = new StopOptions(false, false);
    }

    record ActionRequest(String reason, Boolean drain, Boolean cancelIfSavepointFails) {}

    /**
     * {@code POST /api/v1/applications/{team}/{name}/actions/{action}} with {@code {"reason": "...", "drain": false,
     * "cancelIfSavepointFails": false}} (the last two for {@code stop}).
     */
    void handle(Context ctx) {
        Caller caller = Access.require(ctx);
        ActionRequest request = Json.body(ctx, ActionRequest.class,
                "expected a JSON body {\"reason\": \"why\", \"drain\": false}");
        if (request == null) {
            request = new ActionRequest(null, null, null); // no body, or a JSON null: "reason" is missing
        }
        String action = ctx.pathParam("action");
        run(caller, ctx.pathParam("team"), ctx.pathParam("name"), action, request.reason(),
                new StopOptions(Boolean.TRUE.equals(request.drain()), Boolean.TRUE.equals(request.cancelIfSavepointFails())));
        ctx.status(202).json(Map.of("accepted", action, "application", ctx.pathParam("team") + "/" + ctx.pathParam("name")));
    }

    /**
     * Audits an action refused for want of a permission (or, from a page, of the app's view); attempts on apps
     * that do not exist are not, so a caller cannot fill the trail with made-up names.
     */
    public void auditDenied(Caller caller, String app, String action, String reason, String why) {
        if (exists(app)) {
            reconciler.store().audit(new AuditEvent(0, clock.instant(), caller.user(), "denied " + action,
                    "application " + app, reason, why));
        }
    }

    private boolean exists(String app) {
        boolean inGit = reconciler.current().map(l -> l.desired().applications().stream()
                .anyMatch(a -> a.id().qualifiedName().equals(app))).orElse(false);
        return inGit || reconciler.store().status(app).isPresent();
    }
}
