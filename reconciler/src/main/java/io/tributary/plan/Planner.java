package io.tributary.plan;

import io.tributary.model.Application;
import io.tributary.model.Application.UpgradeMode;
import io.tributary.model.Cluster;
import io.tributary.model.DesiredState;
import io.tributary.model.JobState;
import io.tributary.plan.AppObservation.AppliedSpec;
import io.tributary.plan.AppObservation.CurrentJob;
import io.tributary.plan.AppObservation.FailedAttempt;
import io.tributary.plan.AppObservation.KeptSavepoint;
import io.tributary.plan.Plan.AppPlan;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.TreeMap;

/**
 * The planner: desired state, observed state and overrides in, at most one next action per
 * application out. Pure and deterministic (time is an argument), so every transition is a row in
 * a table-driven test. Apply executes the actions; the next pass plans again from what they did.
 */
public final class Planner {
    /** First wait before retrying a failed operation; doubles per attempt up to {@link #RETRY_MAX}. */
    static final Duration RETRY_BASE = Duration.ofSeconds(10);
    static final Duration RETRY_MAX = Duration.ofMinutes(10);
    /** Wait before the n-th automatic restart within the window: 0, 10 s, 20 s, ... up to 5 min. */
    static final Duration RESTART_BACKOFF_BASE = Duration.ofSeconds(10);
    static final Duration RESTART_BACKOFF_MAX = Duration.ofMinutes(5);
    /**
     * How long an alive job may go without all its tasks running before it is {@code Degraded}: a restart by
     * Flink or a start takes seconds; minutes mean missing slots, or a task that fails again at every restart.
     */
    static final Duration TASKS_WAITING_LIMIT = Duration.ofMinutes(3);
    /**
     * How long a job's tasks may wait before a savepoint upgrade is no longer tried: a job just started gets its
     * tasks running within seconds (the upgrade asks for its savepoint again for 30 s meanwhile).
     */
    static final Duration NO_SAVEPOINT_AFTER = Duration.ofMinutes(1);

    private Planner() {}

    public static Plan plan(DesiredState desired, Observed observed, Instant now) {
        List<ClusterAction> clusterActions = planClusters(desired, observed);
        Set<String> clustersBusy = new HashSet<>();
        observed.clusters().values().stream().filter(ClusterObservation::busy).forEach(c -> clustersBusy.add(c.name()));
        for (ClusterAction a : clusterActions) {
            clustersBusy.add(a.cluster());
        }
        Map<String, AppPlan> plans = new TreeMap<>();
        for (Application app : desired.applications()) {
            String key = app.id().qualifiedName();
            plans.put(key, planApp(app, desired, observed, clustersBusy, now));
        }
        for (AppObservation obs : observed.apps().values()) {
            if (!plans.containsKey(obs.app())) {
                planRemoved(obs, now).ifPresent(p -> plans.put(obs.app(), p));
            }
        }
        return new Plan(clusterActions, List.copyOf(plans.values()));
    }

    // ---- clusters

    private static List<ClusterAction> planClusters(DesiredState desired, Observed observed) {
        List<ClusterAction> actions = new ArrayList<>();
        Set<String> declared = new HashSet<>();
        for (Cluster cluster : desired.all(Cluster.class)) {
            if (!cluster.spec().managed()) {
                continue;
            }
            String name = cluster.id().qualifiedName();
            declared.add(name);
            ClusterObservation obs = observed.clusters().get(name);
            String hash = SpecHash.of(cluster, desired);
            if (obs != null && obs.busy()) {
                continue;
            }
            if (obs == null || !obs.running()) {
                if (!runsWhenSettled(cluster, desired)) {
                    continue;
                }
                actions.add(new ClusterAction.StartCluster(name, "managed cluster is not running"));
            } else if (obs.specHash().isPresent() && !obs.specHash().get().equals(hash)) {
                actions.add(new ClusterAction.UpdateCluster(name, appsRunningOn(cluster, desired, observed),
                        "cluster spec changed"));
            }
        }
        for (ClusterObservation obs : observed.clusters().values()) {
            if (obs.managed() && obs.running() && !obs.busy() && !declared.contains(obs.name())
                    && !holdsJobs(obs.name(), observed)) {
                actions.add(new ClusterAction.StopCluster(obs.name(), "managed cluster removed from Git"));
            }
        }
        return actions;
    }

    /**
     * Whether a job of an app may still run on the cluster: one Git moved elsewhere in the commit that
     * removed the cluster stops there with a savepoint first, and one kept by {@code prune: false} or an
     * override keeps the cluster up. A lost one may run on, out of reach.
     */
    private static boolean holdsJobs(String cluster, Observed observed) {
        return observed.apps().values().stream().anyMatch(app -> app.job()
                .filter(job -> job.cluster().filter(cluster::equals).isPresent())
                .filter(job -> app.operationInFlight() || job.state().filter(s -> s.isAlive() || s == JobState.LOST)
                        .isPresent())
                .isPresent());
    }

    /**
     * Whether a managed cluster runs once {@code desired} is applied: a local one always; a Kubernetes or
     * YARN session, which takes shared resources, only while a running app uses it.
     */
    public static boolean runsWhenSettled(Cluster cluster, DesiredState desired) {
        return cluster.isLocal() || desired.applications().stream()
                .anyMatch(app -> app.spec().state() == Application.DesiredState.RUNNING
                        && desired.clusterOf(app).filter(c -> c.id().equals(cluster.id())).isPresent());
    }

    /**
     * Apps whose job runs on the cluster: where it was started, which a commit moving the app has not changed.
     * A job of an app no longer in Git (kept by {@code prune: false}) counts too: a restart would end it without
     * a savepoint.
     */
    private static List<String> appsRunningOn(Cluster cluster, DesiredState desired, Observed observed) {
        String name = cluster.id().qualifiedName();
        List<String> apps = new ArrayList<>();
        for (Application app : desired.applications()) {
            String key = app.id().qualifiedName();
            Optional<CurrentJob> job = observed.app(key).job()
                    .filter(j -> j.state().filter(JobState::isAlive).isPresent());
            if (job.flatMap(j -> runsOn(j, app, desired)).filter(name::equals).isPresent()) {
                apps.add(key);
            }
        }
        Set<String> declared = new HashSet<>();
        desired.applications().forEach(a -> declared.add(a.id().qualifiedName()));
        observed.apps().values().stream().filter(o -> !declared.contains(o.app()))
                .filter(o -> o.job().filter(j -> j.state().filter(JobState::isAlive).isPresent())
                        .flatMap(CurrentJob::cluster).filter(name::equals).isPresent())
                .map(AppObservation::app).sorted().forEach(apps::add);
        return apps;
    }

    /** The cluster a job runs on: the one it was started on, when known, else the one Git names. */
    private static Optional<String> runsOn(CurrentJob job, Application app, DesiredState desired) {
        return job.cluster().or(() -> desired.jobClusterName(app));
    }

    // ---- applications in Git

    /** An override that pins a state Git does not say is drift: out of sync until released, whatever runs. */
    private static AppPlan planApp(Application app, DesiredState desired, Observed observed, Set<String> clustersBusy,
            Instant now) {
        AppPlan plan = planFollowing(app, desired, observed, clustersBusy, now);
        Optional<AppObservation.Override> override = observed.app(plan.app()).override();
        boolean drift = override.flatMap(AppObservation.Override::pinnedState)
                .filter(pinned -> pinned != app.spec().state()).isPresent();
        if (!drift) {
            return plan;
        }
        AppObservation.Override o = override.get();
        return new AppPlan(plan.app(), plan.action(), plan.health(),
                plan.sync() == Sync.PROGRESSING ? Sync.PROGRESSING : Sync.OUT_OF_SYNC,
                "pinned " + o.pinnedState().get().yamlName() + " by " + o.actor() + " (" + o.reason() + "); "
                        + plan.message());
    }

    private static AppPlan planFollowing(Application app, DesiredState desired, Observed observed,
            Set<String> clustersBusy, Instant now) {
        String key = app.id().qualifiedName();
        AppObservation obs = observed.app(key);
        Application.Spec spec = app.spec();
        String hash = SpecHash.of(app, desired);
        Optional<CurrentJob> job = obs.job();
        Optional<JobState> state = job.flatMap(CurrentJob::state);
        boolean specMatches = obs.applied().map(a -> a.specHash().equals(hash)).orElse(false);

        if (obs.operationInFlight()) {
            return status(key, Health.PROGRESSING, Sync.PROGRESSING, "an operation is in progress");
        }
        Application.DesiredState wanted = obs.override().flatMap(AppObservation.Override::pinnedState)
                .orElse(spec.state());
        // the job's own cluster, when Git moved the app away from it, is one to wait for as well
        Optional<String> jobCluster = job.flatMap(j -> runsOn(j, app, desired));
        Optional<String> busyCluster = jobCluster.filter(clustersBusy::contains);
        Optional<Cluster> cluster = desired.clusterOf(app);
        if (cluster.isPresent() && clustersBusy.contains(cluster.get().id().qualifiedName())) {
            busyCluster = Optional.of(cluster.get().id().qualifiedName());
        }
        // a suspended app with no job alive has nothing on a cluster to wait for: it stays Suspended while the
        // cluster starts or restarts (no health flip, no event, for every such app)
        boolean suspendedAndIdle = wanted == Application.DesiredState.SUSPENDED
                && state.filter(s -> !s.isTerminal()).isEmpty();
        if (busyCluster.isPresent() && !suspendedAndIdle) {
            return status(key, Health.PROGRESSING, Sync.PROGRESSING, "waiting for cluster " + busyCluster.get());
        }
        // after the wait for a busy cluster: a paused app moved off a restarting cluster is resumed once it runs again,
        // not on the old one in the moment before it stops
        if (obs.override().map(AppObservation.Override::syncPaused).orElse(false)) {
            return planPaused(key, obs, app, desired, observed, hash, specMatches, wanted, now);
        }
        if (cluster.isPresent()) {
            String clusterName = cluster.get().id().qualifiedName();
            ClusterObservation c = observed.clusters().get(clusterName);
            // a suspended app with no job on Git's cluster has nothing there to ask about (a managed session
            // no running app needs is not even started); a running app is not moved to a cluster that
            // does not answer
            boolean nothingThere = wanted == Application.DesiredState.SUSPENDED
                    && jobCluster.filter(clusterName::equals).isEmpty();
            if (c != null && !c.reachable() && !nothingThere) {
                return status(key, Health.UNKNOWN, specMatches ? Sync.SYNCED : Sync.OUT_OF_SYNC,
                        "cluster " + clusterName + " cannot be reached");
            }
        }
        if (state.filter(s -> s == JobState.LOST).isPresent()) {
            return status(key, Health.UNKNOWN, specMatches ? Sync.SYNCED : Sync.OUT_OF_SYNC,
                    "the job's cluster cannot be reached");
        }
        if (wanted == Application.DesiredState.SUSPENDED) {
            return planSuspended(key, obs, state, spec, busyCluster.isEmpty(), now);
        }
        if (job.isEmpty()) {
            return planStart(key, obs, app, desired, observed, hash, now);
        }
        CurrentJob current = job.get();
        Optional<String> gitCluster = desired.jobClusterName(app);
        if (state.filter(JobState::isAlive).isPresent() && current.cluster().isPresent() && gitCluster.isPresent()
                && !current.cluster().equals(gitCluster)) {
            return planMove(key, obs, current, current.cluster().get(), gitCluster.get(), spec, now);
        }
        if (state.filter(s -> s == JobState.SUSPENDED).isPresent()) {
            // Flink suspends a job when its JobManager loses leadership or shuts down: with HA the next
            // leader runs it again, so another job started now would run beside it; without HA the
            // cluster forgets it, and a job gone from its cluster is restarted
            return status(key, Health.DEGRADED, Sync.OUT_OF_SYNC, "job SUSPENDED by Flink (its JobManager lost"
                    + " leadership or is shutting down): waiting for Flink to recover it; it is restarted once its"
                    + " cluster no longer knows it");
        }
        // a job stopped with a savepoint outside Tributary (Flink's UI, its CLI) is one cancelled with its state kept
        boolean stoppedOutside = state.filter(s -> s == JobState.FINISHED).isPresent()
                && current.latestCheckpoint().isPresent();
        if (state.isEmpty() || state.get() == JobState.FAILED || state.get() == JobState.CANCELED || stoppedOutside) {
            return planRestart(key, obs, current, spec, hash, specMatches, now);
        }
        if (state.get() == JobState.FINISHED) {
            if (specMatches) {
                return status(key, Health.HEALTHY, Sync.SYNCED, "the job finished");
            }
            Optional<AppPlan> waiting = waitAfterFailure(key, obs, "deploy", hash, now);
            if (waiting.isPresent()) {
                return waiting.get();
            }
            return act(key, new Action.Deploy(key, Optional.empty(), false, "spec changed after the job finished"),
                    Health.PROGRESSING, Sync.OUT_OF_SYNC);
        }
        if (!specMatches) {
            Optional<AppPlan> waiting = waitAfterFailure(key, obs, "upgrade", hash, now);
            if (waiting.isPresent()) {
                return waiting.get();
            }
            // a job whose tasks do not all run takes no savepoint (Flink declines it) and has no state newer than its
            // latest checkpoint: it is upgraded from that, as Flink itself would recover it (a fix in Git is not stuck)
            boolean noSavepoint = spec.upgradeMode() == Application.UpgradeMode.SAVEPOINT && current.tasksWaiting()
                    .filter(w -> !w.since().isAfter(now.minus(NO_SAVEPOINT_AFTER))).isPresent();
            return act(key, new Action.Upgrade(key, current.jobId(),
                    noSavepoint ? Application.UpgradeMode.LAST_STATE : spec.upgradeMode(), spec.allowStatelessFallback(),
                    noSavepoint ? "spec changed; the job's tasks do not all run, so it takes no savepoint: upgraded from"
                            + " its latest checkpoint" : "spec changed"), Health.PROGRESSING, Sync.OUT_OF_SYNC);
        }
        Health running = state.get() == JobState.RUNNING ? Health.HEALTHY : Health.PROGRESSING;
        String stateMessage = "job " + state.get();
        Optional<AppObservation.TasksWaiting> tasksWaiting = current.tasksWaiting();
        if (tasksWaiting.isPresent()) {
            AppObservation.TasksWaiting w = tasksWaiting.get();
            String tasks = w.total() > 0 ? w.running() + " of " + w.total() + " tasks running" : "tasks not running";
            boolean tooLong = !w.since().isAfter(now.minus(TASKS_WAITING_LIMIT));
            running = tooLong ? Health.DEGRADED : Health.PROGRESSING;
            stateMessage += ", " + tasks + (tooLong ? " for " + Duration.between(w.since(), now).toMinutes() + "m"
                    + ": the cluster may lack free slots, or a task fails again at each restart (see the job's"
                    + " exceptions)" : "");
        }
        if (state.get() == JobState.RUNNING && tasksWaiting.isEmpty() && periodicSavepointDue(spec, obs, current, now)) {
            Optional<AppPlan> waiting = waitAfterFailure(key, obs, "savepoint", hash, now);
            if (waiting.isEmpty()) {
                return act(key, new Action.TakeSavepoint(key, current.jobId(), "periodic savepoint due"), running,
                        Sync.SYNCED);
            }
        }
        Optional<Action> dispose = retention(key, spec, obs, now);
        if (dispose.isPresent()) {
            return act(key, dispose.get(), running, Sync.SYNCED);
        }
        return status(key, running, Sync.SYNCED, stateMessage);
    }

    /**
     * Syncing paused: Git's changes wait, but what befalls the job is still handled as it would be without
     * them. A job that fails is restarted per its restart policy, and one the service suspended (when it
     * stopped, or to restart its cluster) is resumed, as long as Git's spec is the one the job ran:
     * otherwise starting it would apply the very change the pause holds back.
     */
    private static AppPlan planPaused(String key, AppObservation obs, Application app, DesiredState desired,
            Observed observed, String hash, boolean specMatches, Application.DesiredState wanted, Instant now) {
        Application.Spec spec = app.spec();
        Optional<JobState> state = obs.job().flatMap(CurrentJob::state);
        String paused = "syncing paused by " + obs.override().get().actor() + ": " + obs.override().get().reason();
        boolean down = obs.job().isPresent()
                && (state.isEmpty() || state.get() == JobState.FAILED || state.get() == JobState.CANCELED);
        boolean resumable = obs.job().isEmpty() && obs.suspendedByService();
        if (!down && !resumable) {
            return status(key, observedHealth(state, wanted), syncOf(wanted, state, specMatches), paused);
        }
        if (!specMatches) {
            return status(key, down ? Health.DEGRADED : Health.SUSPENDED, Sync.OUT_OF_SYNC, paused + "; "
                    + (down ? "the job is down" : "the job was suspended by the service (its shutdown or its cluster's"
                            + " restart)") + " and is not"
                    + " started while paused, since Git's spec changed after it started: resume syncing to run Git's");
        }
        AppPlan healed = down ? planRestart(key, obs, obs.job().get(), spec, hash, true, now)
                : planStart(key, obs, app, desired, observed, hash, now);
        return new AppPlan(healed.app(), healed.action(), healed.health(), healed.sync(),
                healed.message() + " (" + paused + ")");
    }

    /** @param clusterFree whether the app's cluster takes calls now (not starting or restarting) */
    private static AppPlan planSuspended(String key, AppObservation obs, Optional<JobState> state,
            Application.Spec spec, boolean clusterFree, Instant now) {
        if (state.filter(JobState::isAlive).isPresent()) {
            Optional<AppPlan> waiting = waitAfterFailure(key, obs, "suspend", null, now);
            if (waiting.isPresent()) {
                return waiting.get();
            }
            // a job that cannot take its savepoint (crash-looping) may be cancelled, keeping its newest
            // checkpoint, rather than left running: an operator's stop says whether, else Git's fallback
            Optional<AppObservation.Override> pin = obs.override().filter(o -> o.pinnedState().isPresent());
            boolean cancel = pin.map(AppObservation.Override::cancelIfSavepointFails)
                    .orElse(spec.allowStatelessFallback());
            boolean drain = pin.map(AppObservation.Override::drain).orElse(false);
            String reason = pin.map(o -> "stopped by " + o.actor() + ": " + o.reason()
                            + (cancel ? " (cancelled if the savepoint fails, as " + o.actor() + " asked)" : ""))
                    .orElse("desired state is suspended"
                            + (cancel ? " (cancelled if the savepoint fails: allowStatelessFallback)" : ""));
            return act(key, new Action.Suspend(key, obs.job().get().jobId(), drain, Application.UpgradeMode.SAVEPOINT,
                    cancel, reason), Health.PROGRESSING, Sync.OUT_OF_SYNC);
        }
        Optional<Action> dispose = clusterFree ? retention(key, spec, obs, now) : Optional.empty();
        String message = obs.latestSavepoint().map(s -> "suspended; resumes from " + s.path())
                .orElse("suspended");
        if (dispose.isPresent()) {
            return act(key, dispose.get(), Health.SUSPENDED, Sync.SYNCED);
        }
        return status(key, Health.SUSPENDED, Sync.SYNCED, message);
    }

    /**
     * Git puts the app on another cluster than the one its job runs on: the job is stopped where it runs
     * the way an upgrade would stop it, and the next pass resumes it on the new cluster from the state it
     * left. A stateless app keeps its state too when a savepoint can be taken. A job that is not alive is
     * simply started on the new one (a restart acts on no old job).
     */
    private static AppPlan planMove(String key, AppObservation obs, CurrentJob job, String from, String to,
            Application.Spec spec, Instant now) {
        Optional<AppPlan> waiting = waitAfterFailure(key, obs, "suspend", null, now);
        if (waiting.isPresent()) {
            return waiting.get();
        }
        return act(key, move(key, job.jobId(), spec, "moving from " + describe(from) + " to " + describe(to)),
                Health.PROGRESSING, Sync.OUT_OF_SYNC);
    }

    /** How a job moving to another cluster (or off one being replaced) is stopped, for {@code spec}. */
    public static Action.Suspend move(String app, String jobId, Application.Spec spec, String why) {
        boolean lastState = spec.upgradeMode() == Application.UpgradeMode.LAST_STATE;
        String how = lastState ? "cancelling it (upgradeMode: last-state), to resume from its latest checkpoint"
                : "stopping with a savepoint, to resume from it"
                        + (spec.allowStatelessFallback() ? " (cancelled if the savepoint fails: allowStatelessFallback)"
                                : "");
        return new Action.Suspend(app, jobId, false,
                lastState ? Application.UpgradeMode.LAST_STATE : Application.UpgradeMode.SAVEPOINT,
                spec.allowStatelessFallback(), why + ": " + how);
    }

    private static String describe(String cluster) {
        return DesiredState.appOfCluster(cluster).isEmpty() ? "cluster " + cluster
                : DesiredState.onKubernetes(cluster) ? "its own Kubernetes cluster" : "its own YARN cluster";
    }

    private static AppPlan planStart(String key, AppObservation obs, Application app, DesiredState desired,
            Observed observed, String hash, Instant now) {
        Application.Spec spec = app.spec();
        Optional<AppPlan> waiting = waitAfterFailure(key, obs, null, hash, now);
        if (waiting.isPresent()) {
            return waiting.get();
        }
        if (obs.everDeployed() && obs.latestSavepoint().isPresent()) {
            KeptSavepoint latest = obs.latestSavepoint().get();
            return act(key, new Action.Resume(key, latest.path(),
                    "desired state is running and no job runs: resuming from its latest " + latest.what()),
                    Health.PROGRESSING, Sync.OUT_OF_SYNC);
        }
        if (!obs.everDeployed() && spec.restore() != null && spec.restore().savepoint() != null) {
            return act(key, new Action.Deploy(key, Optional.of(spec.restore().savepoint()),
                    spec.restore().allowNonRestoredState(), "first start, restoring spec.restore.savepoint"),
                    Health.MISSING, Sync.OUT_OF_SYNC);
        }
        if (!obs.everDeployed() && spec.restore() != null && spec.restore().application() != null) {
            return planRestoreFromApp(key, spec, spec.restore().sourceApp(app.id().team()), desired, observed);
        }
        return act(key, new Action.Deploy(key, Optional.empty(), false,
                obs.everDeployed() ? "no job runs and no savepoint is kept" : "new application"),
                Health.MISSING, Sync.OUT_OF_SYNC);
    }

    /**
     * A first deploy from another app's state ({@code spec.restore.application}): only once that app has no job
     * and no operation under way, so that a rename in one commit takes the old job's final savepoint first and
     * the two jobs never run at once.
     */
    private static AppPlan planRestoreFromApp(String key, Application.Spec spec, String source, DesiredState desired,
            Observed observed) {
        AppObservation from = observed.restoreSource(source);
        Optional<JobState> state = from.job().flatMap(CurrentJob::state);
        boolean jobLeft = state.filter(s -> s.isAlive() || s == JobState.LOST || s == JobState.SUSPENDED).isPresent();
        String wait = "waiting for " + source + "'s job to stop: spec.restore.application starts this app from its"
                + " last savepoint";
        Optional<Application> declared = desired.applications().stream()
                .filter(a -> a.id().qualifiedName().equals(source)).findFirst();
        // one Git (or an operator) keeps running would run beside this one, from the same state
        boolean sourceToRun = declared.filter(a -> from.override().flatMap(AppObservation.Override::pinnedState)
                .orElse(a.spec().state()) == Application.DesiredState.RUNNING).isPresent();
        if (sourceToRun) {
            return status(key, Health.DEGRADED, Sync.OUT_OF_SYNC, wait + "; " + source + " is to run (declared"
                    + " running in Git, or pinned running): remove it from Git, or set it suspended");
        }
        if (jobLeft && !from.operationInFlight() && from.applied().filter(a -> !a.prune()).isPresent()
                && declared.isEmpty()) {
            return status(key, Health.DEGRADED, Sync.OUT_OF_SYNC, wait + "; " + source + " was removed from Git with"
                    + " prune: false, which leaves its job running: stop that job with a savepoint in Flink (its web UI,"
                    + " flink stop, or POST /jobs/<id>/stop), or declare " + source + " again with state: suspended");
        }
        if (jobLeft || from.operationInFlight()) {
            // a final savepoint that failed keeps the old job, and this app waiting, until a retry succeeds
            return from.lastFailure().filter(f -> !from.operationInFlight())
                    .map(f -> status(key, Health.DEGRADED, Sync.OUT_OF_SYNC, wait + "; its " + f.kind() + " failed: "
                            + f.error()))
                    .orElse(status(key, Health.PROGRESSING, Sync.OUT_OF_SYNC, wait));
        }
        // as a restart would: the state its last job ended with (stopped with a savepoint outside Tributary, or its
        // latest checkpoint) is newer than any savepoint recorded before that job
        Optional<String> ended = from.job().flatMap(CurrentJob::latestCheckpoint);
        Optional<KeptSavepoint> latest = from.latestSavepoint();
        if (ended.isPresent() || latest.isPresent()) {
            String path = ended.orElseGet(() -> latest.get().path());
            String what = ended.isPresent() ? "state its last job ended with" : "latest " + latest.get().what();
            return act(key, new Action.Deploy(key, Optional.of(path), spec.restore().allowNonRestoredState(),
                    "first start, restoring the " + what + " of " + source + " (spec.restore.application)"),
                    Health.MISSING, Sync.OUT_OF_SYNC);
        }
        String none = from.everDeployed() ? source + " has no savepoint or checkpoint to start from"
                : "no application " + source + " is known to Tributary";
        if (spec.allowStatelessFallback()) {
            return act(key, new Action.Deploy(key, Optional.empty(), false, "spec.restore.application: " + none
                    + "; starting without state (allowStatelessFallback)"), Health.MISSING, Sync.OUT_OF_SYNC);
        }
        return status(key, Health.DEGRADED, Sync.OUT_OF_SYNC, "spec.restore.application: " + none + "; it does not"
                + " start without state unless allowStatelessFallback is true (or spec.restore is removed)");
    }

    /**
     * A job that failed, was cancelled outside Tributary or is gone: restarted per its restart policy,
     * within its budget and after a backoff. A spec in Git other than the one the job or its failed
     * restarts ran (a fix, a revert) is someone's answer to the failures: it starts at once, budget
     * and backoff aside, and counts as a restart like any other. So is an operator's start (a pin to
     * running) made after the job went down.
     */
    private static AppPlan planRestart(String key, AppObservation obs, CurrentJob job, Application.Spec spec,
            String hash, boolean specMatches, Instant now) {
        String what = job.state().filter(s -> s == JobState.FINISHED)
                .map(s -> "job stopped with savepoint " + job.latestCheckpoint().orElseThrow() + " outside Tributary")
                .or(() -> job.state().map(s -> "job " + s))
                .orElse("job " + job.jobId() + " is gone from its cluster");
        Application.RestartPolicy policy = spec.restartPolicy();
        Optional<FailedAttempt> failedRestart = obs.lastFailure().filter(f -> f.kind().equals("restart"));
        // once a restart of Git's spec failed, only another spec is new
        boolean newSpec = failedRestart.map(f -> f.specHash() != null && !f.specHash().equals(hash)).orElse(!specMatches);
        Optional<AppObservation.Override> startedSince = obs.override()
                .filter(o -> o.pinnedState().equals(Optional.of(Application.DesiredState.RUNNING)))
                .filter(o -> o.since() != null && o.since().isAfter(job.lastChange()));
        Instant windowStart = now.minus(policy.window().duration());
        List<Instant> inWindow = obs.recentRestarts().stream().filter(t -> t.isAfter(windowStart)).toList();
        if (!newSpec && startedSince.isEmpty()) {
            String wayBack = "; an operator's start, or a new spec in Git, runs it again";
            if (!policy.restartsAutomatically()) {
                return status(key, Health.DEGRADED, Sync.OUT_OF_SYNC,
                        what + "; the restart policy does not restart it" + wayBack);
            }
            // a restart Flink refused is why the job is still down
            String refused = failedRestart.map(f -> "; the last restart failed: " + f.error()).orElse("");
            if (inWindow.size() >= policy.maxRestarts()) {
                // the window slides: once its oldest restart leaves it, the policy allows another
                String again = policy.maxRestarts() == 0 ? "" : "; it is restarted again from "
                        + inWindow.stream().min(Instant::compareTo).orElseThrow().plus(policy.window().duration())
                        + ", when the oldest of them leaves the window";
                return status(key, Health.DEGRADED, Sync.OUT_OF_SYNC, what + "; " + inWindow.size()
                        + " restarts within " + policy.window() + " reached restartPolicy.maxRestarts" + refused
                        + again + wayBack);
            }
            if (!inWindow.isEmpty()) {
                Instant next = inWindow.get(0).plus(backoff(RESTART_BACKOFF_BASE, RESTART_BACKOFF_MAX, inWindow.size()));
                if (now.isBefore(next)) {
                    return status(key, Health.DEGRADED, Sync.OUT_OF_SYNC,
                            what + "; restarting in " + Duration.between(now, next).toSeconds() + "s" + refused);
                }
            }
        }
        boolean stateless = spec.upgradeMode() == Application.UpgradeMode.STATELESS;
        // a stateless app's job may have started empty after older savepoints: only its own state is its own
        Optional<String> savepoint = obs.latestSavepoint()
                .filter(s -> !stateless || !s.createdAt().isBefore(job.startedAt())).map(KeptSavepoint::path);
        Optional<String> from = switch (policy.from()) {
            // none only says that nothing restarts the job by itself (a new spec is reached only then): the
            // start a commit asks for keeps the job's state as a default policy's would
            case LAST_CHECKPOINT, NONE -> job.latestCheckpoint().or(() -> savepoint);
            // the savepoint a job was stopped with outside Tributary is newer than any the service took
            case LAST_SAVEPOINT -> job.latestCheckpoint().filter(p -> job.state().orElse(null) == JobState.FINISHED)
                    .or(() -> savepoint);
        };
        if (newSpec && stateless) {
            from = Optional.empty(); // a new spec of a stateless app starts without state, as its upgrade would
        }
        String why = newSpec ? what + "; the spec in Git changed since"
                : startedSince.map(o -> what + "; started by " + o.actor() + ": " + o.reason())
                        .orElse(what + "; restart " + (inWindow.size() + 1) + " of " + policy.maxRestarts());
        return act(key, new Action.Restart(key, job.jobId(), from, why), Health.DEGRADED, Sync.OUT_OF_SYNC);
    }

    // ---- applications that left Git

    private static Optional<AppPlan> planRemoved(AppObservation obs, Instant now) {
        String key = obs.app();
        if (obs.operationInFlight()) {
            return Optional.of(status(key, Health.PROGRESSING, Sync.PROGRESSING, "an operation is in progress"));
        }
        boolean prune = obs.applied().map(AppliedSpec::prune).orElse(true);
        Optional<JobState> state = obs.job().flatMap(CurrentJob::state);
        if (obs.override().map(AppObservation.Override::syncPaused).orElse(false)) {
            return Optional.of(status(key, observedHealth(state, Application.DesiredState.RUNNING), Sync.OUT_OF_SYNC,
                    "removed from Git; syncing paused by " + obs.override().get().actor() + ": "
                            + obs.override().get().reason()));
        }
        if (!prune) {
            return Optional.of(status(key, observedHealth(state, Application.DesiredState.RUNNING), Sync.OUT_OF_SYNC,
                    state.filter(JobState::isAlive).isPresent() ? "removed from Git; prune: false leaves the job as it is"
                            : "removed from Git; prune: false keeps its records, and it has no running job: declared"
                            + " again, it resumes from its last savepoint"));
        }
        if (state.filter(s -> s == JobState.LOST).isPresent()) {
            return Optional.of(status(key, Health.UNKNOWN, Sync.OUT_OF_SYNC,
                    "removed from Git; waiting for its cluster to answer before deleting"));
        }
        if (state.filter(s -> s == JobState.SUSPENDED).isPresent()) {
            // with HA the next JobManager runs it again: deleted now, it would run on with no app to own it
            return Optional.of(status(key, Health.DEGRADED, Sync.OUT_OF_SYNC, "removed from Git; job SUSPENDED by"
                    + " Flink: waiting for Flink to recover it, or for its cluster to forget it, before deleting"));
        }
        Optional<AppPlan> waiting = waitAfterFailure(key, obs, "delete", null, now);
        if (waiting.isPresent()) {
            return waiting;
        }
        boolean alive = state.filter(JobState::isAlive).isPresent();
        boolean stateless = obs.applied().map(a -> a.upgradeMode() == UpgradeMode.STATELESS).orElse(false);
        Optional<String> jobId = alive ? obs.job().map(CurrentJob::jobId) : Optional.empty();
        return Optional.of(act(key, new Action.Delete(key, jobId, alive && !stateless, "removed from Git"),
                Health.PROGRESSING, Sync.OUT_OF_SYNC));
    }

    // ---- shared rules

    /**
     * After a failed operation of this kind (null: any) for this spec (null: any), wait a backoff
     * that doubles per attempt before trying again, and show the error meanwhile.
     */
    private static Optional<AppPlan> waitAfterFailure(String key, AppObservation obs, String kind, String hash,
            Instant now) {
        Optional<FailedAttempt> failure = obs.lastFailure()
                .filter(f -> kind == null || f.kind().equals(kind))
                .filter(f -> hash == null || f.specHash() == null || f.specHash().equals(hash));
        if (failure.isEmpty()) {
            return Optional.empty();
        }
        FailedAttempt f = failure.get();
        Instant retryAt = f.at().plus(backoff(RETRY_BASE, RETRY_MAX, f.attempts()));
        if (!now.isBefore(retryAt)) {
            return Optional.empty();
        }
        return Optional.of(status(key, Health.DEGRADED, Sync.OUT_OF_SYNC, f.kind() + " failed: " + f.error()
                + " (attempt " + f.attempts() + "; retrying in " + Duration.between(now, retryAt).toSeconds() + "s)"));
    }

    static Duration backoff(Duration base, Duration max, int attempts) {
        Duration d = base;
        for (int i = 1; i < attempts && d.compareTo(max) < 0; i++) {
            d = d.multipliedBy(2);
        }
        return d.compareTo(max) > 0 ? max : d;
    }

    private static boolean periodicSavepointDue(Application.Spec spec, AppObservation obs, CurrentJob job,
            Instant now) {
        if (spec.savepoints() == null || spec.savepoints().periodic() == null) {
            return false;
        }
        Instant last = obs.latestSavepoint().map(KeptSavepoint::createdAt)
                .filter(t -> t.isAfter(job.startedAt()))
                .orElse(job.startedAt());
        return !now.isBefore(last.plus(spec.savepoints().periodic().duration()));
    }

    /**
     * Savepoints past {@code maxCount} or {@code maxAge}; the newest is always kept, since it is what a
     * restore uses, and only Tributary's own count (others' files are not its to dispose of).
     */
    private static Optional<Action> retention(String key, Application.Spec spec, AppObservation obs, Instant now) {
        if (spec.savepoints() == null || spec.savepoints().retention() == null) {
            return Optional.empty();
        }
        Application.Retention retention = spec.savepoints().retention();
        List<Long> expired = new ArrayList<>();
        List<KeptSavepoint> kept = obs.savepoints().stream().filter(KeptSavepoint::ours).toList();
        for (int i = 1; i < kept.size(); i++) {
            KeptSavepoint s = kept.get(i);
            boolean overCount = retention.maxCount() != null && i >= retention.maxCount();
            boolean tooOld = retention.maxAge() != null && s.createdAt().isBefore(now.minus(retention.maxAge().duration()));
            if (overCount || tooOld) {
                expired.add(s.id());
            }
        }
        if (expired.isEmpty()) {
            return Optional.empty();
        }
        return Optional.of(new Action.DisposeSavepoints(key, expired,
                expired.size() + " savepoint(s) past the retention policy"));
    }

    /** The job runs or is on its way to running: something to stop before anything else starts. */
    private static Health observedHealth(Optional<JobState> state, Application.DesiredState wanted) {
        if (state.isEmpty()) {
            return wanted == Application.DesiredState.SUSPENDED ? Health.SUSPENDED : Health.MISSING;
        }
        JobState s = state.get();
        if (s == JobState.RUNNING) {
            return Health.HEALTHY;
        }
        if (s == JobState.LOST) {
            return Health.UNKNOWN;
        }
        if (s == JobState.FAILED || s == JobState.CANCELED) {
            return Health.DEGRADED;
        }
        return s.isTerminal() ? Health.SUSPENDED : Health.PROGRESSING;
    }

    private static Sync syncOf(Application.DesiredState wanted, Optional<JobState> state, boolean specMatches) {
        boolean alive = state.filter(JobState::isAlive).isPresent();
        if (wanted == Application.DesiredState.SUSPENDED) {
            return alive ? Sync.OUT_OF_SYNC : Sync.SYNCED;
        }
        return alive && specMatches ? Sync.SYNCED : Sync.OUT_OF_SYNC;
    }

    private static AppPlan act(String key, Action action, Health health, Sync sync) {
        return new AppPlan(key, Optional.of(action), health, sync, action.reason());
    }

    private static AppPlan status(String key, Health health, Sync sync, String message) {
        return new AppPlan(key, Optional.empty(), health, sync, message);
    }
}
