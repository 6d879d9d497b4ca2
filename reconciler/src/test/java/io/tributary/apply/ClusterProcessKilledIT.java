package io.tributary.apply;

import static org.assertj.core.api.Assertions.assertThat;

import io.tributary.flink.DeploymentTarget;
import io.tributary.flink.FlinkRest.Checkpoint;
import io.tributary.flink.FlinkRest.Failure;
import io.tributary.flink.JobId;
import io.tributary.flink.LocalCluster;
import io.tributary.model.Cluster;
import io.tributary.model.JobState;
import io.tributary.store.AppEvent;
import io.tributary.store.AppStatus;
import io.tributary.store.Operation;
import io.tributary.store.SavepointRecord;
import io.tributary.store.Store;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.Optional;
import java.util.function.BooleanSupplier;
import java.util.stream.Stream;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Processes of a managed local cluster killed with {@code kill -9} under a stateful SQL job that
 * checkpoints every second. The cluster runs without Flink HA: a JobManager killed is started again
 * by the watchdog, but the new one does not know the jobs, so the app comes back from the newest
 * checkpoint its lost job completed (read from the checkpoint directory), not from nothing or an
 * older savepoint, and its history says so. A TaskManager killed is Flink's to handle: it restarts
 * the job per its restart strategy once the watchdog brought a TaskManager back, and the app's
 * history shows that restart.
 */
class ClusterProcessKilledIT {
    private static final String APP = "payments/orders";

    @TempDir
    Path temp;

    private ReconcilerFixture fixture;
    private Store store;
    private Clusters clusters;
    private Path checkpoints;

    @BeforeEach
    void setUp() throws IOException {
        checkpoints = Files.createDirectories(temp.resolve("checkpoints"));
        ReconcilerFixture.Builder setup = ReconcilerFixture.in(temp);
        setup.write("sql/orders.sql", """
                CREATE TABLE orders (id BIGINT) WITH ('connector' = 'datagen', 'rows-per-second' = '${orders_rate}');
                CREATE TABLE totals (bucket BIGINT, n BIGINT) WITH ('connector' = 'blackhole');
                INSERT INTO totals SELECT id % 16, COUNT(*) FROM orders GROUP BY id % 16;
                """);
        setup.write("teams/payments/apps.yaml", """
                apiVersion: tributary.io/v1
                kind: Application
                metadata: {name: orders, team: payments}
                spec:
                  deployment: {mode: standalone-session, cluster: local}
                  job:
                    type: sql
                    sql: {file: sql/orders.sql}
                  checkpoints: {interval: 1s, directory: "%s"}
                """.formatted(checkpoints.toUri()));
        fixture = setup.build();
        store = fixture.store;
        clusters = fixture.clusters();
    }

    @AfterEach
    void tearDown() {
        fixture.close();
    }

    @Test
    void aKilledJobManagerBringsTheJobBackFromItsLatestCompletedCheckpoint() throws Exception {
        reconcileUntil("the job runs", Duration.ofMinutes(4), () -> running().isPresent());
        String lost = running().orElseThrow().jobId();
        reconcileUntil("a checkpoint completes", Duration.ofMinutes(2),
                () -> newestCompleted(lost).filter(n -> n >= 2).isPresent());

        LocalCluster local = clusters.local(localCluster().id().qualifiedName()).orElseThrow();
        long jobManager = local.jobManagerPid();
        Process kill = new ProcessBuilder("kill", "-9", String.valueOf(jobManager)).inheritIO().start();
        assertThat(kill.waitFor()).isZero();
        // the JobManager is gone: no checkpoint of the lost job completes any more, this one is the newest
        awaitDead(jobManager);
        long newest = newestCompleted(lost).orElseThrow();
        String chk = checkpoints.resolve(lost).resolve("chk-" + newest).toString();

        reconcileUntil("a new job runs", Duration.ofMinutes(4),
                () -> running().filter(s -> !s.jobId().equals(lost)).isPresent());
        String next = running().orElseThrow().jobId();
        assertThat(local.jobManagerPid()).as("the watchdog started a new JobManager").isNotEqualTo(jobManager);

        Operation restart = store.operations(APP, 10).stream().filter(o -> o.kind().equals("restart")).findFirst()
                .orElseThrow();
        assertThat(restart.status()).isEqualTo(Operation.DONE);
        assertThat(restart.oldJobId()).isEqualTo(lost);
        assertThat(restart.newJobId()).isEqualTo(next);
        assertThat(restart.restoreFrom()).as("restored from the lost job's newest checkpoint").isEqualTo("file:" + chk);

        // Flink says so too: the new job was restored from that checkpoint
        reconcileUntil("Flink reports the restore", Duration.ofMinutes(1),
                () -> target().checkpoints(new JobId(next)).restored().isPresent());
        Checkpoint restored = target().checkpoints(new JobId(next)).restored().orElseThrow();
        assertThat(restored.externalPath()).endsWith(chk);
        assertThat(restored.id()).isEqualTo(newest);

        // and the app's history: the checkpoint beside its savepoints, the restart's event naming it
        assertThat(store.savepoints(APP)).anySatisfy(s -> {
            assertThat(s.kind()).isEqualTo("checkpoint");
            assertThat(s.path()).isEqualTo("file:" + chk);
            assertThat(s.jobId()).isEqualTo(lost);
        });
        assertThat(store.events(APP, 20)).extracting(AppEvent::message)
                .anySatisfy(m -> assertThat(m).contains("job " + next).contains("from file:" + chk));
        assertThat(store.savepoints(APP)).extracting(SavepointRecord::kind).doesNotContain("savepoint", "periodic");
    }

    @Test
    void aKilledTaskManagerIsRecoveredByFlinkAndTheAppsHistoryShowsTheRestart() throws Exception {
        reconcileUntil("the job runs", Duration.ofMinutes(4), () -> running().isPresent());
        String job = running().orElseThrow().jobId();
        reconcileUntil("a checkpoint completes", Duration.ofMinutes(2),
                () -> newestCompleted(job).isPresent());
        reconcileUntil("the app is healthy", Duration.ofMinutes(1),
                () -> running().filter(s -> "Healthy".equals(s.health())).isPresent());

        LocalCluster local = clusters.local(localCluster().id().qualifiedName()).orElseThrow();
        long taskManager = local.taskManagerPids().get(0);
        Process kill = new ProcessBuilder("kill", "-9", String.valueOf(taskManager)).inheritIO().start();
        assertThat(kill.waitFor()).isZero();

        List<String> seen = new ArrayList<>();
        reconcileUntil("Flink's restart of the job is recorded", Duration.ofMinutes(3), () -> {
            store.status(APP).ifPresent(s -> seen.add(s.jobState() + "/" + s.health()));
            return store.events(APP, 20).stream().anyMatch(e -> e.type().equals("job-restarted"));
        });
        AppEvent restarted = store.events(APP, 20).stream().filter(e -> e.type().equals("job-restarted"))
                .findFirst().orElseThrow();
        assertThat(restarted.severity()).isEqualTo("warning");
        assertThat(restarted.message()).contains("Flink restarted job " + job).contains("restart strategy");
        assertThat(target().exceptions(new JobId(job)).history()).as("the event names a failure Flink restarted it after")
                .extracting(Failure::summary).anySatisfy(failure -> assertThat(restarted.message()).contains(failure));

        reconcileUntil("the app is healthy again", Duration.ofMinutes(3), () -> {
            store.status(APP).ifPresent(s -> seen.add(s.jobState() + "/" + s.health()));
            return running().filter(s -> "Healthy".equals(s.health())).isPresent()
                    && target().job(new JobId(job)).map(j -> j.state() == JobState.RUNNING).orElse(false);
        });
        System.out.println("app states seen after the TaskManager was killed: " + seen);
        assertThat(running().orElseThrow().jobId()).as("Flink restarted the same job; Tributary started none")
                .isEqualTo(job);
        assertThat(store.operations(APP, 10)).extracting(Operation::kind).containsOnly("deploy");
        assertThat(local.taskManagerPids().get(0)).as("the watchdog started a new TaskManager").isNotEqualTo(taskManager);
    }

    private Optional<AppStatus> running() {
        return store.status(APP).filter(s -> JobState.RUNNING.name().equals(s.jobState()));
    }

    /** The highest chk-N of the job whose metadata file was written, as the file system shows it. */
    private Optional<Long> newestCompleted(String job) {
        Path dir = checkpoints.resolve(job);
        if (!Files.isDirectory(dir)) {
            return Optional.empty();
        }
        try (Stream<Path> entries = Files.list(dir)) {
            return entries.filter(p -> p.getFileName().toString().matches("chk-\\d+"))
                    .filter(p -> Files.isRegularFile(p.resolve("_metadata")))
                    .map(p -> Long.parseLong(p.getFileName().toString().substring(4)))
                    .max(Comparator.naturalOrder());
        } catch (IOException e) {
            return Optional.empty();
        }
    }

    private static void awaitDead(long pid) throws InterruptedException {
        while (ProcessHandle.of(pid).map(ProcessHandle::isAlive).orElse(false)) {
            Thread.sleep(50);
        }
    }

    private Cluster localCluster() {
        return fixture.cluster("local");
    }

    private DeploymentTarget target() {
        return fixture.target("local");
    }

    private void reconcileUntil(String what, Duration timeout, BooleanSupplier condition) {
        fixture.reconcileUntil(what, timeout, condition,
                () -> "status " + store.status(APP) + ", events " + store.events(APP, 5));
    }
}
