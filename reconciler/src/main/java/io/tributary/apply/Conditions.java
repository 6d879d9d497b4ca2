package io.tributary.apply;

import io.tributary.flink.DeploymentTarget;
import io.tributary.flink.FlinkException;
import io.tributary.flink.FlinkRest;
import io.tributary.flink.FlinkRest.Checkpoint;
import io.tributary.flink.FlinkRest.CheckpointStats;
import io.tributary.flink.FlinkRest.Failure;
import io.tributary.flink.JobId;
import io.tributary.model.AlertPolicy;
import io.tributary.model.Application;
import io.tributary.model.DesiredState;
import io.tributary.model.JobState;
import io.tributary.model.Kind;
import io.tributary.model.ResourceId;
import io.tributary.plan.Action;
import io.tributary.plan.AppObservation;
import io.tributary.plan.ClusterObservation;
import io.tributary.plan.Observed;
import io.tributary.plan.Plan;
import io.tributary.plan.SpecHash;
import io.tributary.store.AppEvent;
import io.tributary.store.AppStatus;
import io.tributary.store.Store;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Deque;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.function.Function;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Notices, once per pass, the conditions alerts are about and writes each change as an app event
 * (the store tells the alert dispatcher): a job that failed ({@code job-failed}), vanished from a
 * cluster that answers ({@code job-lost}), runs again ({@code job-running}), stays down because
 * the restart policy's budget is spent ({@code restarts-exceeded}); a cluster that stopped answering
 * ({@code cluster-down}, one event for the cluster, subject {@code cluster:<name>}) or answers again;
 * and, for apps whose alert policies have a {@code checkpoint-failures} rule, failed checkpoints
 * counted within the rule's window from Flink's checkpoint statistics, restarting the job from its
 * last completed checkpoint (or savepoint) when the rule says {@code action: restart}.
 *
 * <p>Only changes are written: the state seen last is kept per app (from the stored status at first).
 */
final class Conditions {
    private static final Logger LOG = LoggerFactory.getLogger(Conditions.class);
    static final String CLUSTER_SUBJECT = "cluster:";
    private static final String GONE = "GONE";

    /** Submits an action as the loop does (busy apps are skipped); empty when it was not started. */
    interface Submitter {
        boolean submit(Action action);
    }

    private final Store store;
    private final Clock clock;
    private final Map<String, String> lastJob = new HashMap<>();
    private final Map<String, Boolean> clusterUp = new HashMap<>();
    private final Set<String> restartsExceeded = new HashSet<>();
    /** Per job: samples of Flink's count of failed checkpoints, oldest first. */
    private final Map<String, Deque<Sample>> failedCheckpoints = new HashMap<>();
    /** Per app: the job whose failing checkpoints fired an alert, and when. */
    private final Map<String, Fired> checkpointAlerts = new HashMap<>();

    /** Per job: when Flink last said it changed, the newest failure accounted for, and until when to ask again. */
    private final Map<String, FlinkFailures> flinkFailures = new HashMap<>();
    /**
     * How long after a job's change its exception history may not show the failure yet: Flink serves
     * it from a job cache it renews every {@code web.refresh-interval} (3 s by default), while a
     * restart can go from RESTARTING to RUNNING within a second.
     */
    private static final Duration FAILURES_STALE_FOR = Duration.ofSeconds(30);

    private record Sample(Instant at, long failed) {}

    private record FlinkFailures(Instant lastChange, Instant seenUntil, Instant askUntil) {}

    private record Fired(String jobId, Instant at) {}

    Conditions(Store store, Clock clock) {
        this.store = store;
        this.clock = clock;
    }

    /**
     * @param stored each app's status as last written (the state seen before this process started)
     * @param quiet apps the plan gave no action this pass
     */
    void afterPass(DesiredState desired, Observed observed, Plan plan, Map<String, AppStatus> stored,
            Set<String> quiet, String revision, Function<String, Optional<DeploymentTarget>> targets,
            Submitter submitter) {
        Map<String, Application> apps = new HashMap<>();
        desired.applications().forEach(a -> apps.put(a.id().qualifiedName(), a));
        for (ClusterObservation cluster : observed.clusters().values()) {
            cluster(cluster, desired, revision);
        }
        // a cluster removed from Git while it was down will never answer again: its alert is resolved
        clusterUp.entrySet().removeIf(e -> {
            if (observed.clusters().containsKey(e.getKey())) {
                return false;
            }
            if (Boolean.FALSE.equals(e.getValue())) {
                event(CLUSTER_SUBJECT + e.getKey(), "cluster-down-resolved", "info", "cluster " + e.getKey()
                        + " was removed from Git", revision);
            }
            return true;
        });
        for (AppObservation obs : observed.apps().values()) {
            if (obs.operationInFlight()) {
                continue;
            }
            Application app = apps.get(obs.app());
            String message = plan.app(obs.app()).map(Plan.AppPlan::message).orElse("");
            job(obs, app, stored.get(obs.app()), message, revision,
                    () -> app == null ? Optional.empty() : failureCause(obs, app, desired, targets));
            if (app != null) {
                restartedByFlink(obs, app, desired, revision, targets);
            }
            if (app != null && quiet.contains(obs.app())) {
                checkpoints(obs, app, desired, revision, targets, submitter);
            }
        }
        lastJob.keySet().retainAll(observed.apps().keySet());
        Set<String> jobs = new HashSet<>();
        observed.apps().values().forEach(o -> o.job().ifPresent(j -> jobs.add(j.jobId())));
        failedCheckpoints.keySet().retainAll(jobs);
        flinkFailures.keySet().retainAll(jobs);
    }

    /**
     * A job Flink restarted by itself (its restart strategy, after a TaskManager was lost or a task
     * failed): written as a {@code job-restarted} event naming the failure, when the job's exception
     * history has failures newer than those seen. The history is asked for when Flink's listing says
     * the job changed since the last pass, and on each pass for a while after, until it shows one, as
     * Flink may still serve it from before the restart (not when a job is first seen, so a start-up
     * with many jobs costs no burst of calls, nor for a job that runs steadily); a restart is noticed
     * even when no pass saw its {@code RESTARTING} state.
     */
    private void restartedByFlink(AppObservation obs, Application app, DesiredState desired, String revision,
            Function<String, Optional<DeploymentTarget>> targets) {
        if (obs.job().isEmpty()) {
            return;
        }
        AppObservation.CurrentJob job = obs.job().get();
        Optional<JobState> state = job.state();
        if (state.isEmpty() || state.get() == JobState.LOST || state.get().isTerminal()) {
            return;
        }
        FlinkFailures seen = flinkFailures.get(job.jobId());
        Instant now = clock.instant();
        if (seen == null) {
            // failures from before the job's last change were over before this process looked
            flinkFailures.put(job.jobId(), new FlinkFailures(job.lastChange(), job.lastChange(), now));
            return;
        }
        boolean changed = job.lastChange().isAfter(seen.lastChange());
        if (!changed && !now.isBefore(seen.askUntil())) {
            return;
        }
        Optional<DeploymentTarget> target = jobTarget(obs, app, desired, targets);
        if (target.isEmpty()) {
            return;
        }
        List<Failure> failures;
        try {
            failures = target.get().exceptions(new JobId(job.jobId())).history().stream()
                    .filter(f -> f.at().isAfter(seen.seenUntil())).toList();
        } catch (FlinkException e) {
            return; // asked again at the next pass
        }
        // after a change the history is asked again on each pass until it shows the failure or can no longer be stale
        Instant askUntil = !failures.isEmpty() ? now : changed ? now.plus(FAILURES_STALE_FOR) : seen.askUntil();
        Instant seenUntil = failures.isEmpty() ? seen.seenUntil() : failures.get(0).at();
        flinkFailures.put(job.jobId(), new FlinkFailures(job.lastChange(), seenUntil, askUntil));
        if (!failures.isEmpty()) {
            event(obs.app(), "job-restarted", "warning", "Flink restarted job " + job.jobId()
                    + " per its restart strategy after " + failures.get(0).summary()
                    + (failures.size() > 1 ? " (" + failures.size() + " failures since the last pass)" : "")
                    + "; job " + state.get(), revision);
        }
    }

    // ---- jobs

    /** Why Flink says the job failed, in one line: asked once, when the failure is first seen. */
    private static Optional<String> failureCause(AppObservation obs, Application app, DesiredState desired,
            Function<String, Optional<DeploymentTarget>> targets) {
        try {
            return jobTarget(obs, app, desired, targets).flatMap(t -> {
                FlinkRest.JobExceptions e = t.exceptions(new JobId(obs.job().orElseThrow().jobId()));
                return e.rootException().or(() -> e.history().stream().findFirst().map(Failure::stacktrace));
            }).map(FlinkRest.JobExceptions::cause);
        } catch (FlinkException e) {
            return Optional.empty();
        }
    }

    /** @param cause why Flink says the job failed, asked only when a failure is new */
    private void job(AppObservation obs, Application app, AppStatus stored, String planMessage, String revision,
            java.util.function.Supplier<Optional<String>> cause) {
        String key = obs.app();
        if (obs.job().isEmpty()) {
            lastJob.put(key, "NONE");
            restartsExceeded.remove(key);
            return;
        }
        AppObservation.CurrentJob job = obs.job().get();
        String now = job.state().map(Enum::name).orElse(GONE);
        String before = lastJob.containsKey(key) ? lastJob.get(key)
                : stored == null || stored.jobState() == null ? null
                : "MISSING".equals(stored.jobState()) ? GONE : stored.jobState();
        lastJob.put(key, now);
        if (now.equals(before)) {
            restartsExhausted(obs, app, now, planMessage, revision);
            return;
        }
        String cluster = stored == null || stored.cluster() == null ? "its cluster" : "cluster " + stored.cluster();
        if (now.equals(JobState.FAILED.name())) {
            // the plan's message starts "job FAILED": said once, with Flink's reason in its place
            String rest = planMessage.startsWith("job FAILED") ? planMessage.substring("job FAILED".length())
                    .replaceFirst("^; ", "") : planMessage;
            String why = cause.get().map(c -> c + (rest.isEmpty() ? "" : "; ")).orElse("");
            event(key, "job-failed", "error", "job " + job.jobId() + " FAILED: " + why + rest, revision);
        } else if (now.equals(JobState.SUSPENDED.name())) {
            event(key, "job-suspended", "warning", "job " + job.jobId() + " SUSPENDED by Flink on " + cluster + ": "
                    + planMessage, revision);
        } else if (now.equals(GONE) && before != null && !before.equals(JobState.LOST.name())) {
            // after a cluster was down, its jobs' loss is part of that one cluster-down alert
            event(key, "job-lost", "error", "job " + job.jobId() + " is gone from " + cluster
                    + ", which answers: " + planMessage, revision);
        } else if (now.equals(JobState.RUNNING.name()) && before != null) {
            event(key, "job-running", "info", "job " + job.jobId() + " RUNNING", revision);
            restartsExceeded.remove(key);
        }
        restartsExhausted(obs, app, now, planMessage, revision);
    }

    /** The job is down and the restart policy allows no more restarts within its window. */
    private void restartsExhausted(AppObservation obs, Application app, String state, String planMessage,
            String revision) {
        if (app == null) {
            return;
        }
        boolean down = state.equals(GONE) || state.equals(JobState.FAILED.name())
                || state.equals(JobState.CANCELED.name());
        Application.RestartPolicy policy = app.spec().restartPolicy();
        if (!down || !policy.restartsAutomatically()) {
            return;
        }
        Instant windowStart = clock.instant().minus(policy.window().duration());
        long inWindow = obs.recentRestarts().stream().filter(t -> t.isAfter(windowStart)).count();
        if (inWindow >= policy.maxRestarts() && restartsExceeded.add(obs.app())) {
            // the plan's message says the same, then why the last restart failed and what runs the job again
            String reached = "reached restartPolicy.maxRestarts";
            int rest = planMessage.indexOf(reached);
            event(obs.app(), "restarts-exceeded", "error", inWindow + " restarts within " + policy.window().text()
                    + " " + reached + " (" + policy.maxRestarts() + "); the job is down ("
                    + (state.equals(GONE) ? "gone from its cluster" : state) + ")"
                    + (rest < 0 ? ": " + planMessage : planMessage.substring(rest + reached.length())), revision);
        }
    }

    // ---- clusters

    private void cluster(ClusterObservation cluster, DesiredState desired, String revision) {
        if (cluster.busy() || !cluster.running()) {
            return; // being started, stopped or updated, or a managed one not started yet
        }
        Boolean before = clusterUp.put(cluster.name(), cluster.reachable());
        if (!cluster.reachable() && !Boolean.FALSE.equals(before)) {
            List<String> apps = desired.applications().stream()
                    .filter(a -> desired.clusterOf(a).map(c -> c.id().qualifiedName().equals(cluster.name())).orElse(false))
                    .map(a -> a.id().qualifiedName()).toList();
            event(CLUSTER_SUBJECT + cluster.name(), "cluster-down", "error", "cluster " + cluster.name()
                    + " cannot be reached; " + apps.size() + " app(s) on it: " + String.join(", ", apps), revision);
        } else if (cluster.reachable() && Boolean.FALSE.equals(before)) {
            event(CLUSTER_SUBJECT + cluster.name(), "cluster-down-resolved", "info", "cluster " + cluster.name()
                    + " answers again", revision);
        }
    }

    // ---- checkpoints

    /**
     * The target of the cluster the app's job runs on: the one it was started on, which a move Git asked for
     * has not changed yet, else the one Git names (an app's own cluster in the modes without a session).
     */
    private static Optional<DeploymentTarget> jobTarget(AppObservation obs, Application app, DesiredState desired,
            Function<String, Optional<DeploymentTarget>> targets) {
        return obs.job().flatMap(AppObservation.CurrentJob::cluster).or(() -> desired.jobClusterName(app))
                .flatMap(targets);
    }

    private void checkpoints(AppObservation obs, Application app, DesiredState desired, String revision,
            Function<String, Optional<DeploymentTarget>> targets, Submitter submitter) {
        List<AlertPolicy.Rule> rules = checkpointRules(app, desired);
        Optional<JobState> state = obs.job().flatMap(AppObservation.CurrentJob::state);
        if (rules.isEmpty() || state.isEmpty() || state.get() != JobState.RUNNING) {
            return;
        }
        if (obs.job().get().tasksWaiting().isPresent()) {
            // its tasks do not all run (no slots, a restart): Flink declines every checkpoint, and a restart would
            // only wait the same way; the app's health says so
            return;
        }
        String jobId = obs.job().get().jobId();
        Optional<DeploymentTarget> target = jobTarget(obs, app, desired, targets);
        if (target.isEmpty()) {
            return;
        }
        CheckpointStats stats;
        try {
            stats = target.get().checkpoints(new JobId(jobId));
        } catch (FlinkException e) {
            return;
        }
        Instant now = clock.instant();
        String key = obs.app();
        Fired fired = checkpointAlerts.get(key);
        if (fired != null) {
            // a savepoint taken meanwhile says nothing of the checkpoints
            Optional<Checkpoint> checkpoint = stats.latestCompleted().filter(c -> !c.savepoint());
            if (checkpoint.map(c -> c.time().isAfter(fired.at())).orElse(false)) {
                checkpointAlerts.remove(key);
                event(key, "checkpoint-failures-resolved", "info", "checkpoint "
                        + checkpoint.get().id() + " of job " + jobId + " completed", revision);
            }
            if (fired.jobId().equals(jobId)) {
                return; // this job's failures are alerted (and acted on) once
            }
        }
        Deque<Sample> samples = failedCheckpoints.computeIfAbsent(jobId, j -> new ArrayDeque<>());
        samples.addLast(new Sample(now, stats.failed()));
        Duration longest = rules.stream().map(r -> window(r)).max(Duration::compareTo).orElseThrow();
        while (samples.size() > 2 && samples.peekFirst().at().isBefore(now.minus(longest).minus(Duration.ofMinutes(1)))) {
            samples.removeFirst();
        }
        // Flink's count also takes triggers it declined while the job's tasks were (re)starting, and our own
        // savepoints that failed: failures are counted from when the job last became RUNNING and from the
        // app's last failed operation, whichever is later
        Instant countFrom = obs.lastFailure().map(AppObservation.FailedAttempt::at)
                .filter(at -> at.isAfter(obs.job().get().lastChange())).orElse(obs.job().get().lastChange());
        long sinceCountFrom = firstAtOrAfter(samples, countFrom);
        for (AlertPolicy.Rule rule : rules) {
            Duration within = window(rule);
            long failed = stats.failed() - Math.max(sinceCountFrom,
                    baseline(samples, now.minus(within), obs.job().get().startedAt()));
            int count = rule.count() == null ? 1 : rule.count();
            if (failed < count) {
                continue;
            }
            String what = failed + " checkpoint(s) of job " + jobId + " failed within " + describe(rule)
                    + " (the rule alerts at " + count + ")" + stats.latestFailureMessage().map(m -> "; last: " + m).orElse("");
            checkpointAlerts.put(key, new Fired(jobId, now));
            boolean restart = rules.stream().anyMatch(r -> r.action() == AlertPolicy.Action.RESTART
                    && failed >= (r.count() == null ? 1 : r.count()));
            if (!restart) {
                event(key, "checkpoint-failures", "warning", what, revision);
                return;
            }
            boolean runsGitsSpec = obs.applied().map(a -> a.specHash().equals(SpecHash.of(app, desired))).orElse(false);
            if (!runsGitsSpec) {
                // a restart starts Git's spec: from a checkpoint, that is an upgrade its upgradeMode did not ask for
                event(key, "checkpoint-failures", "error", what + "; action restart: not restarted, the job runs an"
                        + " older spec than Git's (its upgrade has not happened), and a restart would upgrade it from"
                        + " a checkpoint instead of the way its upgradeMode says", revision);
                return;
            }
            Optional<String> from = stats.latestCompleted().map(c -> "checkpoint " + c.externalPath())
                    .or(() -> store.latestRestorable(key).map(s -> s.kind().equals("checkpoint") ? "checkpoint "
                            + s.path() : "savepoint " + s.path()));
            if (from.isEmpty() && !app.spec().allowStatelessFallback()) {
                event(key, "checkpoint-failures", "error", what + "; action restart: not restarted, there is no"
                        + " completed checkpoint or savepoint to restart from (allowStatelessFallback is false)",
                        revision);
                return;
            }
            String how = from.map(f -> "restarting the job from its last completed " + f)
                    .orElse("restarting the job without state (allowStatelessFallback: true)");
            event(key, "checkpoint-failures", "error", what + "; action restart: " + how, revision);
            boolean started = submitter.submit(new Action.Upgrade(key, jobId, Application.UpgradeMode.LAST_STATE,
                    app.spec().allowStatelessFallback(), "checkpoints keep failing: " + how));
            LOG.info("app={} job={} checkpointFailures={} restart={} started={}", key, jobId, failed, how, started);
            return;
        }
    }

    /** Flink's failed count at the window's start: a sample from then, else 0 for a job started since, else the oldest. */
    private static long baseline(Deque<Sample> samples, Instant windowStart, Instant jobStarted) {
        Sample atStart = null;
        for (Sample s : samples) {
            if (!s.at().isAfter(windowStart)) {
                atStart = s;
            }
        }
        if (atStart != null) {
            return atStart.failed();
        }
        if (jobStarted != null && !jobStarted.isBefore(windowStart)) {
            return 0;
        }
        return samples.peekFirst().failed();
    }

    /** Flink's failed count at the first sample taken at or after {@code from} (the newest sample is now). */
    private static long firstAtOrAfter(Deque<Sample> samples, Instant from) {
        for (Sample s : samples) {
            if (!s.at().isBefore(from)) {
                return s.failed();
            }
        }
        return samples.peekLast().failed();
    }

    private static Duration window(AlertPolicy.Rule rule) {
        return rule.within() == null ? Duration.ofMinutes(10) : rule.within().duration();
    }

    private static String describe(AlertPolicy.Rule rule) {
        return rule.within() == null ? "10m" : rule.within().text();
    }

    /** The checkpoint-failures rules of the app's alert policies (a team's policy shadows the platform's). */
    static List<AlertPolicy.Rule> checkpointRules(Application app, DesiredState desired) {
        List<AlertPolicy.Rule> rules = new ArrayList<>();
        for (String name : app.spec().alertPolicies()) {
            Optional<io.tributary.model.Resource> policy = desired.get(new ResourceId(Kind.ALERT_POLICY,
                    app.metadata().team(), name)).or(() -> desired.get(new ResourceId(Kind.ALERT_POLICY, null, name)));
            policy.filter(AlertPolicy.class::isInstance).map(AlertPolicy.class::cast).ifPresent(p ->
                    p.spec().rules().stream().filter(r -> r.event() == AlertPolicy.Event.CHECKPOINT_FAILURES)
                            .forEach(rules::add));
        }
        return rules;
    }

    private void event(String subject, String type, String severity, String message, String revision) {
        store.event(new AppEvent(0, clock.instant(), subject, type, severity, message, revision));
    }
}
