package io.tributary.apply;

import io.tributary.config.SqlOrigin;
import io.tributary.flink.DeploymentTarget;
import io.tributary.flink.FlinkException;
import io.tributary.flink.FlinkRest.Checkpoint;
import io.tributary.flink.FlinkRest.JobSummary;
import io.tributary.flink.FlinkRest.SavepointStatus;
import io.tributary.flink.JobId;
import io.tributary.model.Application;
import io.tributary.model.DesiredState;
import io.tributary.model.JobState;
import io.tributary.plan.Action;
import io.tributary.plan.AppObservation.KeptSavepoint;
import io.tributary.store.AppEvent;
import io.tributary.store.AppStatus;
import io.tributary.store.Deployment;
import io.tributary.store.Operation;
import io.tributary.store.SavepointRecord;
import io.tributary.store.Store;
import java.io.IOException;
import java.net.URI;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.Optional;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import java.util.function.BooleanSupplier;
import java.util.function.Consumer;
import java.util.function.Supplier;
import java.util.stream.Stream;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Executes the planner's actions as persisted, resumable operations. Each one writes its intent
 * (and the JobID it will use) before calling Flink and each result right after, so that
 * {@link #recover} can finish or roll back whatever a crash interrupted by asking Flink: a
 * savepoint once taken is never lost, and no job is started twice.
 */
public final class Operations {
    private static final Logger LOG = LoggerFactory.getLogger(Operations.class);
    static final String STOPPING = "stopping";
    static final String CANCELLING = "cancelling";
    static final String SUBMITTING = "submitting";
    static final String SAVEPOINTING = "savepointing";
    private static final Duration MIN_POLL = Duration.ofMillis(10);
    /** How long a savepoint refused because the job's tasks are still starting is asked for again. */
    private static final Duration TASKS_STARTING = Duration.ofSeconds(30);
    /** What becomes of a job whose savepoint failed, unless a fallback cancels it. */
    private static final String KEEPS_RUNNING = "the job keeps running";

    private final Store store;
    private final JobLauncher launcher;
    private final Clock clock;
    private final Duration savepointTimeout;
    private final Duration maxPollInterval;
    /** Where jobs to start are prepared beside the write of their intent; idle threads end after a minute. */
    private final ExecutorService preparing = Executors.newCachedThreadPool(r -> {
        Thread t = new Thread(r, "tributary-prepare");
        t.setDaemon(true);
        return t;
    });
    /** Whether this replica may still act; asked before every call to Flink (see {@link #actOnlyWhile}). */
    private volatile BooleanSupplier leading = () -> true;

    /**
     * @param maxPollInterval the longest wait between two looks at a savepoint or a stopping job; the
     *     first looks come sooner (see {@link #sleep})
     */
    public Operations(Store store, JobLauncher launcher, Clock clock, Duration savepointTimeout,
            Duration maxPollInterval) {
        this.store = store;
        this.launcher = launcher;
        this.clock = clock;
        this.savepointTimeout = savepointTimeout;
        this.maxPollInterval = maxPollInterval;
    }

    /**
     * Makes every operation ask {@code leading} (the leader lock) before each call to Flink: a replica
     * that lost the lock stops there and leaves the operation open, as recorded, for the new leader's
     * recovery, which goes on from the recorded step and savepoint trigger instead of asking Flink again.
     */
    public void actOnlyWhile(BooleanSupplier leading) {
        this.leading = leading;
    }

    /** This replica no longer leads: the operation stops before its next call to Flink. */
    static final class NotLeading extends RuntimeException {
        NotLeading(String call) {
            super("this replica no longer holds the leader lock; stopped before " + call);
        }
    }

    private void beforeFlink(String call) {
        if (!leading.getAsBoolean()) {
            throw new NotLeading(call);
        }
    }

    /**
     * What an operation works with: the app's spec from the revision being applied (empty when it
     * left Git), and the target its jobs run on.
     */
    public record Context(DesiredState desired, Optional<Application> app, String revision, String specHash,
            String cluster, DeploymentTarget target, String actor, Optional<SqlOrigin> sqlOrigin) {}

    /**
     * Runs one action to its end; failures are recorded on the operation and as an event, never thrown.
     *
     * @return the operation's status at its end ({@link Operation#DONE}, {@link Operation#FAILED}, ...)
     */
    public String run(Action action, Context ctx) {
        long t0 = System.nanoTime();
        // a job to start is prepared while its intent is written: neither calls Flink, and the write
        // mostly waits for the disk
        Future<JobLauncher.Prepared> prepared = startsJob(action.kind()) ? preparing.submit(() -> {
            long p0 = System.nanoTime();
            JobLauncher.Prepared job = prepare(ctx);
            LOG.debug("app={} prepareMs={}", action.app(), (System.nanoTime() - p0) / 1_000_000);
            return job;
        }) : null;
        Operation op = store.begin(intent(action, ctx));
        LOG.info("app={} revision={} action={} operation={} reason=\"{}\" begin", action.app(), ctx.revision(),
                action.kind(), op.id(), action.reason());
        LOG.debug("app={} beginMs={}", action.app(), (System.nanoTime() - t0) / 1_000_000);
        if (action instanceof Action.Restart restart) {
            // why the job is restarted (it failed, was cancelled, is gone; which restart of the budget) is
            // the app's history too, not only the service log's
            event(action.app(), ctx.revision(), action.kind(), "warning", "restarting job " + restart.failedJobId() + ": "
                    + action.reason());
        }
        try {
            execute(action, op, ctx, prepared);
            return latest(op).status();
        } catch (NotLeading e) {
            LOG.warn("app={} action={} operation={} left open for the leader: {}", action.app(), action.kind(), op.id(),
                    e.getMessage());
            return Operation.OPEN;
        } catch (FlinkException.Unreachable e) {
            // Flink may have done what was asked (a submit, a stop) with its answer lost: only Flink can
            // say, so the operation stays open and is recovered, as after a crash, once the cluster answers
            LOG.warn("app={} action={} operation={} interrupted, left open: {}", action.app(), action.kind(), op.id(),
                    describe(e));
            event(action.app(), ctx.revision(), action.kind() + "-interrupted", "warning", action.kind()
                    + " interrupted: " + describe(e) + "; it is finished from what Flink reports once the cluster answers");
            return Operation.OPEN;
        } catch (RuntimeException e) {
            String message = failure(e, ctx);
            LOG.warn("app={} action={} operation={} failed: {}", action.app(), action.kind(), op.id(), message);
            Operation latest = store.operations(action.app(), 1).stream().filter(o -> o.id() == op.id()).findFirst()
                    .orElse(op);
            if (Operation.OPEN.equals(latest.status())) {
                store.update(latest.withStatus(Operation.FAILED, message));
            }
            event(action.app(), ctx.revision(), action.kind() + "-failed", "error", action.kind() + " failed: " + message);
            return Operation.FAILED;
        }
    }

    /** What went wrong, for the operation's record and the event. */
    private static String failure(RuntimeException e, Context ctx) {
        if (e instanceof FlinkException && ctx.sqlOrigin().isPresent()) {
            // Flink's refusal of an SQL app's job names the runner's script lines: say which file holds them
            return ctx.sqlOrigin().get().locate(describe(e));
        }
        return describe(e);
    }

    /**
     * The operation as first recorded. A deploy or resume, whose first call to Flink is the submit,
     * records its client-chosen JobID and restore point with the intent, in one write: after a crash
     * the JobID is there to ask Flink about, whether the submit happened or not.
     */
    private static Operation intent(Action action, Context ctx) {
        Operation open = Operation.open(action.app(), action.kind(), ctx.revision(), ctx.specHash(), oldJobOf(action),
                ctx.actor()).withCluster(ctx.cluster());
        if (action instanceof Action.Deploy d) {
            return open.withRestoreFrom(d.restoreFrom().orElse(null)).withNewJobId(JobId.random().hex())
                    .withStep(SUBMITTING);
        } else if (action instanceof Action.Resume r) {
            return open.withRestoreFrom(r.savepoint()).withNewJobId(JobId.random().hex()).withStep(SUBMITTING);
        }
        return open;
    }

    private static String oldJobOf(Action action) {
        if (action instanceof Action.Upgrade u) {
            return u.oldJobId();
        } else if (action instanceof Action.Suspend s) {
            return s.jobId();
        } else if (action instanceof Action.Restart r) {
            return r.failedJobId();
        } else if (action instanceof Action.TakeSavepoint t) {
            return t.jobId();
        } else if (action instanceof Action.Delete d) {
            return d.jobId().orElse(null);
        }
        return null;
    }

    private JobLauncher.Prepared prepare(Context ctx) {
        return launcher.prepare(ctx.app().orElseThrow(), ctx.desired());
    }

    /** Whether an operation of this kind only starts a job (it stops none and saves none). */
    static boolean startsJob(String kind) {
        return kind.equals("deploy") || kind.equals("resume") || kind.equals("restart");
    }

    private void execute(Action action, Operation op, Context ctx, Future<JobLauncher.Prepared> prepared) {
        if (action instanceof Action.Deploy d) {
            recordRestorePoint(op, null, d.restoreFrom());
            start(op.withRestoreFrom(d.restoreFrom().orElse(null)), ctx, d.allowNonRestoredState(), prepared);
        } else if (action instanceof Action.Resume r) {
            start(op.withRestoreFrom(r.savepoint()), ctx, false, prepared);
        } else if (action instanceof Action.Restart r) {
            endDeploymentOfDownJob(r.failedJobId(), ctx);
            recordRestorePoint(op, r.failedJobId(), r.restoreFrom());
            start(op.withRestoreFrom(r.restoreFrom().orElse(null)), ctx, false, prepared);
        } else if (action instanceof Action.Upgrade u) {
            upgrade(u, op, ctx);
        } else if (action instanceof Action.Suspend s) {
            suspend(s, op, ctx);
        } else if (action instanceof Action.TakeSavepoint t) {
            savepoint(t, op, ctx);
        } else if (action instanceof Action.DisposeSavepoints d) {
            dispose(d, op, ctx);
        } else if (action instanceof Action.Delete d) {
            delete(d, op, ctx);
        } else {
            throw new IllegalArgumentException("no operation for " + action);
        }
    }

    // ---- starting a job

    /** Records the JobID, then submits; a retry after a crash submits the same JobID, which Flink runs at most once. */
    private void start(Operation op, Context ctx, boolean allowNonRestoredState, Future<JobLauncher.Prepared> prepared) {
        long t0 = System.nanoTime();
        JobLauncher.Prepared job;
        try {
            job = prepared.get();
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException("interrupted while the job was prepared", e);
        } catch (ExecutionException e) {
            throw e.getCause() instanceof RuntimeException r ? r : new IllegalStateException(e.getCause());
        }
        LOG.debug("app={} preparedWaitMs={}", op.app(), (System.nanoTime() - t0) / 1_000_000);
        start(op, ctx, allowNonRestoredState, job);
    }

    private void start(Operation op, Context ctx, boolean allowNonRestoredState, JobLauncher.Prepared job) {
        start(op, ctx, allowNonRestoredState, job, tx -> {});
    }

    /**
     * @param recordedWithStart what the caller records in the transaction of the job's start, once Flink
     *     has it
     */
    private void start(Operation op, Context ctx, boolean allowNonRestoredState, JobLauncher.Prepared job,
            Consumer<Store> recordedWithStart) {
        JobId jobId = op.newJobId() != null ? new JobId(op.newJobId()) : JobId.random();
        long t0 = System.nanoTime();
        // recorded already when the intent (a deploy, a resume) or the stop (an upgrade) carried it; else one write now
        Operation submitting = op.newJobId() != null && SUBMITTING.equals(op.step()) ? op
                : store.update(op.withNewJobId(jobId.hex()).withStep(SUBMITTING));
        long t1 = System.nanoTime();
        beforeFlink("submit");
        ctx.target().submit(job.submission(jobId, Optional.ofNullable(op.restoreFrom()), allowNonRestoredState));
        long t2 = System.nanoTime();
        CrashPoint.reached(CrashPoint.AFTER_SUBMIT);
        started(submitting, ctx, recordedWithStart);
        LOG.debug("app={} submittingWriteMs={} submitMs={} startedMs={}", op.app(), (t1 - t0) / 1_000_000,
                (t2 - t1) / 1_000_000, (System.nanoTime() - t2) / 1_000_000);
    }

    /**
     * Ends the deployment of a job that went down as Flink reports its end: FAILED, CANCELED or FINISHED (one
     * stopped with a savepoint by hand), when; a job its cluster no longer knows is taken to have FAILED now.
     */
    private void endDeploymentOfDownJob(String jobId, Context ctx) {
        Optional<JobSummary> job = Optional.empty();
        try {
            job = ctx.target().job(new JobId(jobId)).filter(j -> j.state().isTerminal());
        } catch (FlinkException e) {
            LOG.debug("job={} end not read: {}", jobId, e.getMessage());
        }
        store.endDeployment(jobId, job.flatMap(JobSummary::endTime).orElse(clock.instant()),
                job.map(j -> j.state().name()).orElse(JobState.FAILED.name()));
    }

    /**
     * The new job is in Flink: what the caller adds, its deployment, the app's status and the
     * operation's end, in one transaction.
     */
    private void started(Operation op, Context ctx, Consumer<Store> alsoRecorded) {
        Instant now = clock.instant();
        store.useTransaction(tx -> {
            alsoRecorded.accept(tx);
            tx.recordDeployment(new Deployment(0, op.app(), op.newJobId(), op.revision(), op.specHash(),
                    op.restoreFrom(), now, null, null, ctx.app().map(a -> a.spec().projectArtifactSha256()).orElse(null)));
            AppStatus previous = tx.status(op.app()).orElse(null);
            tx.saveStatus(new AppStatus(op.app(), 0, op.newJobId(), op.specHash(), op.revision(), ctx.cluster(),
                    ctx.app().map(a -> a.spec().deployment().mode().yamlName()).orElse(previous == null ? null
                            : previous.deploymentMode()),
                    JobState.CREATED.name(), "Progressing", "Synced", op.kind() + " submitted job " + op.newJobId(), now));
            tx.update(op.withStatus(Operation.DONE, null));
        });
        // a job restarted empty lost its state unless it never had any to keep: said, and not as a routine restart
        boolean withoutState = op.restoreFrom() == null && "restart".equals(op.kind())
                && ctx.app().map(a -> a.spec().upgradeMode() != Application.UpgradeMode.STATELESS).orElse(true);
        String from = op.restoreFrom() != null ? " from " + op.restoreFrom() : withoutState ? " without state: no"
                + " checkpoint or savepoint of the job it replaces was found (see docs/reconciler.md#where-state-is-found)"
                : "";
        event(op.app(), op.revision(), op.kind(), withoutState ? "warning" : "info",
                op.kind() + ": job " + op.newJobId() + " submitted" + from);
        LOG.info("app={} revision={} action={} job={} restoreFrom={} done", op.app(), op.revision(), op.kind(),
                op.newJobId(), op.restoreFrom());
    }

    // ---- upgrade

    private void upgrade(Action.Upgrade u, Operation op, Context ctx) {
        JobId old = new JobId(u.oldJobId());
        // jar and arguments first, while the old job still runs: none of it is downtime
        JobLauncher.Prepared next = prepare(ctx);
        refuseWhatFlinkWouldNotStart(ctx, next);
        if (u.mode() == Application.UpgradeMode.SAVEPOINT) {
            // the new job's JobID is recorded with the stop, so the run call follows the savepoint at once
            // and the savepoint is recorded with the new job's start, out of the downtime: after a crash in
            // between, recovery finds the savepoint from its trigger and the new job, if submitted, by its JobID
            Optional<Operation> stopped = stopAndAwaitSavepoint(op.withNewJobId(JobId.random().hex()), ctx, old,
                    false, u.allowStatelessFallback() ? "the job is cancelled and the new spec starts without state"
                            + " (allowStatelessFallback: true)" : KEEPS_RUNNING);
            if (stopped.isPresent()) {
                Operation taken = stopped.get();
                // recorded as of now, when the old job ended, though written after the new one's run call
                Instant completed = clock.instant();
                Consumer<Store> savepointRecord = tx -> savepointTaken(tx, taken, old, "savepoint", true, completed);
                try {
                    start(taken.withRestoreFrom(taken.savepointPath()).withStep(SUBMITTING), ctx, false, next,
                            savepointRecord);
                } catch (FlinkException e) {
                    store.useTransaction(savepointRecord);
                    // refused and not there (the target looks for the JobID before it says so); a JobManager
                    // that did not answer may have it: the operation stays open and recovery asks for its JobID
                    if (!(e instanceof FlinkException.Unreachable)) {
                        successorNotStarted(taken, ctx);
                    }
                    throw e;
                }
                return;
            }
            if (!u.allowStatelessFallback()) {
                return; // stopWithSavepoint recorded the failure; the old job keeps running
            }
            event(op.app(), op.revision(), "stateless-fallback", "warning",
                    "savepoint failed; allowStatelessFallback: true, so the new job starts without state");
            Operation failed = latest(op);
            op = store.update(failed.withStatus(Operation.OPEN, null));
            cancelAndWait(store.update(op.withStep(CANCELLING)), ctx, old);
            start(op, ctx, false, next);
            return;
        }
        Optional<String> restore = Optional.empty();
        if (u.mode() == Application.UpgradeMode.LAST_STATE) {
            Optional<String> before = latestState(ctx, old, u.app());
            if (before.isEmpty() && !u.allowStatelessFallback()) {
                noStateToKeep(op);
                return;
            }
            cancelAndWait(store.update(op.withStep(CANCELLING)), ctx, old);
            // read again after the cancel: a checkpoint may have completed meanwhile
            restore = latestCheckpoint(ctx.target(), old).or(() -> before);
        } else {
            cancelAndWait(store.update(op.withStep(CANCELLING)), ctx, old);
        }
        store.endDeployment(old.hex(), clock.instant(), "CANCELED");
        recordRestorePoint(op, old.hex(), restore);
        start(store.update(latest(op).withRestoreFrom(restore.orElse(null))), ctx, false, next);
    }

    /**
     * An SQL app's new job is planned by Flink before the old one stops: SQL the planner refuses fails
     * the upgrade while the old job still runs. A jar app's main method is not run twice for this
     * (it may do more than build its job), nor can an app's own cluster plan before it starts.
     */
    private void refuseWhatFlinkWouldNotStart(Context ctx, JobLauncher.Prepared next) {
        if (ctx.app().map(a -> a.spec().job().type() != Application.JobType.SQL).orElse(true)) {
            return;
        }
        beforeFlink("planning the new job");
        try {
            ctx.target().check(next.submission(JobId.random(), Optional.empty(), false));
        } catch (FlinkException.Unreachable e) {
            throw e;
        } catch (FlinkException e) {
            throw new FlinkException.Rejected(400, "Flink refuses the new job, so the old one keeps running: "
                    + e.getMessage());
        }
    }

    private Optional<String> latestCheckpoint(DeploymentTarget target, JobId job) {
        return target.checkpoints(job).latestCompleted().map(Checkpoint::externalPath);
    }

    /** What a last-state stop of the job resumes from: its newest completed checkpoint, else the app's latest savepoint. */
    private Optional<String> latestState(Context ctx, JobId job, String app) {
        return latestCheckpoint(ctx.target(), job).or(() -> store.latestRestorable(app).map(SavepointRecord::path));
    }

    /** A last-state stop without state to resume from, and no stateless fallback allowed: the job keeps running. */
    private void noStateToKeep(Operation op) {
        String error = "last-state " + op.kind() + " found no completed checkpoint or savepoint; the job keeps running";
        store.update(op.withStatus(Operation.FAILED, error));
        event(op.app(), op.revision(), op.kind() + "-failed", "error", error);
    }

    private void cancelAndWait(Operation op, Context ctx, JobId job) {
        beforeFlink("cancel");
        ctx.target().cancel(job);
        long since = System.nanoTime();
        long deadline = since + savepointTimeout.toNanos();
        while (System.nanoTime() < deadline) {
            Optional<JobSummary> summary = ctx.target().job(job);
            if (summary.isEmpty() || summary.get().state().isTerminal()) {
                return;
            }
            sleep(since);
        }
        throw new IllegalStateException("job " + job + " did not stop within " + savepointTimeout + " after cancel");
    }

    // ---- suspend, delete, savepoints

    private void suspend(Action.Suspend s, Operation op, Context ctx) {
        JobId job = new JobId(s.jobId());
        if (s.mode() == Application.UpgradeMode.LAST_STATE) {
            Optional<String> before = latestState(ctx, job, s.app());
            if (before.isEmpty() && !s.allowStatelessFallback()) {
                noStateToKeep(op);
            } else {
                cancelKeepingState(op, ctx, job, before, s.reason());
            }
            return;
        }
        Optional<Operation> stopped = stopWithSavepoint(op, ctx, job, s.drain(), "savepoint",
                s.allowStatelessFallback() ? "the job is cancelled instead, as allowed, keeping its newest checkpoint"
                        : KEEPS_RUNNING);
        if (stopped.isPresent()) {
            removeAppCluster(ctx);
            stoppedForGood(stopped.get(), ctx, "Suspended", "suspended with savepoint "
                    + stopped.get().savepointPath() + " (" + s.reason() + ")");
        } else if (s.allowStatelessFallback()) {
            event(op.app(), op.revision(), "stateless-fallback", "warning", "savepoint failed, so the job is cancelled"
                    + " as allowed (" + s.reason() + "); it resumes from its newest checkpoint, else the app's latest"
                    + " savepoint, else without state");
            Operation reopened = store.update(latest(op).withStatus(Operation.OPEN, null));
            cancelKeepingState(reopened, ctx, job, latestState(ctx, job, s.app()), s.reason());
        }
    }

    /**
     * A job stopped without a savepoint (a last-state move, or one whose savepoint failed): cancelled, and
     * the state it leaves recorded for the next start, which resumes from it: its newest checkpoint,
     * read again after the cancel as one may complete meanwhile, else {@code before}. Without either,
     * the next start has no state.
     */
    private void cancelKeepingState(Operation op, Context ctx, JobId job, Optional<String> before, String reason) {
        cancelAndWait(store.update(op.withStep(CANCELLING)), ctx, job);
        cancelledKeepingState(op, ctx, job, latestCheckpoint(ctx.target(), job).or(() -> before), reason);
    }

    private void cancelledKeepingState(Operation op, Context ctx, JobId job, Optional<String> restore, String reason) {
        store.endDeployment(job.hex(), clock.instant(), "CANCELED");
        recordRestorePoint(op, job.hex(), restore);
        removeAppCluster(ctx);
        stoppedForGood(latest(op), ctx, "Suspended", "cancelled; "
                + restore.map(path -> "resumes from " + path).orElse("no checkpoint or savepoint: starts without state")
                + " (" + reason + ")");
    }

    /**
     * An app in an application mode that stops for good takes its cluster with it: Flink ends an
     * application cluster when its job ends, and whatever it leaves (a YARN application, Kubernetes
     * objects) is removed here.
     */
    private void removeAppCluster(Context ctx) {
        if (ctx.target() instanceof io.tributary.flink.ApplicationClusterTarget app) {
            beforeFlink("removing the app's cluster");
            app.delete();
        }
    }

    private void delete(Action.Delete d, Operation op, Context ctx) {
        if (d.jobId().isPresent()) {
            JobId job = new JobId(d.jobId().get());
            if (d.finalSavepoint()) {
                if (stopWithSavepoint(op, ctx, job, false, "final", KEEPS_RUNNING + " and is not deleted").isEmpty()) {
                    return; // a failed final savepoint blocks the deletion
                }
            } else {
                cancelAndWait(store.update(op.withStep(CANCELLING)), ctx, job);
                store.endDeployment(job.hex(), clock.instant(), "CANCELED");
            }
        }
        removeAppCluster(ctx);
        Operation done = latest(op);
        store.useTransaction(tx -> {
            tx.deleteStatus(op.app());
            tx.update(done.withStatus(Operation.DONE, null));
        });
        event(op.app(), op.revision(), "deleted", "info", "removed from Git: "
                + (done.savepointPath() != null ? "final savepoint " + done.savepointPath() + "; " : "")
                + "job and status removed, history kept");
    }

    private void savepoint(Action.TakeSavepoint t, Operation op, Context ctx) {
        JobId job = new JobId(t.jobId());
        // the step before the call, as for a stop: recovery then looks for the savepoint before planning another
        Operation savepointing = store.update(op.withStep(SAVEPOINTING));
        CrashPoint.reached(CrashPoint.BEFORE_SAVEPOINT);
        beforeFlink("triggering a savepoint");
        String trigger = ctx.target().triggerSavepoint(job, savepointDirectory(ctx));
        Operation waiting = store.update(savepointing.withTriggerId(trigger));
        String kind = "tributary".equals(ctx.actor()) ? "periodic" : "manual";
        awaitSavepoint(waiting, ctx, job, () -> ctx.target().triggerSavepoint(job, savepointDirectory(ctx)),
                KEEPS_RUNNING)
                .ifPresent(taken -> {
                    store.useTransaction(tx -> tx.update(savepointTaken(tx, taken, job, kind, false, clock.instant())
                            .withStatus(Operation.DONE, null)));
                    event(op.app(), op.revision(), "savepoint", "info", kind + " savepoint " + taken.savepointPath());
                });
    }

    private void dispose(Action.DisposeSavepoints d, Operation op, Context ctx) {
        int disposed = 0;
        for (SavepointRecord s : store.savepoints(d.app())) {
            if (d.savepointIds().contains(s.id()) && s.disposedAt() == null) {
                beforeFlink("disposing " + s.path());
                ctx.target().disposeSavepoint(s.path());
                store.markDisposed(s.id(), clock.instant());
                disposed++;
            }
        }
        store.update(op.withStatus(Operation.DONE, null));
        event(d.app(), op.revision(), "savepoints-disposed", "info", disposed + " savepoint(s) past retention disposed");
    }

    /**
     * Stops the job with a savepoint and records it. Returns the operation as recorded with the
     * savepoint's path, or empty after recording the failure (the job then keeps running, as Flink
     * leaves it).
     */
    private Optional<Operation> stopWithSavepoint(Operation op, Context ctx, JobId job, boolean drain, String kind,
            String ifFailed) {
        return stopAndAwaitSavepoint(op, ctx, job, drain, ifFailed)
                .map(taken -> store.inTransaction(tx -> savepointTaken(tx, taken, job, kind, true, clock.instant())));
    }

    /**
     * Stops the job with a savepoint: the step, the trigger, then the result. Returns the operation
     * with the savepoint's path, not yet recorded, or empty after recording the failure.
     */
    private Optional<Operation> stopAndAwaitSavepoint(Operation op, Context ctx, JobId job, boolean drain,
            String ifFailed) {
        // the step before the call: if the trigger cannot be recorded after it (a crash, the database
        // gone), recovery knows Flink may have stopped the job and looks for its final savepoint
        Operation stopping = STOPPING.equals(op.step()) ? op : store.update(op.withStep(STOPPING));
        CrashPoint.reached(CrashPoint.BEFORE_SAVEPOINT);
        beforeFlink("stop-with-savepoint");
        String trigger = ctx.target().stopWithSavepoint(job, savepointDirectory(ctx), drain);
        Operation waiting = store.update(stopping.withTriggerId(trigger));
        Optional<Operation> taken = awaitSavepoint(waiting, ctx, job,
                () -> ctx.target().stopWithSavepoint(job, savepointDirectory(ctx), drain), ifFailed);
        if (taken.isPresent()) {
            CrashPoint.reached(CrashPoint.AFTER_SAVEPOINT);
        }
        return taken;
    }

    /**
     * Polls the savepoint until it completes (the operation with its path, which the caller records,
     * see {@link #savepointTaken}) or fails (recorded as the operation's failure: empty).
     */
    private Optional<Operation> awaitSavepoint(Operation op, Context ctx, JobId job, Supplier<String> triggerAgain,
            String ifFailed) {
        long since = System.nanoTime();
        long deadline = since + savepointTimeout.toNanos();
        long tasksStartingUntil = since + TASKS_STARTING.toNanos();
        boolean askedAgain = false;
        while (true) {
            beforeFlink("polling savepoint " + op.triggerId());
            SavepointStatus status = ctx.target().savepointStatus(job, op.triggerId());
            if (status instanceof SavepointStatus.Completed c) {
                LOG.debug("app={} job={} savepoint={} completed", op.app(), job, c.location());
                return Optional.of(op.withSavepointPath(c.location()));
            }
            if (status instanceof SavepointStatus.Failed f) {
                if (triggerAgain != null && tasksStarting(f.message()) && System.nanoTime() < tasksStartingUntil) {
                    // a job just started (by the operation before this one) takes a moment to run its tasks
                    if (!askedAgain) {
                        LOG.info("app={} job={} tasks not all running yet; asking for the savepoint again for up to {}s",
                                op.app(), job, TASKS_STARTING.toSeconds());
                        askedAgain = true;
                    }
                    sleep(since);
                    beforeFlink("triggering the savepoint again");
                    op = store.update(op.withTriggerId(triggerAgain.get()));
                    continue;
                }
                savepointFailed(op, f.message(), ifFailed);
                return Optional.empty();
            }
            if (System.nanoTime() > deadline) {
                savepointFailed(op, "the savepoint did not complete within " + savepointTimeout, ifFailed);
                return Optional.empty();
            }
            sleep(since);
        }
    }

    /**
     * Records, in {@code tx}, the savepoint {@code op} carries the path of, and on the operation; the
     * job's deployment ends if the savepoint {@code stopped} it. Both as of {@code at}.
     *
     * @return the operation as updated
     */
    private Operation savepointTaken(Store tx, Operation op, JobId job, String kind, boolean stopped, Instant at) {
        tx.recordSavepoint(new SavepointRecord(0, op.app(), job.hex(), op.savepointPath(), kind,
                localSize(op.savepointPath()), at, null, op.revision()));
        if (stopped) {
            tx.endDeployment(job.hex(), at, "FINISHED");
        }
        LOG.info("app={} job={} savepoint={} kind={} recorded", op.app(), job, op.savepointPath(), kind);
        return tx.update(op);
    }

    /** Flink's refusal of a checkpoint while some of the job's tasks are not running (yet). */
    private static boolean tasksStarting(String failure) {
        return failure.contains("is not being executed at the moment")
                || failure.contains("Not all required tasks are currently running");
    }

    /** @param consequence what becomes of the job, for people: {@link #KEEPS_RUNNING} unless a fallback follows */
    private void savepointFailed(Operation op, String message, String consequence) {
        String error = "savepoint failed: " + message + "; " + consequence;
        LOG.warn("app={} action={} operation={} {}", op.app(), op.kind(), op.id(), error);
        store.update(latest(op).withStatus(Operation.FAILED, error));
        event(op.app(), op.revision(), op.kind() + "-failed", "error", op.kind() + " failed: " + error);
    }

    /**
     * A checkpoint, or a savepoint Tributary did not take ({@code external}: one the job was stopped with
     * outside Tributary, {@code spec.restore.savepoint}), that a new job starts from is kept in the app's
     * history beside its savepoints: until the new job completes a checkpoint of its own, it is the
     * newest state, which a restart or a last-state upgrade starts from. A savepoint of the app's own
     * keeps its record as it is.
     */
    private void recordRestorePoint(Operation op, String jobId, Optional<String> restoreFrom) {
        restoreFrom.ifPresent(path -> store.recordSavepoint(new SavepointRecord(0, op.app(), jobId, path,
                KeptSavepoint.isCheckpointPath(path) ? "checkpoint" : "external", localSize(path), null, null,
                op.revision())));
    }

    /** The bytes under a savepoint or checkpoint directory on a local disk; null for any other place or on error. */
    static Long localSize(String path) {
        try {
            URI uri = URI.create(path);
            Path dir = uri.getScheme() == null ? Path.of(path)
                    : "file".equals(uri.getScheme()) ? Path.of(uri) : null;
            if (dir == null || !Files.isDirectory(dir)) {
                return null;
            }
            try (Stream<Path> files = Files.walk(dir)) {
                return files.filter(Files::isRegularFile).mapToLong(f -> f.toFile().length()).sum();
            }
        } catch (IOException | RuntimeException e) {
            return null;
        }
    }

    /**
     * The old job stopped with a savepoint, and Flink refused its successor (an SQL error, a missing
     * class): the app has no job now, as after a suspend, so the next plan resumes it from that savepoint,
     * after the failure's backoff, with whatever spec Git then holds; the old spec again if the commit
     * is reverted. Left as the current job, a job stopped with a savepoint would look finished.
     */
    private void successorNotStarted(Operation op, Context ctx) {
        store.useTransaction(tx -> {
            AppStatus previous = tx.status(op.app()).orElse(null);
            tx.saveStatus(new AppStatus(op.app(), 0, null, previous == null ? null : previous.specHash(),
                    previous == null ? null : previous.revision(), ctx.cluster(),
                    previous == null ? null : previous.deploymentMode(), JobState.FINISHED.name(), "Degraded",
                    "OutOfSync", "job " + op.oldJobId() + " stopped with savepoint " + op.savepointPath()
                            + " but its successor did not start", clock.instant()));
        });
    }

    /**
     * The job is stopped and no new one follows (suspend): the app keeps its record without a current job,
     * and the spec and revision it last ran with (whose {@code prune} and upgrade mode still apply to it,
     * even when the revision applied now no longer declares it).
     */
    private void stoppedForGood(Operation op, Context ctx, String health, String message) {
        Instant now = clock.instant();
        store.useTransaction(tx -> {
            AppStatus previous = tx.status(op.app()).orElse(null);
            tx.saveStatus(new AppStatus(op.app(), 0, null, previous == null ? op.specHash() : previous.specHash(),
                    previous == null ? op.revision() : previous.revision(), ctx.cluster(),
                    previous == null ? null : previous.deploymentMode(),
                    JobState.FINISHED.name(), health, "Synced", message, now));
            tx.update(op.withStatus(Operation.DONE, null));
        });
        event(op.app(), op.revision(), op.kind(), "info", message);
    }

    private static String savepointDirectory(Context ctx) {
        return ctx.app().map(a -> a.spec().savepoints()).map(s -> s.directory()).orElse(null);
    }

    // ---- recovery

    /**
     * Finishes or rolls back an operation a crash (or a call Flink did not answer) left open, from
     * what Flink says now. The reconciler calls it as the app's operation, with the same context
     * {@link #run} would get, and plans the app only once it returned true.
     *
     * @return false when the cluster did not answer: the operation is left open, to be tried again
     */
    public boolean recover(Operation op, Context ctx) {
        LOG.info("app={} action={} operation={} step={} recovering", op.app(), op.kind(), op.id(), op.step());
        try {
            if (op.newJobId() != null && SUBMITTING.equals(op.step())) {
                recoverSubmit(op, ctx);
            } else if (op.triggerId() != null || STOPPING.equals(op.step()) || SAVEPOINTING.equals(op.step())) {
                recoverSavepoint(op, ctx);
            } else if (CANCELLING.equals(op.step()) && "suspend".equals(op.kind())) {
                recoverCancelKeepingState(op, ctx);
            } else if (CANCELLING.equals(op.step())) {
                rollBack(op, "interrupted while cancelling; planning again");
            } else {
                rollBack(op, "interrupted before any call to Flink; planning again");
            }
        } catch (NotLeading e) {
            LOG.warn("app={} operation={} recovery left open for the leader: {}", op.app(), op.id(), e.getMessage());
        } catch (FlinkException.Unreachable e) {
            // only Flink can say whether the submit happened or which savepoint completed: closing the
            // operation now would let the next plan start a second job, or one from an older savepoint
            LOG.warn("app={} operation={} recovery waits for the cluster to answer: {}", op.app(), op.id(),
                    describe(e));
            return false;
        } catch (RuntimeException e) {
            String message = failure(e, ctx);
            LOG.warn("app={} operation={} recovery failed: {}", op.app(), op.id(), message);
            store.update(latest(op).withStatus(Operation.FAILED, "recovery failed: " + message));
            event(op.app(), op.revision(), op.kind() + "-failed", "error", op.kind() + " failed when finished after an"
                    + " interruption: " + message);
        }
        return true;
    }

    /**
     * A move's cancel interrupted: a job that ended is recorded as the move would have recorded it, with
     * the state it left, so the next plan resumes it on Git's cluster (not restarts it, as a job cancelled
     * outside Tributary, which a restart policy may forbid); one still running is planned again.
     */
    private void recoverCancelKeepingState(Operation op, Context ctx) {
        JobId job = new JobId(op.oldJobId());
        if (ctx.target().job(job).filter(j -> !j.state().isTerminal()).isPresent()) {
            rollBack(op, "interrupted while cancelling, and the job still runs; planning again");
        } else {
            cancelledKeepingState(op, ctx, job, latestState(ctx, job, op.app()), "finished after an interruption");
        }
    }

    private void recoverSubmit(Operation op, Context ctx) {
        if (ctx.target().job(new JobId(op.newJobId())).isPresent()) {
            started(op, ctx, tx -> {});
        } else if (ctx.app().isEmpty()) {
            rollBack(op, "the app left Git before its job was submitted");
        } else if (ctx.desired().jobClusterName(ctx.app().get()).filter(ctx.cluster()::equals).isEmpty()) {
            rollBack(op, "Git moved the app to another cluster before its job was submitted; planning again");
        } else {
            // not in Flink: submit under the same JobID, from the same savepoint
            startInRecovery(op, ctx);
        }
    }

    private void recoverSavepoint(Operation op, Context ctx) {
        JobId old = new JobId(op.oldJobId());
        if ("upgrade".equals(op.kind()) && op.newJobId() != null
                && ctx.target().job(new JobId(op.newJobId())).isPresent()) {
            recoverSubmittedSuccessor(op, ctx, old);
            return;
        }
        Optional<String> path = Optional.ofNullable(op.savepointPath());
        if (path.isEmpty() && op.triggerId() != null) {
            try {
                SavepointStatus status = ctx.target().savepointStatus(old, op.triggerId());
                if (status instanceof SavepointStatus.Completed c) {
                    path = Optional.of(c.location());
                } else if (status instanceof SavepointStatus.InProgress) {
                    path = awaitSavepoint(op, ctx, old, null, KEEPS_RUNNING).map(Operation::savepointPath);
                    if (path.isEmpty()) {
                        return;
                    }
                }
            } catch (FlinkException.NotFound e) {
                // Flink forgot the trigger (it keeps them for minutes): the job's state tells
            }
        }
        Optional<JobSummary> job = ctx.target().job(old);
        if (path.isEmpty()) {
            if (job.isPresent() && job.get().state() == JobState.FINISHED) {
                // stopped with a savepoint whose trigger was never recorded: Flink lists it as the latest checkpoint
                path = ctx.target().checkpoints(old).latestCompleted().filter(Checkpoint::savepoint)
                        .map(Checkpoint::externalPath);
            } else if ("savepoint".equals(op.kind()) && job.isPresent() && !job.get().state().isTerminal()) {
                // a savepoint triggered but not recorded (the replica lost the database or the lock right
                // after the call): once complete, Flink lists it as the latest checkpoint; reuse it
                path = ctx.target().checkpoints(old).latestCompleted().filter(Checkpoint::savepoint)
                        .filter(c -> !c.time().isBefore(op.createdAt())).map(Checkpoint::externalPath);
            }
            if (path.isEmpty()) {
                rollBack(op, "no savepoint was completed before the crash; planning again");
                return;
            }
        }
        String taken = path.get();
        Operation withPath = store.inTransaction(tx -> savepointTaken(tx, op.withSavepointPath(taken), old,
                savepointKind(op), false, clock.instant()));
        if ("savepoint".equals(op.kind())) {
            store.update(withPath.withStatus(Operation.DONE, null));
        } else if ("suspend".equals(op.kind())) {
            store.endDeployment(old.hex(), clock.instant(), "FINISHED");
            stoppedForGood(withPath, ctx, "Suspended", "suspended with savepoint " + path.get());
        } else if ("delete".equals(op.kind())) {
            store.endDeployment(old.hex(), clock.instant(), "FINISHED");
            delete(new Action.Delete(op.app(), Optional.empty(), false, "recovered"), withPath, ctx);
        } else if ("upgrade".equals(op.kind()) && ctx.app().isPresent()) {
            store.endDeployment(old.hex(), clock.instant(), "FINISHED");
            startInRecovery(store.update(withPath.withRestoreFrom(path.get())), ctx);
        } else {
            rollBack(withPath, "savepoint " + path.get() + " kept; planning again");
        }
    }

    /**
     * Starts the job an interrupted operation was to start. When Flink refuses the new job of an upgrade
     * whose old job stopped with a savepoint (or its jar cannot be prepared), the app is left without a
     * job, as when that happens outside a recovery: else the stopped old job would look finished, and the
     * next plan would deploy the new spec without state.
     */
    private void startInRecovery(Operation op, Context ctx) {
        try {
            start(op, ctx, false, prepare(ctx));
        } catch (NotLeading | FlinkException.Unreachable e) {
            throw e;
        } catch (RuntimeException e) {
            if ("upgrade".equals(op.kind()) && op.savepointPath() != null) {
                successorNotStarted(op, ctx);
            }
            throw e;
        }
    }

    /**
     * An upgrade whose new job Flink has: the crash came between the run call and the record of the
     * job's start. The savepoint it started from is the trigger's result or, once Flink forgot the
     * trigger, what the new job says it restored.
     */
    private void recoverSubmittedSuccessor(Operation op, Context ctx, JobId old) {
        JobId successor = new JobId(op.newJobId());
        Optional<String> path = Optional.ofNullable(op.savepointPath()).or(() -> completedSavepoint(op, ctx, old))
                .or(() -> ctx.target().checkpoints(successor).restored().map(Checkpoint::externalPath));
        Operation submitted = op.withSavepointPath(path.orElse(null)).withRestoreFrom(path.orElse(null))
                .withStep(SUBMITTING);
        if (path.isEmpty()) {
            LOG.warn("app={} operation={} job={} was submitted before the crash; Flink no longer says from which"
                    + " savepoint, so none is recorded", op.app(), op.id(), successor);
        }
        started(submitted, ctx, tx -> {
            if (path.isPresent()) {
                savepointTaken(tx, submitted, old, "savepoint", true, clock.instant());
            } else {
                tx.endDeployment(old.hex(), clock.instant(), "FINISHED");
            }
        });
    }

    /** The path of the operation's savepoint if Flink still knows its trigger and it completed. */
    private static Optional<String> completedSavepoint(Operation op, Context ctx, JobId job) {
        if (op.triggerId() == null) {
            return Optional.empty();
        }
        try {
            return ctx.target().savepointStatus(job, op.triggerId()) instanceof SavepointStatus.Completed c
                    ? Optional.of(c.location()) : Optional.empty();
        } catch (FlinkException.NotFound e) {
            return Optional.empty();
        }
    }

    private static String savepointKind(Operation op) {
        if ("delete".equals(op.kind())) {
            return "final";
        }
        if ("savepoint".equals(op.kind())) {
            return "tributary".equals(op.actor()) ? "periodic" : "manual";
        }
        return "savepoint";
    }

    private void rollBack(Operation op, String why) {
        store.update(op.withStatus(Operation.ROLLED_BACK, why));
        LOG.info("app={} operation={} rolled back: {}", op.app(), op.id(), why);
    }

    // ---- plumbing

    private Operation latest(Operation op) {
        return store.operations(op.app(), 20).stream().filter(o -> o.id() == op.id()).findFirst().orElse(op);
    }

    private void event(String app, String revision, String type, String severity, String message) {
        store.event(new AppEvent(0, clock.instant(), app, type, severity, message, revision));
    }

    private static String describe(Throwable e) {
        return e.getMessage() == null ? e.getClass().getSimpleName() : e.getMessage();
    }

    /**
     * Waits a tenth of the time waited so far, between {@link #MIN_POLL} and the maximum: a small
     * savepoint is seen done within milliseconds of completing (the job is down meanwhile), a long
     * one is not asked about more than a few dozen times.
     */
    private void sleep(long waitingSince) {
        long waited = System.nanoTime() - waitingSince;
        long nanos = Math.max(Math.min(MIN_POLL.toNanos(), maxPollInterval.toNanos()),
                Math.min(waited / 10, maxPollInterval.toNanos()));
        try {
            TimeUnit.NANOSECONDS.sleep(nanos);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException("interrupted", e);
        }
    }
}
