package io.tributary.apply;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.tributary.config.ConfigLoader;
import io.tributary.flink.JobId;
import io.tributary.flink.JobSubmission;
import io.tributary.flink.TestingFlinkTarget;
import io.tributary.flink.TestingFlinkTarget.FakeJob;
import io.tributary.model.JobState;
import io.tributary.store.AppEvent;
import io.tributary.store.AppStatus;
import io.tributary.store.MutableClock;
import io.tributary.store.Operation;
import io.tributary.store.SavepointRecord;
import io.tributary.store.Store;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The reconciler end to end over a real store (embedded PostgreSQL), a real config folder and
 * the in-memory Flink: what a commit does to the jobs, and what a crash leaves.
 */
class ReconcilerIT {
    private static final String APP = "payments/orders";

    @TempDir
    Path temp;

    private ReconcilerFixture fixture;
    private Path repo;
    private MutableClock clock;
    private TestingFlinkTarget flink;
    private Store store;

    @BeforeEach
    void setUp() throws IOException {
        clock = new MutableClock(Instant.parse("2026-11-26T10:00:00Z"));
        fixture = ReconcilerFixture.in(temp).inMemoryFlink(clock)
                .savepoints(Duration.ofSeconds(2), Duration.ofMillis(5)).build();
        repo = fixture.repo;
        flink = fixture.flink();
        store = fixture.store;
    }

    @AfterEach
    void tearDown() {
        fixture.close();
    }

    /** Fetches now and runs passes until nothing is left to do (at most a few), after any override's operation. */
    private void sync() {
        awaitOperations();
        fixture.passes(4);
    }

    /** An override's operation runs on the reconciler's pool, outside the passes that sync() waits for. */
    private void awaitOperations() {
        long deadline = System.nanoTime() + Duration.ofSeconds(30).toNanos();
        while (!fixture.reconciler.idle()) {
            if (System.nanoTime() > deadline) {
                throw new AssertionError("operations still running: " + store.openOperations());
            }
            try {
                Thread.sleep(20);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                throw new AssertionError(e);
            }
        }
    }

    /** Waits until the app's newest operation is of {@code kind}: one started on a worker has written its intent. */
    private void awaitBegun(String kind) {
        long deadline = System.nanoTime() + Duration.ofSeconds(10).toNanos();
        while (store.operations(APP, 1).stream().noneMatch(o -> o.kind().equals(kind))) {
            assertThat(System.nanoTime()).as("the " + kind + " has begun").isLessThan(deadline);
            try {
                Thread.sleep(5);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                throw new AssertionError(e);
            }
        }
    }

    private void setRate(String rate) throws IOException {
        fixture.write("teams/payments/variables.yaml", """
                apiVersion: tributary.io/v1
                kind: Variable
                metadata: {name: orders_rate, team: payments}
                spec: {value: "%s"}
                """.formatted(rate));
    }

    /** Writes the app with {@code lines} (YAML) added to its spec, and returns the file's new text. */
    private String withSpec(String lines) throws IOException {
        String apps = Files.readString(repo.resolve("teams/payments/apps.yaml")).replace("spec:\n",
                "spec:\n" + lines.indent(2));
        fixture.write("teams/payments/apps.yaml", apps);
        return apps;
    }

    /** Git moves the app, as written in {@code apps}, from cluster local to local-2. */
    private void moveToSecondCluster(String apps) throws IOException {
        fixture.write("teams/payments/apps.yaml", apps.replace("cluster: local", "cluster: local-2"));
    }

    /**
     * The app's job has a completed checkpoint and cannot take a savepoint, as a job restarting over and
     * over; returns the checkpoint's path.
     */
    private String checkpointedAndUnableToSavepoint(String job) {
        String checkpoint = flink.completeCheckpoint(new JobId(job)).externalPath();
        flink.failSavepoints("checkpoint coordinator is shut down");
        return checkpoint;
    }

    private void setState(String state) throws IOException {
        String apps = Files.readString(repo.resolve("teams/payments/apps.yaml"));
        apps = apps.replaceAll("\n  state: \\w+", "");
        fixture.write("teams/payments/apps.yaml", apps.replace("spec:\n", "spec:\n  state: " + state + "\n"));
    }

    private AppStatus status() {
        return store.status(APP).orElseThrow();
    }

    private List<FakeJob> running() {
        return flink.running();
    }

    @Test
    void aCommitDrivesTheJobThroughItsWholeLife() throws IOException {
        String declared = Files.readString(repo.resolve("teams/payments/apps.yaml"));
        sync();
        assertThat(fixture.testingClusters().calls).containsExactly("start local");
        assertThat(running()).singleElement().satisfies(j -> {
            assertThat(j.submission().restoreFrom()).isNull();
            assertThat(j.submission().args()).contains("--name", APP);
        });
        String first = status().jobId();
        assertThat(status().health()).isEqualTo("Healthy");
        assertThat(status().revision()).startsWith("dir@sha256:");

        setRate("20");
        sync();
        List<SavepointRecord> savepoints = store.savepoints(APP);
        assertThat(savepoints).singleElement().extracting(SavepointRecord::jobId).isEqualTo(first);
        assertThat(running()).singleElement().satisfies(j ->
                assertThat(j.submission().restoreFrom()).isEqualTo(savepoints.get(0).path()));
        assertThat(flink.fake(new JobId(first)).orElseThrow().state()).isEqualTo(JobState.FINISHED);
        assertThat(status().jobId()).isNotEqualTo(first);
        assertThat(status().health()).isEqualTo("Healthy");

        setState("suspended");
        sync();
        assertThat(running()).isEmpty();
        assertThat(status().jobId()).isNull();
        assertThat(status().health()).isEqualTo("Suspended");
        String suspendedAt = store.latestRestorable(APP).orElseThrow().path();

        setState("running");
        sync();
        assertThat(running()).singleElement().satisfies(j ->
                assertThat(j.submission().restoreFrom()).isEqualTo(suspendedAt));

        Files.delete(repo.resolve("teams/payments/apps.yaml"));
        sync();
        assertThat(running()).isEmpty();
        assertThat(store.status(APP)).isEmpty();
        assertThat(store.savepoints(APP)).hasSize(3).first().extracting(SavepointRecord::kind).isEqualTo("final");
        assertThat(store.deployments(APP, 10)).hasSize(3).allSatisfy(d -> assertThat(d.endedAt()).isNotNull());
        String finalSavepoint = store.savepoints(APP).get(0).path();

        fixture.write("teams/payments/apps.yaml", declared);
        sync();
        assertThat(running()).as("added again: resumed from the final savepoint of its removal").singleElement()
                .satisfies(j -> assertThat(j.submission().restoreFrom()).isEqualTo(finalSavepoint));
    }

    @Test
    void anAppRenamedInOneCommitStartsFromTheOldJobsFinalSavepointAndNeverRunsBesideIt() throws IOException {
        sync();
        String old = status().jobId();
        String renamed = "payments/orders-v2";
        fixture.write("teams/payments/apps.yaml", Files.readString(repo.resolve("teams/payments/apps.yaml"))
                .replace("name: orders,", "name: orders-v2,").replace("spec:\n", "spec:\n  restore: {application: orders}\n"));

        fixture.passes(1);
        awaitOperations();
        assertThat(flink.fake(new JobId(old)).orElseThrow().state()).isEqualTo(JobState.FINISHED);
        assertThat(running()).as("the pass that deletes the old app does not start the new one").isEmpty();
        assertThat(store.status(renamed).orElseThrow().message()).startsWith("waiting for payments/orders's job to stop");

        sync();
        SavepointRecord last = store.savepoints(APP).get(0);
        assertThat(last.kind()).isEqualTo("final");
        assertThat(store.status(APP)).isEmpty();
        assertThat(running()).as(() -> store.status(renamed).orElseThrow().message()).singleElement().satisfies(j -> {
            assertThat(j.submission().args()).contains("--name", renamed);
            assertThat(j.submission().restoreFrom()).isEqualTo(last.path());
        });
        assertThat(store.status(renamed).orElseThrow().health()).isEqualTo("Healthy");

        // failed before a checkpoint of its own: the old app's savepoint is still its newest state
        flink.failJob(new JobId(store.status(renamed).orElseThrow().jobId()), "java.lang.IllegalStateException: boom");
        sync();
        assertThat(running()).singleElement().satisfies(j -> {
            assertThat(j.submission().args()).contains("--name", renamed);
            assertThat(j.submission().restoreFrom()).as("not without state").isEqualTo(last.path());
        });
    }

    @Test
    void whileAnUpgradeWaitsForItsSavepointTheAppIsShownOutOfSyncAndWhy() throws IOException {
        sync();
        flink.holdSavepoints(true);
        setRate("20");
        fixture.passes(1);
        awaitBegun("upgrade"); // the status is written before the operation begins
        assertThat(status().sync()).as("Git's spec is not what runs yet").isEqualTo("OutOfSync");
        assertThat(status().health()).isEqualTo("Progressing");
        assertThat(status().message()).isEqualTo("upgrade: spec changed");

        flink.completeHeldSavepoints();
        sync();
        assertThat(status().sync()).isEqualTo("Synced");
        assertThat(status().health()).isEqualTo("Healthy");
    }

    @Test
    void aClosingServiceSuspendsTheJobsOfTheClustersThatStopWithItAndTheNextStartResumesThem() {
        sync();
        String job = status().jobId();
        fixture.testingClusters().stoppedOnClose.add("local");

        fixture.restart(false);
        assertThat(flink.fake(new JobId(job)).orElseThrow().state()).isEqualTo(JobState.FINISHED);
        SavepointRecord taken = store.savepoints(APP).get(0);
        assertThat(taken.jobId()).isEqualTo(job);
        assertThat(status().health()).isEqualTo("Suspended");
        assertThat(status().message()).contains("the service stopped");

        sync();
        assertThat(running()).singleElement().satisfies(j ->
                assertThat(j.submission().restoreFrom()).isEqualTo(taken.path()));
        assertThat(store.operations(APP, 10)).extracting(Operation::kind).containsExactly("resume", "suspend", "deploy");
        assertThat(status().health()).isEqualTo("Healthy");
    }

    @Test
    void withSyncingPausedAFailedJobIsRestartedAndOneSuspendedByAClosingServiceResumed() {
        sync();
        new Overrides(fixture.reconciler, clock).pauseSync(APP, "erin", "incident 47");
        JobId failed = new JobId(status().jobId());
        flink.cancelFromOutside(failed);
        sync();
        assertThat(running()).as("restarted per its policy while paused").singleElement()
                .satisfies(j -> assertThat(j.submission().jobId()).isNotEqualTo(failed));
        assertThat(store.deploymentOf(failed.hex())).hasValueSatisfying(d ->
                assertThat(d.endState()).as("as Flink reports it").isEqualTo("CANCELED"));
        assertThat(status().message()).contains("syncing paused by erin: incident 47");
        assertThat(store.events(APP, 10)).extracting(AppEvent::message).as("the app's history says why it restarted")
                .anyMatch(m -> m.startsWith("restarting job " + failed.hex() + ": job CANCELED; restart 1 of 3"));

        fixture.testingClusters().stoppedOnClose.add("local");
        fixture.restart(false);
        String savepoint = store.latestRestorable(APP).orElseThrow().path();
        sync();
        assertThat(running()).as("the service's own suspend is undone at its start, paused or not").singleElement()
                .satisfies(j -> assertThat(j.submission().restoreFrom()).isEqualTo(savepoint));
        assertThat(store.override(APP)).hasValueSatisfying(o -> assertThat(o.syncPaused()).isTrue());
    }

    @Test
    void theJobsOfClustersThatOutliveTheServiceKeepRunningWhenItCloses() {
        sync();
        String job = status().jobId();

        fixture.restart(false);
        sync();
        assertThat(running()).singleElement().satisfies(j -> assertThat(j.state()).isEqualTo(JobState.RUNNING));
        assertThat(status().jobId()).isEqualTo(job);
        assertThat(store.savepoints(APP)).isEmpty();
    }

    @Test
    void anAppRemovedFromGitThatNeverRanIsForgotten() throws IOException {
        setState("suspended");
        sync();
        assertThat(status().health()).isEqualTo("Suspended");
        Files.delete(repo.resolve("teams/payments/apps.yaml"));
        sync();
        assertThat(store.status(APP)).as("no status left behind, shown as removed forever").isEmpty();
        assertThat(flink.submitCalls()).isZero();
    }

    @Test
    void anAppRemovedFromGitWithPruneFalseKeepsItsJob() throws IOException {
        String apps = Files.readString(repo.resolve("teams/payments/apps.yaml"));
        fixture.write("teams/payments/apps.yaml", apps.replace("spec:\n", "spec:\n  prune: false\n"));
        sync();
        setRate("20"); // a later revision, whose upgrade takes a savepoint
        sync();
        String job = status().jobId();

        Files.delete(repo.resolve("teams/payments/apps.yaml"));
        sync();
        assertThat(running()).as("prune: false: the job is not Tributary's to delete any more").singleElement()
                .satisfies(j -> assertThat(j.submission().jobId().hex()).isEqualTo(job));
        assertThat(status().message()).isEqualTo("removed from Git; prune: false leaves the job as it is");
        assertThat(store.savepoints(APP)).extracting(SavepointRecord::kind).as("no final savepoint")
                .containsExactly("savepoint");
    }

    @Test
    void anAppRemovedWithPruneFalseOutlivesTheSuspendOfAClosingServiceAndIsNotDeletedAtTheNextStart()
            throws IOException {
        String apps = Files.readString(repo.resolve("teams/payments/apps.yaml"));
        fixture.write("teams/payments/apps.yaml", apps.replace("spec:\n", "spec:\n  prune: false\n"));
        sync();
        clock.advance(Duration.ofSeconds(1)); // the removal is the revision applied last
        Files.delete(repo.resolve("teams/payments/apps.yaml"));
        sync();
        String job = status().jobId();
        fixture.testingClusters().stoppedOnClose.add("local");

        fixture.restart(false);
        assertThat(flink.fake(new JobId(job)).orElseThrow().state()).isEqualTo(JobState.FINISHED);
        sync();
        assertThat(store.operations(APP, 10)).extracting(Operation::kind).as("suspended at the close, never deleted")
                .containsExactly("suspend", "deploy");
        assertThat(status().message()).startsWith("removed from Git; prune: false keeps its records");
        String savepoint = store.latestRestorable(APP).orElseThrow().path();

        fixture.write("teams/payments/apps.yaml", apps);
        sync();
        assertThat(running()).as("declared again: resumed from the savepoint of the close").singleElement()
                .satisfies(j -> assertThat(j.submission().restoreFrom()).isEqualTo(savepoint));
    }

    @Test
    void anAppGitMovesToAnotherClusterIsStoppedWithASavepointThereAndResumedFromItOnTheNewOne() throws IOException {
        TestingFlinkTarget other = secondCluster();
        sync();
        String first = status().jobId();
        assertThat(status().cluster()).isEqualTo("local");

        String apps = Files.readString(repo.resolve("teams/payments/apps.yaml"));
        fixture.write("teams/payments/apps.yaml", apps.replace("cluster: local", "cluster: local-2"));
        sync();

        assertThat(running()).as("nothing left on the old cluster").isEmpty();
        assertThat(flink.fake(new JobId(first)).orElseThrow().state()).isEqualTo(JobState.FINISHED);
        String savepoint = flink.savepointsTaken().get(0);
        assertThat(other.running()).as("one job on the new cluster, from the savepoint the old one stopped with")
                .singleElement().satisfies(j -> assertThat(j.submission().restoreFrom()).isEqualTo(savepoint));
        assertThat(store.operations(APP, 10)).extracting(Operation::kind).containsExactly("resume", "suspend", "deploy");
        assertThat(store.operations(APP, 10).get(1).error()).isNull();
        assertThat(status().cluster()).isEqualTo("local-2");
        assertThat(status().health()).isEqualTo("Healthy");
        assertThat(store.events(APP, 20)).extracting(AppEvent::message)
                .anyMatch(m -> m.contains("moving from cluster local to cluster local-2"));

        sync();
        assertThat(other.running()).as("settled: not started again").hasSize(1);
    }

    @Test
    void anAppGitMovesFromYarnToKubernetesIsStoppedWithASavepointInYarnAndResumedFromItOnKubernetes()
            throws IOException {
        TestingFlinkTarget yarn = new TestingFlinkTarget(clock);
        TestingFlinkTarget kubernetes = new TestingFlinkTarget(clock);
        fixture.testingClusters().route("yarn-app:" + APP, yarn);
        fixture.testingClusters().route("kubernetes-app:" + APP, kubernetes);
        Path hadoopConf = Files.createDirectories(temp.resolve("hadoop-conf"));
        Files.writeString(hadoopConf.resolve("yarn-site.xml"), "<configuration/>");
        String apps = Files.readString(repo.resolve("teams/payments/apps.yaml"));
        fixture.write("teams/payments/apps.yaml", apps.replace("    mode: standalone-session\n    cluster: local\n",
                "    mode: yarn-application\n    yarn: {hadoopConfDir: \"" + hadoopConf + "\"}\n"));
        sync();
        String first = status().jobId();
        assertThat(yarn.running()).singleElement();
        assertThat(status().cluster()).isEqualTo("yarn-app:" + APP);

        fixture.write("teams/payments/apps.yaml", apps.replace("    mode: standalone-session\n    cluster: local\n",
                "    mode: kubernetes-application\n    kubernetes: {namespace: flink}\n"));
        sync();

        assertThat(yarn.fake(new JobId(first)).orElseThrow().state()).as("stopped in YARN, not left beside the new one")
                .isEqualTo(JobState.FINISHED);
        assertThat(kubernetes.running()).singleElement()
                .satisfies(j -> assertThat(j.submission().restoreFrom()).isEqualTo(yarn.savepointsTaken().get(0)));
        assertThat(store.operations(APP, 10)).extracting(Operation::kind).containsExactly("resume", "suspend", "deploy");
        assertThat(store.events(APP, 20)).extracting(AppEvent::message)
                .anyMatch(m -> m.contains("moving from its own YARN cluster to its own Kubernetes cluster"));
        assertThat(status().cluster()).isEqualTo("kubernetes-app:" + APP);
        assertThat(status().deploymentMode()).isEqualTo("kubernetes-application");
        assertThat(status().health()).isEqualTo("Healthy");
    }

    @Test
    void anAppMovedOffAClusterRemovedInTheSameCommitMovesWithItsStateAndTheClusterStopsAfter() throws IOException {
        TestingFlinkTarget old = new TestingFlinkTarget(clock);
        TestingFlinkTarget other = new TestingFlinkTarget(clock);
        fixture.testingClusters().route("local", old);
        fixture.testingClusters().route("local-2", other);
        String clusters = Files.readString(repo.resolve("platform/clusters.yaml"));
        sync();
        String first = status().jobId();
        assertThat(old.running()).singleElement();

        String apps = Files.readString(repo.resolve("teams/payments/apps.yaml"));
        fixture.write("teams/payments/apps.yaml", apps.replace("cluster: local", "cluster: local-2"));
        fixture.write("platform/clusters.yaml", clusters.replace("name: local}", "name: local-2}"));
        sync();

        assertThat(old.fake(new JobId(first)).orElseThrow().state()).as("stopped where it ran, before its cluster")
                .isEqualTo(JobState.FINISHED);
        String savepoint = old.savepointsTaken().get(0);
        assertThat(other.running()).singleElement()
                .satisfies(j -> assertThat(j.submission().restoreFrom()).isEqualTo(savepoint));
        assertThat(fixture.testingClusters().calls).containsSubsequence("start local-2", "stop local");
        assertThat(store.operations(APP, 10)).extracting(Operation::kind).containsExactly("resume", "suspend", "deploy");
        assertThat(status().cluster()).isEqualTo("local-2");
        assertThat(status().health()).isEqualTo("Healthy");
    }

    @Test
    void aLastStateAppMovedToAnotherClusterIsCancelledThereAndResumesFromItsLatestCheckpoint() throws IOException {
        TestingFlinkTarget other = secondCluster();
        String apps = withSpec("upgradeMode: last-state");
        sync();
        String first = status().jobId();
        String checkpoint = checkpointedAndUnableToSavepoint(first); // a last-state move asks for no savepoint

        moveToSecondCluster(apps);
        sync();

        assertThat(flink.fake(new JobId(first)).orElseThrow().state()).isEqualTo(JobState.CANCELED);
        assertThat(flink.savepointTriggers()).isZero();
        assertThat(other.running()).as("resumed on the new cluster from the checkpoint the old job left")
                .singleElement().satisfies(j -> assertThat(j.submission().restoreFrom()).isEqualTo(checkpoint));
        assertThat(store.operations(APP, 10)).extracting(Operation::kind).containsExactly("resume", "suspend", "deploy");
        assertThat(store.events(APP, 20)).extracting(AppEvent::message).anyMatch(m -> m.startsWith("cancelled; resumes from "
                + checkpoint + " (moving from cluster local to cluster local-2: cancelling it (upgradeMode: last-state)"));
        assertThat(store.savepoints(APP)).extracting(SavepointRecord::kind).containsExactly("checkpoint");
        assertThat(status().cluster()).isEqualTo("local-2");
        assertThat(status().health()).isEqualTo("Healthy");
    }

    @Test
    void aLastStateMoveWithoutAnyStateToResumeFromLeavesTheJobWhereItRuns() throws IOException {
        secondCluster();
        String apps = withSpec("upgradeMode: last-state");
        sync();
        String first = status().jobId();

        moveToSecondCluster(apps);
        sync();

        assertThat(running()).as("no checkpoint or savepoint: cancelling would lose the state")
                .singleElement().extracting(j -> j.submission().jobId().hex()).isEqualTo(first);
        assertThat(status().health()).isEqualTo("Degraded");
        assertThat(store.events(APP, 20)).filteredOn(e -> e.type().equals("suspend-failed")).singleElement()
                .satisfies(e -> assertThat(e.message()).isEqualTo(
                        "last-state suspend found no completed checkpoint or savepoint; the job keeps running"));
    }

    @Test
    void aLastStateMoveInterruptedWhileCancellingIsFinishedAtTheRestartAndResumesOnTheNewCluster() throws IOException {
        TestingFlinkTarget other = secondCluster();
        // no restarts allowed: the cancelled job must be taken for a move, not a failure to restart
        String apps = withSpec("upgradeMode: last-state\nrestartPolicy: {maxRestarts: 0}");
        sync();
        String first = status().jobId();
        String checkpoint = flink.completeCheckpoint(new JobId(first)).externalPath();
        moveToSecondCluster(apps);
        // the service wrote the move's intent, cancelled the job and died before recording it
        Operation open = store.begin(Operation.open(APP, "suspend", "dir@sha256:" + "0".repeat(64),
                status().specHash(), first, "tributary").withCluster("local"));
        store.update(open.withStep("cancelling"));
        flink.cancel(new JobId(first));

        fixture.restart(false);
        sync();

        assertThat(other.running()).as("resumed on the new cluster from the checkpoint the cancelled job left")
                .singleElement().satisfies(j -> assertThat(j.submission().restoreFrom()).isEqualTo(checkpoint));
        assertThat(store.operations(APP, 10)).extracting(Operation::kind).containsExactly("resume", "suspend", "deploy");
        assertThat(store.operations(APP, 10).get(1).status()).isEqualTo(Operation.DONE);
        assertThat(status().health()).isEqualTo("Healthy");
    }

    @Test
    void aClusterWhoseSpecChangesTakesItsLastStateAppAlongFromItsLatestCheckpoint() throws IOException {
        withSpec("upgradeMode: last-state");
        sync();
        String first = status().jobId();
        String checkpoint = checkpointedAndUnableToSavepoint(first);

        restartClusterAndAwaitAnotherJob(first);

        assertThat(fixture.testingClusters().calls).containsSubsequence("start local", "stop local", "start local");
        assertThat(flink.fake(new JobId(first)).orElseThrow().state()).isEqualTo(JobState.CANCELED);
        assertThat(running()).as("back on the restarted cluster, from the checkpoint the cancelled job left")
                .singleElement().satisfies(j -> assertThat(j.submission().restoreFrom()).isEqualTo(checkpoint));
        assertThat(store.operations(APP, 10)).extracting(Operation::kind).containsExactly("resume", "suspend", "deploy");
        assertThat(status().health()).isEqualTo("Healthy");
    }

    /** Gives the local cluster a new spec and waits until the app runs a job other than {@code first} again. */
    private void restartClusterAndAwaitAnotherJob(String first) throws IOException {
        String clusters = Files.readString(repo.resolve("platform/clusters.yaml"));
        fixture.write("platform/clusters.yaml", clusters.replace("slotsPerTaskManager: 4", "slotsPerTaskManager: 8"));
        // the cluster's restart runs beside the passes, and the app's resume after it
        fixture.reconcileUntil("the app runs again on the restarted cluster", Duration.ofSeconds(30),
                () -> status().jobId() != null && !first.equals(status().jobId())
                        && "RUNNING".equals(status().jobState()),
                () -> "status " + status() + ", cluster calls " + fixture.testingClusters().calls);
    }

    @Test
    void aClusterRestartStopsAJobKeptByPruneFalseWithASavepointInsteadOfEndingIt() throws IOException {
        String apps = Files.readString(repo.resolve("teams/payments/apps.yaml"));
        fixture.write("teams/payments/apps.yaml", apps.replace("spec:\n", "spec:\n  prune: false\n"));
        sync();
        Files.delete(repo.resolve("teams/payments/apps.yaml"));
        sync();
        String kept = status().jobId();
        assertThat(flink.fake(new JobId(kept)).orElseThrow().state()).isEqualTo(JobState.RUNNING);

        String clusters = Files.readString(repo.resolve("platform/clusters.yaml"));
        fixture.write("platform/clusters.yaml", clusters.replace("slotsPerTaskManager: 4", "slotsPerTaskManager: 8"));
        fixture.reconcileUntil("the cluster restarted", Duration.ofSeconds(30),
                () -> fixture.testingClusters().calls.stream().filter("start local"::equals).count() == 2,
                () -> "cluster calls " + fixture.testingClusters().calls + ", status " + status());
        sync();

        assertThat(fixture.testingClusters().calls).containsSubsequence("start local", "stop local", "start local");
        assertThat(store.operations(APP, 10)).extracting(Operation::kind).first().isEqualTo("suspend");
        assertThat(store.operations(APP, 10).get(0).actor()).isEqualTo(Reconciler.CLUSTER_RESTART);
        assertThat(store.latestRestorable(APP).orElseThrow().jobId()).as("its state kept in a savepoint").isEqualTo(kept);
        assertThat(running()).as("not in Git: not resumed").isEmpty();
        assertThat(status().message()).startsWith("removed from Git; prune: false keeps its records");
    }

    @Test
    void asManyClustersRestartingAtOnceAsThereAreWorkersStillMoveTheirAppsOff() throws IOException {
        TestingFlinkTarget other = secondCluster();
        String apps = Files.readString(repo.resolve("teams/payments/apps.yaml"));
        fixture.write("teams/payments/other.yaml", apps.replace("name: orders,", "name: orders-2,")
                .replace("cluster: local", "cluster: local-2"));
        sync();
        String first = status().jobId();
        String second = store.status("payments/orders-2").orElseThrow().jobId();

        // one commit restarts both clusters; the fixture runs two workers, which the restarts used to hold while
        // the moves they waited for queued behind them
        fixture.write("platform/clusters.yaml", Files.readString(repo.resolve("platform/clusters.yaml"))
                .replace("slotsPerTaskManager: 4", "slotsPerTaskManager: 8"));
        fixture.write("platform/local-2.yaml", Files.readString(repo.resolve("platform/local-2.yaml"))
                .replace("slotsPerTaskManager: 4", "slotsPerTaskManager: 8"));
        fixture.reconcileUntil("both apps run again on their restarted clusters", Duration.ofSeconds(30),
                () -> !first.equals(status().jobId()) && "RUNNING".equals(status().jobState())
                        && !second.equals(store.status("payments/orders-2").orElseThrow().jobId())
                        && "RUNNING".equals(store.status("payments/orders-2").orElseThrow().jobState()),
                () -> "cluster calls " + fixture.testingClusters().calls + ", statuses " + store.statuses());
        assertThat(other.fake(new JobId(second)).orElseThrow().state()).as("stopped with a savepoint")
                .isEqualTo(JobState.FINISHED);
    }

    @Test
    void anAppWhoseSyncingIsPausedIsResumedAfterItsClusterRestarts() throws IOException {
        sync();
        String first = status().jobId();
        new Overrides(fixture.reconciler, clock).pauseSync(APP, "erin", "holding a release");

        restartClusterAndAwaitAnotherJob(first);

        assertThat(fixture.testingClusters().calls).containsSubsequence("start local", "stop local", "start local");
        assertThat(store.operations(APP, 10)).extracting(Operation::kind).containsExactly("resume", "suspend", "deploy");
        assertThat(store.operations(APP, 10).get(1).actor()).isEqualTo(Reconciler.CLUSTER_RESTART);
        assertThat(running()).singleElement().satisfies(j -> assertThat(j.submission().restoreFrom())
                .as("resumed from the savepoint the move took").isEqualTo(store.operations(APP, 10).get(1).savepointPath()));
        assertThat(status().message()).contains("syncing paused by erin");
    }

    @Test
    void aClusterWhoseSpecChangesIsNotRestartedUnderAJobWhoseSavepointFails() throws IOException {
        sync();
        String first = status().jobId();
        flink.failSavepoints("checkpoint coordinator is shut down");

        String clusters = Files.readString(repo.resolve("platform/clusters.yaml"));
        fixture.write("platform/clusters.yaml", clusters.replace("slotsPerTaskManager: 4", "slotsPerTaskManager: 8"));
        fixture.reconcileUntil("the restart is put off", Duration.ofSeconds(30),
                () -> store.events(APP, 20).stream().anyMatch(e -> e.type().equals("cluster-failed")),
                () -> "events " + store.events(APP, 20));

        assertThat(fixture.testingClusters().calls).as("not stopped under the job").containsExactly("start local");
        assertThat(running()).singleElement().extracting(j -> j.submission().jobId().hex()).isEqualTo(first);
        // the move is tried unless a pass holds the app at that moment (then the restart is put off all the same)
        if (store.operations(APP, 10).stream().anyMatch(o -> o.kind().equals("suspend"))) {
            assertThat(store.events(APP, 20)).extracting(AppEvent::type).contains("suspend-failed");
        }
        assertThat(store.events(APP, 20)).filteredOn(e -> e.type().equals("cluster-failed")).first()
                .satisfies(e -> assertThat(e.message()).startsWith("cluster local: restart failed: not restarted while"
                        + " the job of " + APP + " still runs on it"));
    }

    @Test
    void aMoveWhoseSavepointFailsCancelsTheJobAndResumesFromItsCheckpointWhenTheAppAllowsTheFallback()
            throws IOException {
        TestingFlinkTarget other = secondCluster();
        String apps = withSpec("allowStatelessFallback: true");
        sync();
        String first = status().jobId();
        String checkpoint = checkpointedAndUnableToSavepoint(first);

        moveToSecondCluster(apps);
        sync();

        assertThat(flink.fake(new JobId(first)).orElseThrow().state()).isEqualTo(JobState.CANCELED);
        assertThat(other.running()).singleElement()
                .satisfies(j -> assertThat(j.submission().restoreFrom()).isEqualTo(checkpoint));
        assertThat(store.events(APP, 20)).extracting(AppEvent::type).contains("suspend-failed", "stateless-fallback");
        assertThat(store.operations(APP, 10)).extracting(Operation::kind).containsExactly("resume", "suspend", "deploy");
        assertThat(store.operations(APP, 10).get(1).status()).isEqualTo(Operation.DONE);
        assertThat(status().health()).isEqualTo("Healthy");
    }

    @Test
    void suspendingInGitCancelsAJobThatCannotSavepointWhenTheAppAllowsTheFallbackAndResumesFromItsCheckpoint()
            throws IOException {
        withSpec("allowStatelessFallback: true");
        sync();
        String first = status().jobId();
        String checkpoint = checkpointedAndUnableToSavepoint(first);

        setState("suspended");
        sync();
        assertThat(flink.fake(new JobId(first)).orElseThrow().state()).isEqualTo(JobState.CANCELED);
        assertThat(status().health()).isEqualTo("Suspended");
        assertThat(status().message()).contains(checkpoint);
        assertThat(store.events(APP, 20)).extracting(AppEvent::type).contains("suspend-failed", "stateless-fallback");
        assertThat(store.events(APP, 20)).filteredOn(e -> e.type().equals("suspend-failed")).singleElement()
                .satisfies(e -> assertThat(e.message()).as("the job is cancelled, not left running")
                        .contains("cancelled instead").doesNotContain("keeps running"));

        setState("running");
        sync();
        assertThat(running()).singleElement()
                .satisfies(j -> assertThat(j.submission().restoreFrom()).isEqualTo(checkpoint));
    }

    /** A second managed cluster, local-2, declared in Git and running on a Flink of its own. */
    private TestingFlinkTarget secondCluster() throws IOException {
        TestingFlinkTarget other = new TestingFlinkTarget(clock);
        fixture.testingClusters().route("local-2", other);
        fixture.write("platform/local-2.yaml", """
                apiVersion: tributary.io/v1
                kind: Cluster
                metadata: {name: local-2}
                spec:
                  mode: standalone
                  managed: true
                  standalone: {taskManagers: 1, slotsPerTaskManager: 4}
                """);
        return other;
    }

    @Test
    void aJobStoppedWithASavepointOutsideTributaryIsRestartedFromThatSavepoint() {
        sync();
        String first = status().jobId();
        flink.completeCheckpoint(new JobId(first));
        flink.stopWithSavepoint(new JobId(first), "file:///by-hand", false); // Flink's UI or CLI, not the service
        String byHand = flink.savepointsTaken().get(0);

        sync();
        assertThat(running()).as("running again, from the savepoint taken by hand, not the older checkpoint")
                .singleElement().satisfies(j -> assertThat(j.submission().restoreFrom()).isEqualTo(byHand));
        assertThat(store.operations(APP, 10)).extracting(Operation::kind).containsExactly("restart", "deploy");
        assertThat(store.operations(APP, 10).get(0).restoreFrom()).isEqualTo(byHand);
        assertThat(status().health()).isEqualTo("Healthy");
        assertThat(store.savepoints(APP)).filteredOn(s -> s.path().equals(byHand)).singleElement()
                .extracting(SavepointRecord::kind).isEqualTo("external");

        flink.failJob(new JobId(status().jobId()), "java.lang.OutOfMemoryError"); // before a checkpoint of its own
        clock.advance(Duration.ofSeconds(11)); // the second restart's backoff
        sync();
        assertThat(running()).as("its state is still the savepoint taken by hand").singleElement()
                .satisfies(j -> assertThat(j.submission().restoreFrom()).isEqualTo(byHand));
    }

    @Test
    void aBoundedJobThatFinishesLongAfterASavepointStaysFinished() {
        sync();
        String first = status().jobId();
        flink.triggerSavepoint(new JobId(first), "file:///by-hand");
        clock.advance(Duration.ofMinutes(10));
        flink.finishOnItsOwn(new JobId(first));

        sync();
        assertThat(running()).as("not run again from a savepoint taken mid-way").isEmpty();
        assertThat(store.operations(APP, 10)).extracting(Operation::kind).containsExactly("deploy");
        assertThat(status().message()).isEqualTo("the job finished");
    }

    @Test
    void aJobItsJobManagerForgotRestartsFromTheCheckpointLeftInTheDirectoryTheClusterIsConfiguredWith()
            throws IOException {
        Path checkpoints = temp.resolve("cluster-checkpoints");
        flink.configureCheckpointDirectory(checkpoints.toUri().toString());
        sync();
        String lost = status().jobId();
        Path chk = Files.createDirectories(checkpoints.resolve(lost).resolve("chk-12"));
        Files.writeString(chk.resolve("_metadata"), "state");

        flink.forgetJob(new JobId(lost)); // a JobManager without HA restarted; the app names no checkpoint directory
        sync();
        assertThat(running()).singleElement().satisfies(j -> assertThat(j.submission().restoreFrom())
                .as("not without state").isEqualTo("file:" + chk.toAbsolutePath()));
    }

    @Test
    void aJobRestartedWithoutAnyStateToStartFromSaysSo() {
        sync();
        flink.forgetJob(new JobId(status().jobId()));
        sync();
        assertThat(store.events(APP, 10)).filteredOn(e -> e.type().equals("restart") && e.message().contains("submitted"))
                .singleElement()
                .satisfies(e -> {
                    assertThat(e.severity()).isEqualTo("warning");
                    assertThat(e.message()).contains("without state: no checkpoint or savepoint");
                });
    }

    @Test
    void aBoundedJobThatFinishedIsNotRunAgainWhenItsJobManagerRestartsAndForgetsIt() {
        sync();
        String first = status().jobId();
        flink.finishOnItsOwn(new JobId(first));
        sync();
        assertThat(status().message()).isEqualTo("the job finished");

        flink.setUnreachable(true); // the cluster restarts: its jobs read LOST meanwhile
        sync();
        flink.setUnreachable(false);
        flink.forgetJob(new JobId(first)); // a JobManager without HA restarted: it lists no job any more
        sync();
        assertThat(running()).as("its output is not written twice").isEmpty();
        assertThat(store.operations(APP, 10)).extracting(Operation::kind).containsExactly("deploy");
        assertThat(status().health()).isEqualTo("Healthy");
        assertThat(status().jobState()).isEqualTo("FINISHED");
    }

    @Test
    void anOperatorStopOfAJobThatCannotTakeASavepointCancelsItWhenAskedAndItResumesFromItsLatestCheckpoint() {
        sync();
        String first = status().jobId();
        String checkpoint = checkpointedAndUnableToSavepoint(first);
        Overrides overrides = new Overrides(fixture.reconciler, clock);

        overrides.stop(APP, "dave", "incident 44: the job restarts over and over", false, true);
        sync();

        assertThat(flink.fake(new JobId(first)).orElseThrow().state()).isEqualTo(JobState.CANCELED);
        assertThat(status().health()).isEqualTo("Suspended");
        assertThat(status().message()).contains("resumes from " + checkpoint);
        assertThat(store.events(APP, 20)).filteredOn(e -> e.type().equals("stateless-fallback")).singleElement()
                .satisfies(e -> assertThat(e.message()).contains("stopped by dave: incident 44"));
        assertThat(store.auditEvents(10)).extracting(a -> a.action())
                .containsExactly("stop (cancel if the savepoint fails)");

        flink.failSavepoints(null);
        overrides.release(APP, "dave", "fixed");
        sync();
        assertThat(running()).singleElement().satisfies(j ->
                assertThat(j.submission().restoreFrom()).isEqualTo(checkpoint));
    }

    @Test
    void anOperatorStopThatWaitsForAnotherOperationStillCancelsWhenAsked() {
        sync();
        String first = status().jobId();
        Overrides overrides = new Overrides(fixture.reconciler, clock);
        flink.holdSavepoints(true);
        overrides.savepoint(APP, "carol", "before the schema change");
        awaitBegun("savepoint"); // it runs on a worker: begun, it holds the app

        overrides.stop(APP, "dave", "incident 45: the job restarts over and over", false, true);
        assertThat(store.operations(APP, 10)).extracting(Operation::kind).as("the stop waits for the savepoint")
                .containsExactly("savepoint", "deploy");
        flink.completeHeldSavepoints();
        String checkpoint = checkpointedAndUnableToSavepoint(first);
        sync();

        assertThat(flink.fake(new JobId(first)).orElseThrow().state()).isEqualTo(JobState.CANCELED);
        assertThat(status().message()).contains("resumes from " + checkpoint);
        assertThat(store.events(APP, 20)).filteredOn(e -> e.type().equals("stateless-fallback")).singleElement()
                .satisfies(e -> assertThat(e.message()).contains("stopped by dave: incident 45"));
    }

    @Test
    void anOperatorStopOfAJobThatFailedForGoodIsQuietAndAStartRevivesItFromItsCheckpoint() throws IOException {
        withSpec("restartPolicy: {maxRestarts: 0}");
        sync();
        JobId job = new JobId(status().jobId());
        String checkpoint = flink.completeCheckpoint(job).externalPath();
        Instant failedAt = clock.instant();
        flink.failJob(job, "java.lang.ArithmeticException: / by zero");
        clock.advance(Duration.ofSeconds(30));
        sync();
        assertThat(status().health()).isEqualTo("Degraded");
        assertThat(store.deployments(APP, 1)).singleElement().as("ended when Flink says, though nothing restarts it")
                .satisfies(d -> assertThat(d.endState()).isEqualTo("FAILED"))
                .satisfies(d -> assertThat(d.endedAt()).isEqualTo(failedAt));
        Overrides overrides = new Overrides(fixture.reconciler, clock);

        overrides.stop(APP, "dave", "incident 46: leave it down", false, false);
        sync();
        assertThat(status().health()).isEqualTo("Suspended");
        assertThat(store.events(APP, 20)).extracting(AppEvent::type).as("no savepoint asked of a failed job")
                .doesNotContain("suspend-failed");
        assertThat(running()).isEmpty();

        clock.advance(Duration.ofMinutes(5));
        overrides.start(APP, "dave", "incident 46: downstream fixed");
        sync();
        assertThat(running()).as("started, though the restart policy allows no restart")
                .singleElement().satisfies(j -> assertThat(j.submission().restoreFrom()).isEqualTo(checkpoint));
        assertThat(store.operations(APP, 10).get(0).kind()).isEqualTo("restart");
    }

    @Test
    void anOperatorStopPinsTheAppSuspendedUntilReleased() throws Exception {
        sync();
        Overrides overrides = new Overrides(fixture.reconciler, clock);
        overrides.stop(APP, "dave", "incident 42: downstream is down", true, false);
        sync();
        assertThat(running()).isEmpty();
        assertThat(status().health()).isEqualTo("Suspended");
        assertThat(status().sync()).isEqualTo("OutOfSync");
        assertThat(status().message()).startsWith("pinned suspended by dave (incident 42: downstream is down)");
        assertThat(store.auditEvents(10)).singleElement().satisfies(a -> {
            assertThat(a.actor()).isEqualTo("dave");
            assertThat(a.action()).isEqualTo("stop (drain)");
            assertThat(a.target()).isEqualTo("application " + APP);
        });
        String savepoint = store.latestRestorable(APP).orElseThrow().path();

        setRate("50");
        sync();
        assertThat(running()).as("Git changes do not start a pinned app").isEmpty();

        overrides.release(APP, "dave", "downstream is back");
        sync();
        assertThat(running()).singleElement().satisfies(j ->
                assertThat(j.submission().restoreFrom()).isEqualTo(savepoint));
        assertThat(status().sync()).isEqualTo("Synced");
    }

    @Test
    void pausedSyncingHoldsBackGitUntilResumed() throws Exception {
        sync();
        String job = status().jobId();
        Overrides overrides = new Overrides(fixture.reconciler, clock);
        overrides.pauseSync(APP, "erin", "load test tonight");
        assertThatThrownBy(() -> overrides.pauseSync(APP, "frank", "me too")).as("who paused it and why are kept")
                .isInstanceOf(Overrides.Refused.class).hasMessageContaining("already paused by erin (load test tonight)");
        setRate("60");
        sync();
        assertThat(status().jobId()).isEqualTo(job);
        assertThat(status().message()).contains("syncing paused by erin");

        overrides.resumeSync(APP, "erin", "load test over");
        sync();
        assertThat(status().jobId()).isNotEqualTo(job);
        assertThat(store.override(APP)).isEmpty();

        overrides.start(APP, "erin", "keep it up over the weekend");
        assertThatThrownBy(() -> overrides.resumeSync(APP, "erin", "again")).as("a pin is not a pause")
                .isInstanceOf(Overrides.Refused.class).hasMessageContaining("is not paused");
        assertThat(store.override(APP).orElseThrow().reason()).isEqualTo("keep it up over the weekend");
    }

    @Test
    void manualSavepointAndRestartAreRecorded() throws Exception {
        sync();
        Overrides overrides = new Overrides(fixture.reconciler, clock);
        String job = status().jobId();
        overrides.savepoint(APP, "carol", "before the schema change");
        sync();
        assertThat(store.savepoints(APP)).singleElement().extracting(SavepointRecord::kind).isEqualTo("manual");
        assertThat(status().jobId()).isEqualTo(job);

        overrides.restart(APP, "carol", "pick up new broker certificates");
        sync();
        assertThat(status().jobId()).isNotEqualTo(job);
        assertThat(running()).singleElement().satisfies(j ->
                assertThat(j.submission().restoreFrom()).isEqualTo(store.savepoints(APP).get(0).path()));
        assertThat(org.assertj.core.api.Assertions.catchThrowable(() -> overrides.restart(APP, "carol", " ")))
                .isInstanceOf(Overrides.Refused.class).hasMessageContaining("reason");
    }

    @Test
    void anInvalidRevisionChangesNothingAndItsErrorsAreShown() throws IOException {
        sync();
        String job = status().jobId();
        fixture.write("teams/payments/apps.yaml", Files.readString(repo.resolve("teams/payments/apps.yaml"))
                .replace("cluster: local", "cluster: lcoal"));
        sync();
        assertThat(status().jobId()).isEqualTo(job);
        assertThat(running()).hasSize(1);
        Reconciler.SyncStatus sync = fixture.reconciler.sync();
        assertThat(sync.condition()).isEqualTo("Stalled");
        assertThat(sync.errors()).anySatisfy(e -> assertThat(e).startsWith("teams/payments/apps.yaml:")
                .contains("lcoal").contains("did you mean \"local\""));
        assertThat(sync.appliedRevision()).isNotEqualTo(sync.fetchedRevision());
    }

    @Test
    void aRestartWhileTheConfigFolderIsInvalidKeepsTheRevisionAppliedBeforeInForce() throws IOException {
        sync();
        String applied = fixture.reconciler.sync().appliedRevision();
        fixture.write("teams/payments/apps.yaml", Files.readString(repo.resolve("teams/payments/apps.yaml"))
                .replace("cluster: local", "cluster: lcoal"));
        fixture.restart(false);
        sync();
        assertThat(fixture.reconciler.sync().appliedRevision()).isEqualTo(applied);
        assertThat(fixture.reconciler.sync().reason()).contains("stays in force");

        flink.failJob(new JobId(status().jobId()), "java.lang.OutOfMemoryError: Java heap space");
        sync();
        assertThat(running()).as("restarted as the revision in force says").hasSize(1);
    }

    @Test
    void aFailedSavepointKeepsTheOldJobAndDegradesTheApp() throws IOException {
        sync();
        String job = status().jobId();
        flink.failSavepoints("checkpoint coordinator is shut down");
        setRate("30");
        sync();
        assertThat(running()).singleElement().extracting(j -> j.submission().jobId().hex()).isEqualTo(job);
        assertThat(status().health()).isEqualTo("Degraded");
        assertThat(status().message()).contains("checkpoint coordinator is shut down");
        assertThat(store.savepoints(APP)).isEmpty();

        flink.failSavepoints(null);
        clock.advance(Duration.ofMinutes(5));
        sync();
        assertThat(running()).singleElement().extracting(j -> j.submission().jobId().hex()).isNotEqualTo(job);
        assertThat(status().health()).isEqualTo("Healthy");
    }

    @Test
    void anSqlUpgradeFlinksPlannerRefusesLeavesTheOldJobRunning() throws IOException {
        sync();
        String job = status().jobId();
        flink.refusePlans("line 3, column 8: No match found for function signature SUMM(<NUMERIC>)");
        setRate("20");
        sync();
        assertThat(running()).as("the old job was not stopped").singleElement()
                .extracting(j -> j.submission().jobId().hex()).isEqualTo(job);
        assertThat(store.savepoints(APP)).isEmpty();
        assertThat(status().health()).isEqualTo("Degraded");
        assertThat(status().message()).contains("Flink refuses the new job, so the old one keeps running",
                "sql/orders.sql line 3, column 8: No match found for function signature SUMM(<NUMERIC>)");

        flink.refusePlans(null);
        clock.advance(Duration.ofMinutes(5));
        sync();
        String savepoint = store.savepoints(APP).get(0).path();
        assertThat(running()).as("upgraded once the planner accepts it").singleElement()
                .satisfies(j -> assertThat(j.submission().restoreFrom()).isEqualTo(savepoint));
        assertThat(status().health()).isEqualTo("Healthy");
    }

    @Test
    void anUpgradeWhoseNewJobIsRefusedResumesFromItsSavepointWhenReverted() throws IOException {
        sync();
        String variables = Files.readString(repo.resolve("teams/payments/variables.yaml"));
        flink.failNextSubmit("line 5, column 3: No match found for function signature SUMM(<NUMERIC>)");
        setRate("20");
        sync();
        // the old job stopped with its savepoint, and Flink refused the new one: nothing runs, and the app says why
        assertThat(running()).isEmpty();
        String savepoint = store.savepoints(APP).get(0).path();
        assertThat(status().health()).isEqualTo("Degraded");
        assertThat(status().message()).contains("upgrade failed", "retrying in",
                "sql/orders.sql line 5, column 3: No match found for function signature SUMM(<NUMERIC>)");
        int submits = flink.submitCalls();
        clock.advance(Duration.ofSeconds(5));
        sync();
        assertThat(flink.submitCalls()).as("not tried again before its backoff").isEqualTo(submits);

        fixture.write("teams/payments/variables.yaml", variables);
        sync();
        assertThat(running()).as("the reverted spec, from the savepoint the failed upgrade took").singleElement()
                .satisfies(j -> assertThat(j.submission().restoreFrom()).isEqualTo(savepoint));
        assertThat(status().health()).isEqualTo("Healthy");
    }

    @Test
    void anUpgradeWhoseNewJobIsRefusedOnceIsRetriedFromItsSavepointAfterTheBackoff() throws IOException {
        sync();
        flink.failNextSubmit("JobManager is shutting down");
        setRate("20");
        sync();
        assertThat(running()).isEmpty();
        String savepoint = store.savepoints(APP).get(0).path();

        clock.advance(Duration.ofMinutes(5));
        sync();
        assertThat(running()).as("the new spec, from the savepoint and not from nothing").singleElement()
                .satisfies(j -> assertThat(j.submission().restoreFrom()).isEqualTo(savepoint));
        assertThat(status().health()).isEqualTo("Healthy");
    }

    @Test
    void aJobThatFailsIsRestartedFromItsLastCheckpointWithinTheBudget() throws IOException {
        sync();
        JobId job = new JobId(status().jobId());
        String checkpoint = flink.completeCheckpoint(job).externalPath();
        flink.failJob(job, "java.lang.ArithmeticException: / by zero");
        sync();
        assertThat(running()).singleElement().satisfies(j ->
                assertThat(j.submission().restoreFrom()).isEqualTo(checkpoint));
        for (int i = 0; i < 3; i++) {
            clock.advance(Duration.ofSeconds(61));
            flink.failJob(new JobId(status().jobId()), "boom " + i);
            sync();
        }
        assertThat(running()).isEmpty();
        assertThat(status().health()).isEqualTo("Degraded");
        assertThat(status().message()).contains("reached restartPolicy.maxRestarts");
    }

    @Test
    void aJobThatFailsBeforeItsFirstCheckpointIsRestartedFromTheCheckpointItStartedFrom() throws IOException {
        sync();
        setRate("20"); // an upgrade: a savepoint older than the checkpoint below
        sync();
        clock.advance(Duration.ofMinutes(1));
        String checkpoint = flink.completeCheckpoint(new JobId(status().jobId())).externalPath();
        flink.failJob(new JobId(status().jobId()), "java.lang.ArithmeticException: / by zero");
        sync();
        clock.advance(Duration.ofSeconds(61));
        flink.failJob(new JobId(status().jobId()), "java.lang.ArithmeticException: / by zero, before any checkpoint");
        sync();
        assertThat(running()).singleElement().satisfies(j -> assertThat(j.submission().restoreFrom())
                .as("not the older savepoint, nor nothing").isEqualTo(checkpoint));
    }

    @Test
    void aSecondLastStateUpgradeBeforeTheFirstCheckpointStartsFromTheCheckpointTheFirstUsed() throws IOException {
        String apps = Files.readString(repo.resolve("teams/payments/apps.yaml"));
        fixture.write("teams/payments/apps.yaml", apps.replace("spec:\n", "spec:\n  upgradeMode: last-state\n"));
        sync();
        clock.advance(Duration.ofMinutes(1));
        String checkpoint = flink.completeCheckpoint(new JobId(status().jobId())).externalPath();
        setRate("20");
        sync();
        String first = status().jobId();
        setRate("30"); // before the new job has a checkpoint of its own
        sync();
        assertThat(running()).singleElement().satisfies(j -> {
            assertThat(j.submission().jobId().hex()).as("upgraded again").isNotEqualTo(first);
            assertThat(j.submission().restoreFrom()).as("the state the first upgrade carried over").isEqualTo(checkpoint);
        });
    }

    @Test
    void pastItsRestartBudgetAJobStartsAgainOnceGitChangesItsSpec() throws IOException {
        sync();
        String checkpoint = null;
        for (int i = 0; i < 4; i++) {
            clock.advance(Duration.ofSeconds(61));
            JobId job = new JobId(status().jobId());
            checkpoint = flink.completeCheckpoint(job).externalPath();
            flink.failJob(job, "java.lang.ArithmeticException: / by zero");
            sync();
        }
        assertThat(running()).isEmpty();
        assertThat(status().message()).contains("reached restartPolicy.maxRestarts");
        String lastCheckpoint = checkpoint;

        setRate("20"); // the fix, pushed within the restart window
        sync();
        assertThat(running()).as("the new spec, at once, from the failed job's last checkpoint").singleElement()
                .satisfies(j -> assertThat(j.submission().restoreFrom()).isEqualTo(lastCheckpoint));
        assertThat(status().health()).isEqualTo("Healthy");
    }

    @Test
    void aSubmitWhoseAnswerIsLostIsFinishedFromWhatFlinkReportsNotSubmittedAgain() {
        flink.loseNextSubmitAnswer();
        sync();
        assertThat(running()).as("the job Flink started though its answer was lost, and no other").singleElement()
                .satisfies(j -> assertThat(status().jobId()).isEqualTo(j.submission().jobId().hex()));
        assertThat(flink.submitCalls()).isEqualTo(1);
        assertThat(store.openOperations()).isEmpty();
        assertThat(store.events(APP, 10)).extracting(AppEvent::type).contains("deploy-interrupted");
    }

    @Test
    void aSubmitWhoseAnswerIsLostIsFinishedOnItsClusterThoughGitMovedTheAppMeanwhile() throws IOException {
        TestingFlinkTarget other = secondCluster();
        flink.loseNextSubmitAnswer();
        for (int pass = 0; pass < 4 && store.operations(APP, 1).isEmpty(); pass++) {
            fixture.passes(1); // until the pass that deploys, whose recovery is the next pass's
            awaitOperations();
        }
        assertThat(store.openOperations()).as("the deploy waits to be finished from what Flink says").hasSize(1);

        String apps = Files.readString(repo.resolve("teams/payments/apps.yaml"));
        fixture.write("teams/payments/apps.yaml", apps.replace("cluster: local", "cluster: local-2"));
        fixture.restart(false);
        sync();

        assertThat(flink.submitCalls()).as("not submitted twice").isEqualTo(1);
        assertThat(running()).as("the job found where it was submitted, then moved").isEmpty();
        assertThat(other.running()).singleElement()
                .satisfies(j -> assertThat(j.submission().restoreFrom()).isEqualTo(flink.savepointsTaken().get(0)));
        assertThat(store.operations(APP, 10)).extracting(Operation::kind).containsExactly("resume", "suspend", "deploy");
        assertThat(store.operations(APP, 10).get(2).cluster()).isEqualTo("local");
    }

    @Test
    void anUpgradeWhoseSubmitAnswerIsLostKeepsTheNewJobFromItsSavepoint() throws IOException {
        sync();
        String old = status().jobId();
        setRate("40");
        flink.loseNextSubmitAnswer();
        sync();
        String savepoint = flink.savepointsTaken().get(0);
        assertThat(running()).singleElement().satisfies(j -> {
            assertThat(j.submission().restoreFrom()).isEqualTo(savepoint);
            assertThat(status().jobId()).isEqualTo(j.submission().jobId().hex()).isNotEqualTo(old);
        });
        assertThat(store.savepoints(APP)).extracting(SavepointRecord::path).containsExactly(savepoint);
        assertThat(store.openOperations()).isEmpty();
    }

    @Test
    void anUnreachableClusterMakesTheJobLostAndNothingIsDeployedTwice() throws IOException {
        sync();
        int submits = flink.submitCalls();
        flink.setUnreachable(true);
        sync();
        assertThat(status().health()).isEqualTo("Unknown");
        flink.setUnreachable(false);
        sync();
        assertThat(flink.submitCalls()).isEqualTo(submits);
        assertThat(running()).hasSize(1);
        assertThat(status().health()).isEqualTo("Healthy");
    }

    /**
     * Deploys, changes the spec, and leaves what a crash right after Flink accepted the stop leaves:
     * the intent and the trigger recorded, no savepoint path; {@link ReconcilerFixture#restart} then
     * closes the reconciler.
     */
    private void crashAfterTheStopOfAnUpgrade() throws IOException {
        sync();
        String old = status().jobId();
        setRate("40");
        String trigger = flink.stopWithSavepoint(new JobId(old), null, false);
        io.tributary.model.DesiredState head = new ConfigLoader().load(repo).state();
        String headHash = io.tributary.plan.SpecHash.of(head.applications().get(0), head);
        Operation open = store.begin(Operation.open(APP, "upgrade", "dir@sha256:" + "0".repeat(64), headHash, old,
                "tributary"));
        store.update(open.withTriggerId(trigger).withStep("stopping"));
    }

    @Test
    void anUpgradeInterruptedAfterItsSavepointFinishesAfterARestart() throws IOException {
        crashAfterTheStopOfAnUpgrade();

        fixture.restart(false);
        sync();
        String savepoint = flink.savepointsTaken().get(0);
        assertThat(store.savepoints(APP)).extracting(SavepointRecord::path).containsExactly(savepoint);
        assertThat(running()).singleElement().satisfies(j ->
                assertThat(j.submission().restoreFrom()).isEqualTo(savepoint));
        assertThat(store.openOperations()).isEmpty();
    }

    @Test
    void anUpgradeInterruptedAfterItsSavepointWhoseNewJobIsRefusedAtRestartResumesFromTheSavepoint()
            throws IOException {
        crashAfterTheStopOfAnUpgrade();

        fixture.restart(false);
        flink.failNextSubmit("JobManager is shutting down");
        sync();
        String savepoint = flink.savepointsTaken().get(0);
        // the old job is stopped and its successor refused: nothing may start without the savepoint meanwhile
        assertThat(running()).isEmpty();
        assertThat(status().jobId()).as("no current job: the stopped old one is not a finished job").isNull();
        assertThat(status().health()).isEqualTo("Degraded");
        assertThat(store.events(APP, 10)).filteredOn(e -> e.type().equals("upgrade-failed")).singleElement()
                .satisfies(e -> assertThat(e.message()).contains("after an interruption", "JobManager is shutting down"));

        clock.advance(Duration.ofMinutes(5));
        sync();
        assertThat(running()).as("the new spec, from the savepoint the interrupted upgrade took").singleElement()
                .satisfies(j -> assertThat(j.submission().restoreFrom()).isEqualTo(savepoint));
        assertThat(store.savepoints(APP)).extracting(SavepointRecord::path).containsExactly(savepoint);
        assertThat(status().health()).isEqualTo("Healthy");
    }

    /**
     * As {@link #crashAfterTheStopOfAnUpgrade}, then what a crash right after the new job's run call
     * leaves: the new JobID recorded with the stop, the job in Flink from the savepoint, nothing more.
     *
     * @return the new job's JobID
     */
    private JobId crashAfterTheSubmitOfAnUpgrade() throws IOException {
        crashAfterTheStopOfAnUpgrade();
        Operation open = store.openOperations().get(0);
        JobId next = JobId.random();
        store.update(open.withNewJobId(next.hex()));
        flink.submit(new JobSubmission(next, Path.of("job.jar"), "io.tributary.sql.SqlRunner", List.of(), 1,
                flink.savepointsTaken().get(0), false, Map.of()));
        return next;
    }

    @Test
    void anUpgradeInterruptedAfterItsSubmitKeepsTheNewJobAndRecordsTheSavepointItRestoredFrom() throws IOException {
        JobId next = crashAfterTheSubmitOfAnUpgrade();
        String savepoint = flink.savepointsTaken().get(0);
        // a JobManager restarted meanwhile knows neither the stopped job nor its savepoint's trigger
        flink.forgetJob(new JobId(store.openOperations().get(0).oldJobId()));

        fixture.restart(false);
        sync();
        assertThat(running()).as("the job submitted before the crash, not a second one").singleElement()
                .satisfies(j -> assertThat(j.submission().jobId()).isEqualTo(next));
        assertThat(status().jobId()).isEqualTo(next.hex());
        assertThat(store.savepoints(APP)).extracting(SavepointRecord::path).containsExactly(savepoint);
        assertThat(store.deployments(APP, 10)).filteredOn(d -> d.jobId().equals(next.hex())).singleElement()
                .satisfies(d -> assertThat(d.restoredFrom()).isEqualTo(savepoint));
        assertThat(store.openOperations()).isEmpty();
    }

    @Test
    void anInterruptedUpgradeWhoseClusterIsSilentAtRestartWaitsForItInsteadOfStartingASecondJob() throws IOException {
        JobId next = crashAfterTheSubmitOfAnUpgrade();
        String savepoint = flink.savepointsTaken().get(0);
        int submits = flink.submitCalls();
        flink.setUnreachable(true);

        fixture.restart(false);
        sync();
        sync();
        assertThat(store.openOperations()).as("left open while Flink cannot say what happened").hasSize(1);
        assertThat(store.events(APP, 5)).extracting(AppEvent::type).contains("recovery-waiting");
        assertThatThrownBy(() -> new Overrides(fixture.reconciler, clock).savepoint(APP, "alice", "before the fix"))
                .as("no second operation beside the open one").isInstanceOf(Overrides.Refused.class)
                .hasMessageContaining("waits for its cluster to answer");
        assertThat(store.auditEvents(10)).as("a refused savepoint is not audited: nothing was done")
                .noneMatch(a -> "alice".equals(a.actor()));
        assertThat(store.events(APP, 10)).extracting(AppEvent::type).doesNotContain("override");

        flink.setUnreachable(false);
        sync();
        assertThat(store.openOperations()).as("not asked again before the retry is due").hasSize(1);
        clock.advance(Reconciler.RECOVERY_RETRY);
        sync();
        assertThat(flink.submitCalls()).as("no job submitted since the crash").isEqualTo(submits);
        assertThat(running()).singleElement().satisfies(j -> assertThat(j.submission().jobId()).isEqualTo(next));
        assertThat(store.savepoints(APP)).extracting(SavepointRecord::path).containsExactly(savepoint);
        assertThat(store.openOperations()).isEmpty();
    }

    @Test
    void anOperatorStopWhileTheAppWaitsForItsRecoveryIsDoneOnceTheRecoveryEnds() throws IOException {
        JobId next = crashAfterTheSubmitOfAnUpgrade();
        flink.setUnreachable(true);
        fixture.restart(false);
        sync();

        // not refused: the pin holds the stop until the interrupted upgrade is finished
        new Overrides(fixture.reconciler, clock).stop(APP, "dave", "incident 43: downstream is down", false, false);
        assertThat(store.openOperations()).as("no second operation beside the open one").hasSize(1);

        flink.setUnreachable(false);
        clock.advance(Reconciler.RECOVERY_RETRY);
        sync();
        assertThat(running()).as("the upgrade's new job, kept by the recovery, then stopped as pinned").isEmpty();
        assertThat(flink.fake(next)).hasValueSatisfying(j -> assertThat(j.state()).isEqualTo(JobState.FINISHED));
        assertThat(status().health()).isEqualTo("Suspended");
        assertThat(status().message()).startsWith("pinned suspended by dave");
        assertThat(store.openOperations()).isEmpty();
    }

    @Test
    void aSavepointStillInProgressAtRestartHoldsOnlyItsOwnApp() throws Exception {
        sync();
        flink.holdSavepoints(true);
        crashAfterTheStopOfAnUpgrade();
        fixture.write("teams/payments/refunds.yaml", """
                apiVersion: tributary.io/v1
                kind: Application
                metadata: {name: refunds, team: payments}
                spec:
                  deployment: {mode: standalone-session, cluster: local}
                  job:
                    type: sql
                    sql: {file: sql/orders.sql}
                """);

        fixture.restart(false);
        Thread pass = new Thread(() -> fixture.passes(1));
        pass.start();
        try {
            long deadline = System.nanoTime() + Duration.ofSeconds(1).toNanos();
            while (store.status("payments/refunds").isEmpty() && System.nanoTime() < deadline) {
                Thread.sleep(10);
            }
            assertThat(store.status("payments/refunds")).as("the other app, deployed while the savepoint is taken")
                    .isPresent();
        } finally {
            flink.completeHeldSavepoints();
            pass.join();
        }
        sync();
        String savepoint = flink.savepointsTaken().get(0);
        assertThat(running()).extracting(j -> j.submission().restoreFrom()).containsExactlyInAnyOrder(savepoint, null);
        assertThat(store.openOperations()).isEmpty();
    }

    @Test
    void anUpgradeInterruptedAfterItsSavepointWaitsForItsManagedClusterToBeAdopted() throws IOException {
        crashAfterTheStopOfAnUpgrade();

        // a restarted service: the managed cluster runs on, but this one has not adopted it yet
        fixture.restart(true);
        sync();
        assertThat(fixture.testingClusters().calls).containsExactly("start local");
        String savepoint = flink.savepointsTaken().get(0);
        assertThat(running()).singleElement().satisfies(j ->
                assertThat(j.submission().restoreFrom()).isEqualTo(savepoint));
        assertThat(store.openOperations()).isEmpty();
    }

    @Test
    void aYarnAppWithoutAHadoopConfigurationGetsNoOperationAndSaysWhatToSet() throws IOException {
        Path missing = temp.resolve("no-hadoop-conf");
        String ledger = """
                apiVersion: tributary.io/v1
                kind: Application
                metadata: {name: ledger, team: payments}
                spec:
                  state: %s
                  deployment:
                    mode: yarn-application
                    yarn: {hadoopConfDir: "%s"}
                  job:
                    type: jar
                    jar: {maven: "com.example:ledger:1.0", entryClass: com.example.Ledger}
                """;
        fixture.write("teams/payments/ledger.yaml", ledger.formatted("running", missing));
        sync();
        AppStatus status = store.status("payments/ledger").orElseThrow();
        assertThat(status.health()).isEqualTo("Degraded");
        assertThat(status.message()).startsWith("not deployed: spec.deployment.yarn.hadoopConfDir " + missing
                + " is not a folder on the service's host").contains("HADOOP_CONF_DIR");
        assertThat(store.operations("payments/ledger", 10)).as("no deploy that would fail the same way").isEmpty();

        Files.createDirectories(missing);
        sync();
        assertThat(store.status("payments/ledger").orElseThrow().message()).contains("has no yarn-site.xml");

        fixture.write("teams/payments/ledger.yaml", ledger.formatted("suspended", missing));
        sync();
        status = store.status("payments/ledger").orElseThrow();
        assertThat(status.health()).isEqualTo("Suspended");
        assertThat(status.message()).startsWith("suspended; to run it: spec.deployment.yarn.hadoopConfDir");
    }
}
