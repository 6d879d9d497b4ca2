package io.tributary.apply;

import io.tributary.model.Application;
import io.tributary.model.JobState;
import io.tributary.plan.Action;
import io.tributary.store.AppEvent;
import io.tributary.store.AppOverride;
import io.tributary.store.AppStatus;
import io.tributary.store.AuditEvent;
import io.tributary.store.Store;
import java.time.Clock;
import java.util.Optional;

/**
 * What operators do against Git, as one API the dashboard and the REST API call: pin an app
 * running or suspended, stop it (optionally draining), start, restart, take a savepoint, pause
 * and resume syncing, release the override. Each call names who and why, is audited, shows as an
 * event of the app, and a pin stays visible as drift from Git until released.
 */
public final class Overrides {
    private final Reconciler reconciler;
    private final Store store;
    private final Clock clock;

    public Overrides(Reconciler reconciler, Clock clock) {
        this.reconciler = reconciler;
        this.store = reconciler.store();
        this.clock = clock;
    }

    /** An override that cannot be done now, with the reason in words for the operator. */
    public static final class Refused extends RuntimeException {
        public Refused(String message) {
            super(message);
        }
    }

    /**
     * Pins the app suspended and stops it now with a savepoint ({@code drain}: sources end first). With
     * {@code cancelIfSavepointFails} (a job restarting over and over cannot take one), a failed savepoint
     * cancels the job instead, and the next start resumes from its latest checkpoint, if it has one.
     */
    public void stop(String app, String actor, String reason, boolean drain, boolean cancelIfSavepointFails) {
        requireReason(reason);
        pin(app, Application.DesiredState.SUSPENDED, drain, cancelIfSavepointFails, actor, reason,
                "stop" + (drain ? " (drain)" : "") + (cancelIfSavepointFails ? " (cancel if the savepoint fails)" : ""));
        // on a standby, or while another operation of the app runs or waits for its cluster, the pin is
        // enough: the leader suspends the app at its first pass after that operation, as the pin says
        if (reconciler.leads()) {
            runningJob(app).ifPresent(job -> startNow(new Action.Suspend(app, job, drain,
                    Application.UpgradeMode.SAVEPOINT, cancelIfSavepointFails, "stopped by " + actor + ": " + reason),
                    actor));
        }
    }

    /**
     * Pins the app running; the next pass starts it (from its last savepoint when it has one). A job
     * that went down before the pin is started again at once, whatever its restart policy allows.
     */
    public void start(String app, String actor, String reason) {
        requireReason(reason);
        pin(app, Application.DesiredState.RUNNING, false, false, actor, reason, "start");
        reconciler.triggerSync();
    }

    /** Replaces the running job by a new one of the same spec, the way its upgrade mode says. */
    public void restart(String app, String actor, String reason) {
        requireReason(reason);
        Application spec = application(app);
        String job = runningJob(app).orElseThrow(() -> new Refused(app + " has no running job to restart (it"
                + " failed, ended or cannot be reached): start it instead"));
        runNow(new Action.Upgrade(app, job, spec.spec().upgradeMode(), spec.spec().allowStatelessFallback(),
                "restarted by " + actor + ": " + reason), actor, "restart", reason);
    }

    /** Takes a savepoint now; it is kept like any other (kind {@code manual}). */
    public void savepoint(String app, String actor, String reason) {
        requireReason(reason);
        application(app);
        String job = runningJob(app).orElseThrow(() -> new Refused(app + " has no running job to savepoint"));
        runNow(new Action.TakeSavepoint(app, job, "savepoint by " + actor + ": " + reason), actor, "savepoint", reason);
    }

    /** Stops following Git for this app: no deploy, upgrade or delete until resumed. */
    public void pauseSync(String app, String actor, String reason) {
        requireReason(reason);
        application(app);
        AppOverride current = store.override(app).orElse(null);
        if (current != null && current.syncPaused()) {
            // a second pause would overwrite who paused it and why
            throw new Refused(app + " is already paused by " + current.actor() + " (" + current.reason() + ") since "
                    + current.since() + "; resume syncing first to pause it with another reason");
        }
        store.saveOverride(current == null
                ? new AppOverride(app, null, false, false, true, actor, reason, clock.instant())
                : new AppOverride(app, current.pinnedState(), current.drain(), current.cancelIfSavepointFails(), true,
                        actor, reason, clock.instant()));
        audit(app, actor, "pause-sync", reason);
    }

    public void resumeSync(String app, String actor, String reason) {
        requireReason(reason);
        AppOverride current = store.override(app).filter(AppOverride::syncPaused)
                .orElseThrow(() -> new Refused(app + " is not paused"));
        if (current.pinnedState() == null) {
            store.releaseOverride(app);
        } else {
            store.saveOverride(new AppOverride(app, current.pinnedState(), current.drain(),
                    current.cancelIfSavepointFails(), false, actor, reason, clock.instant()));
        }
        audit(app, actor, "resume-sync", reason);
        reconciler.triggerSync();
    }

    /** Back to what Git says: pin and pause are dropped, and the next pass converges to Git. */
    public void release(String app, String actor, String reason) {
        requireReason(reason);
        if (store.override(app).isEmpty()) {
            throw new Refused(app + " has no override to release");
        }
        store.releaseOverride(app);
        audit(app, actor, "release-override", reason);
        reconciler.triggerSync();
    }

    private void pin(String app, Application.DesiredState state, boolean drain, boolean cancelIfSavepointFails,
            String actor, String reason, String action) {
        application(app);
        boolean paused = store.override(app).map(AppOverride::syncPaused).orElse(false);
        store.saveOverride(new AppOverride(app, state.yamlName(), drain, cancelIfSavepointFails, paused, actor, reason,
                clock.instant()));
        audit(app, actor, action, reason);
    }

    /** Starts {@code action} now and audits it as {@code verb}; a refusal is thrown and not audited (nothing was done). */
    private void runNow(Action action, String actor, String verb, String reason) {
        if (!reconciler.leads()) {
            // two replicas must never act on one app at once: only the leader calls Flink
            throw new Refused("this replica is a standby and does not act on Flink; send the " + action.kind()
                    + " to the replica that leads (its GET /api/v1/sync says \"leader\": true)");
        }
        if (!startNow(action, actor)) {
            throw new Refused("an operation of " + action.app() + " is running, or waits for its cluster to answer;"
                    + " try again when it has finished");
        }
        audit(action.app(), actor, verb, reason);
    }

    /** False when another operation of the app is in the way. */
    private boolean startNow(Action action, String actor) {
        Reconciler.Loaded loaded = reconciler.current().orElseThrow(() -> new Refused("no revision is applied yet"));
        return reconciler.submit(action, loaded, actor).isPresent();
    }

    private Application application(String app) {
        return reconciler.current().flatMap(l -> l.desired().applications().stream()
                        .filter(a -> a.id().qualifiedName().equals(app)).findFirst())
                .orElseThrow(() -> new Refused("no application " + app + " in the applied revision"));
    }

    /**
     * The app's job while it runs, as the last pass saw it: a job that failed, ended or cannot be reached
     * has nothing to stop or savepoint now (a pin still holds the app; the passes act once it is back).
     */
    private Optional<String> runningJob(String app) {
        return store.status(app).filter(s -> s.jobId() != null && JobState.fromFlink(s.jobState()).isAlive())
                .map(AppStatus::jobId);
    }

    private static void requireReason(String reason) {
        if (reason == null || reason.isBlank()) {
            throw new Refused("say why: a reason is required for every override");
        }
    }

    private void audit(String app, String actor, String action, String reason) {
        store.audit(new AuditEvent(0, clock.instant(), actor, action, "application " + app, reason, null));
        store.event(new AppEvent(0, clock.instant(), app, "override", "info", actor + ": " + action + " (" + reason + ")",
                reconciler.current().map(l -> l.revision().name()).orElse(null)));
    }
}
