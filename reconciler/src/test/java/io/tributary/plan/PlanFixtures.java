package io.tributary.plan;

import static org.assertj.core.api.Assertions.assertThat;

import io.tributary.config.ConfigLoader;
import io.tributary.config.TestRepos;
import io.tributary.model.Application;
import io.tributary.model.Application.UpgradeMode;
import io.tributary.model.DesiredState;
import io.tributary.model.JobState;
import io.tributary.model.Kind;
import io.tributary.model.ResourceId;
import io.tributary.plan.AppObservation.AppliedSpec;
import io.tributary.plan.AppObservation.CurrentJob;
import io.tributary.plan.AppObservation.FailedAttempt;
import io.tributary.plan.AppObservation.KeptSavepoint;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;

/**
 * Desired states written as YAML (the test base repo with {@code payments/orders} given its own
 * spec), and observations built step by step, for the planner's tables.
 */
final class PlanFixtures {
    static final String APP = "payments/orders";
    static final Instant NOW = Instant.parse("2026-11-26T12:00:00Z");
    private static final ConfigLoader LOADER = new ConfigLoader();

    private PlanFixtures() {}

    /** The base repo with {@code payments/orders}' spec lines after the deployment and job (indented by two). */
    static DesiredState desired(String extraSpec) {
        return desired(extraSpec, "10");
    }

    static DesiredState desired(String extraSpec, String ordersRate) {
        try {
            Path dir = Files.createTempDirectory("plan");
            TestRepos.copyTree(TestRepos.BASE, dir);
            Files.writeString(dir.resolve("teams/payments/apps.yaml"), """
                    apiVersion: tributary.io/v1
                    kind: Application
                    metadata: {name: orders, team: payments}
                    spec:
                      deployment: {mode: standalone-session, cluster: local}
                      job:
                        type: sql
                        sql: {file: sql/orders.sql}
                    """ + extraSpec.indent(2));
            Files.writeString(dir.resolve("teams/payments/variables.yaml"), """
                    apiVersion: tributary.io/v1
                    kind: Variable
                    metadata: {name: orders_rate, team: payments}
                    spec: {value: "%s"}
                    """.formatted(ordersRate));
            ConfigLoader.Result result = LOADER.load(dir);
            assertThat(result.errors()).isEmpty();
            return result.state();
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    static DesiredState withoutApps(DesiredState state) {
        return DesiredState.of(state.resources().values().stream().filter(r -> r.kind() != Kind.APPLICATION).toList());
    }

    static Application orders(DesiredState state) {
        return (Application) state.get(new ResourceId(Kind.APPLICATION, "payments", "orders")).orElseThrow();
    }

    static String hash(DesiredState state) {
        return SpecHash.of(orders(state), state);
    }

    /** An observation of {@link #APP}, changed with the {@code with...} methods. */
    static final class Obs {
        Optional<CurrentJob> job = Optional.empty();
        Optional<AppliedSpec> applied = Optional.empty();
        boolean everDeployed;
        final List<KeptSavepoint> savepoints = new ArrayList<>();
        final List<Instant> restarts = new ArrayList<>();
        Optional<AppObservation.Override> override = Optional.empty();
        boolean inFlight;
        Optional<FailedAttempt> failure = Optional.empty();
        boolean suspendedByService;

        static Obs none() {
            return new Obs();
        }

        /** A job started an hour ago from the spec of {@code state}, in {@code jobState}. */
        static Obs job(JobState jobState, DesiredState state) {
            return job(Optional.of(jobState), hash(state), UpgradeMode.SAVEPOINT);
        }

        static Obs job(Optional<JobState> jobState, String specHash, UpgradeMode mode) {
            Obs o = new Obs();
            o.job = Optional.of(new CurrentJob("a".repeat(32), jobState, NOW.minus(Duration.ofHours(1)),
                    Optional.of("file:///cp/chk-7")));
            o.applied = Optional.of(new AppliedSpec(specHash, "main@sha1:" + "1".repeat(40), mode, true));
            o.everDeployed = true;
            return o;
        }

        Obs startedAgo(Duration ago) {
            CurrentJob j = job.orElseThrow();
            job = Optional.of(new CurrentJob(j.jobId(), j.state(), NOW.minus(ago), j.latestCheckpoint()));
            return this;
        }

        Obs noCheckpoint() {
            CurrentJob j = job.orElseThrow();
            job = Optional.of(new CurrentJob(j.jobId(), j.state(), j.startedAt(), Optional.empty()));
            return this;
        }

        /** The finished job was stopped with the savepoint at {@code path}, as Flink reports it. */
        Obs stoppedOutsideWith(String path) {
            CurrentJob j = job.orElseThrow();
            job = Optional.of(new CurrentJob(j.jobId(), j.state(), j.startedAt(), Optional.of(path), j.lastChange(),
                    j.cluster()));
            return this;
        }

        /** Flink has run only {@code running} of the job's {@code total} tasks for {@code since} before now. */
        Obs tasksWaiting(int running, int total, Duration since) {
            CurrentJob j = job.orElseThrow();
            job = Optional.of(new CurrentJob(j.jobId(), j.state(), j.startedAt(), j.latestCheckpoint(), j.lastChange(),
                    j.cluster(), Optional.of(new AppObservation.TasksWaiting(NOW.minus(since), running, total))));
            return this;
        }

        /** The job was started on {@code cluster}, whatever Git names now. */
        Obs onCluster(String cluster) {
            CurrentJob j = job.orElseThrow();
            job = Optional.of(new CurrentJob(j.jobId(), j.state(), j.startedAt(), j.latestCheckpoint(), j.lastChange(),
                    Optional.of(cluster)));
            return this;
        }

        Obs suspendedEarlier() {
            job = Optional.empty();
            everDeployed = true;
            return this;
        }

        /** The service suspended the job when it stopped, to resume it at its next start. */
        Obs suspendedByService() {
            suspendedEarlier();
            suspendedByService = true;
            return this;
        }

        Obs notPruned() {
            AppliedSpec a = applied.orElseThrow();
            applied = Optional.of(new AppliedSpec(a.specHash(), a.revision(), a.upgradeMode(), false));
            return this;
        }

        /** A savepoint taken {@code ago} before now; add newest first. */
        Obs savepoint(long id, Duration ago) {
            savepoints.add(new KeptSavepoint(id, "file:///sp/savepoint-" + id, NOW.minus(ago)));
            return this;
        }

        /** The checkpoint a job was cancelled with to move (last-state), recorded {@code ago}: the app has no job. */
        Obs checkpointLeft(long id, Duration ago) {
            savepoints.add(new KeptSavepoint(id, "file:///cp/job/chk-" + id, NOW.minus(ago)));
            return this;
        }

        /** A savepoint Tributary did not take (a job was stopped with it outside), recorded {@code ago}. */
        Obs externalSavepoint(long id, Duration ago) {
            savepoints.add(new KeptSavepoint(id, "file:///by-hand/savepoint-" + id, NOW.minus(ago), false));
            return this;
        }

        Obs restartedAgo(Duration... agos) {
            for (Duration ago : agos) {
                restarts.add(NOW.minus(ago));
            }
            return this;
        }

        /** Pinned now, so after the job's last change. */
        Obs pinned(Application.DesiredState state) {
            return pinnedAt(state, NOW);
        }

        Obs pinnedAt(Application.DesiredState state, Instant since) {
            override = Optional.of(new AppObservation.Override(Optional.of(state), false, false, false, "dave",
                    "incident 42", since));
            return this;
        }

        /** Pinned suspended by an operator's stop that drains and/or may cancel the job. */
        Obs stoppedByAnOperator(boolean drain, boolean cancelIfSavepointFails) {
            override = Optional.of(new AppObservation.Override(Optional.of(Application.DesiredState.SUSPENDED), drain,
                    cancelIfSavepointFails, false, "dave", "incident 44", NOW));
            return this;
        }

        Obs syncPaused() {
            override = Optional.of(new AppObservation.Override(Optional.empty(), false, false, true, "dave",
                    "investigating", NOW));
            return this;
        }

        Obs inFlight() {
            inFlight = true;
            return this;
        }

        Obs failed(String kind, String specHash, Duration ago, int attempts) {
            failure = Optional.of(new FailedAttempt(kind, specHash, NOW.minus(ago), attempts, "savepoint timed out"));
            return this;
        }

        AppObservation build() {
            return build(APP);
        }

        AppObservation build(String app) {
            return new AppObservation(app, job, applied, everDeployed, savepoints, restarts, override, inFlight, failure,
                    suspendedByService);
        }
    }
}
