package io.tributary.apply;

import static org.assertj.core.api.Assertions.assertThat;

import io.tributary.flink.ApplicationClusterTarget;
import io.tributary.flink.DeploymentTarget;
import io.tributary.flink.FlinkTestSupport;
import io.tributary.flink.JobId;
import io.tributary.flink.LocalCluster;
import io.tributary.flink.MiniYarn;
import io.tributary.store.AppEvent;
import io.tributary.store.AppStatus;
import io.tributary.store.Operation;
import io.tributary.store.SavepointRecord;
import io.tributary.store.Store;
import java.io.IOException;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Duration;
import java.util.Comparator;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.function.BooleanSupplier;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * A {@code yarn-application} app driven by the reconciler from a config folder onto the shared
 * MiniYARNCluster ({@link MiniYarn}): it is deployed and runs; its YARN application is killed from
 * outside; the reconciler sees the job FAILED with YARN's diagnostics and its restart policy brings it
 * back in a new YARN application, from the newest checkpoint the killed job left in its checkpoint
 * directory in HDFS (newer than the app's last savepoint), with the restart recorded as an event.
 * Heavy: run it alone, with {@code YarnAppClustersIT} (same minicluster).
 */
class YarnReconcilerIT {
    private static final String APP = "payments/ledger";
    private static final String EXAMPLE = "org.apache.flink:flink-examples-streaming:1.20.0";
    private static final String ENTRY_CLASS = "org.apache.flink.streaming.examples.statemachine.StateMachineExample";

    @TempDir
    Path temp;

    private MiniYarn yarn;
    private ReconcilerFixture fixture;
    private Store store;
    private Clusters clusters;
    private Reconciler reconciler;
    /** The app's checkpoint directory, in the minicluster's HDFS. */
    private String checkpoints;
    private final List<AppEvent> events = new CopyOnWriteArrayList<>();

    @BeforeEach
    void setUp() throws IOException {
        yarn = MiniYarn.shared(FlinkTestSupport.sharedRepository());
        ReconcilerFixture.Builder setup = ReconcilerFixture.in(temp)
                .onEvent(events::add)
                .clusters(LocalCluster.Options.defaults(), Duration.ofMinutes(3), Duration.ofMillis(500))
                .savepoints(Duration.ofMinutes(2), Duration.ofMillis(200));
        setup.delete("platform/clusters.yaml"); // no session cluster: the app brings its own
        Path state = yarn.dir("reconciler-state");
        checkpoints = yarn.hdfsDir("reconciler-state/checkpoints");
        setup.write("teams/payments/apps.yaml", """
                apiVersion: tributary.io/v1
                kind: Application
                metadata: {name: ledger, team: payments}
                spec:
                  flinkVersion: flink-1.20
                  deployment:
                    mode: yarn-application
                    yarn: {hadoopConfDir: "%s"}
                  job:
                    type: jar
                    jar:
                      maven: "%s"
                      entryClass: %s
                      args: ["--sleep", "20"]
                  checkpoints: {interval: 2s, directory: "%s"}
                  savepoints: {directory: "%s"}
                  restartPolicy: {maxRestarts: 3, window: 10m, from: last-checkpoint}
                  flinkConfiguration:
                    jobmanager.memory.process.size: 1024m
                    taskmanager.memory.process.size: 1024m
                    web.refresh-interval: "200"
                    yarn.provided.lib.dirs: "%s"
                """.formatted(yarn.hadoopConfDir(), EXAMPLE, ENTRY_CLASS, checkpoints,
                state.resolve("savepoints").toUri(), yarn.providedLib("1.20.1", FlinkTestSupport.sharedRepository())));
        fixture = setup.build();
        store = fixture.store;
        clusters = fixture.clusters();
        reconciler = fixture.reconciler;
    }

    @AfterEach
    void tearDown() {
        try {
            clusters.appTarget(APP).ifPresent(t -> ((ApplicationClusterTarget) t).delete()); // the YARN application
        } finally {
            fixture.close();
        }
    }

    @Test
    void aYarnApplicationKilledFromOutsideIsRestartedByItsPolicyFromItsNewestCheckpoint() {
        reconcileUntil("the app's job runs in YARN", Duration.ofMinutes(4), () -> jobState().equals("RUNNING"));
        String first = status().jobId();
        assertThat(status().cluster()).isEqualTo("app:" + APP);
        List<String> applications = yarn.running(APP);
        assertThat(applications).as("one YARN application, named after the app").hasSize(1);
        DeploymentTarget flink = clusters.appTarget(APP).orElseThrow();

        new Overrides(reconciler, Clock.systemUTC()).savepoint(APP, "alice", "before the outage drill");
        reconcileUntil("the manual savepoint is recorded", Duration.ofMinutes(2),
                () -> store.savepoints(APP).stream().anyMatch(s -> s.kind().equals("manual")));
        SavepointRecord savepoint = store.savepoints(APP).stream().filter(s -> s.kind().equals("manual"))
                .findFirst().orElseThrow();
        reconcileUntil("a checkpoint after the savepoint", Duration.ofMinutes(2),
                () -> flink.checkpoints(new JobId(first)).latestCompleted()
                        .filter(c -> !c.savepoint() && c.time().isAfter(savepoint.createdAt())).isPresent());

        yarn.kill(applications.get(0));
        reconcileUntil("a new job runs after the kill", Duration.ofMinutes(4),
                () -> !first.equals(status().jobId()) && jobState().equals("RUNNING"));

        String newest = checkpoints + "/" + first + "/" + yarn.foldersHolding(checkpoints + "/" + first, "_metadata")
                .stream().max(Comparator.comparingLong(chk -> Long.parseLong(chk.substring("chk-".length()))))
                .orElseThrow();
        Operation restart = store.operations(APP, 10).stream().filter(o -> o.kind().equals("restart")).findFirst()
                .orElseThrow();
        assertThat(restart.status()).isEqualTo(Operation.DONE);
        assertThat(restart.oldJobId()).isEqualTo(first);
        assertThat(restart.restoreFrom()).as("the killed job's newest checkpoint on disk, not the older savepoint")
                .isEqualTo(newest).isNotEqualTo(savepoint.path());
        assertThat(events).anySatisfy(e -> {
            assertThat(e.type()).isEqualTo("restart");
            assertThat(e.message()).contains(restart.newJobId()).contains(newest);
        });
        List<String> now = yarn.running(APP);
        assertThat(now).as("a new YARN application").hasSize(1).doesNotContain(applications.get(0));
        assertThat(yarn.state(applications.get(0))).isEqualTo("KILLED");
        assertThat(flink.checkpoints(new JobId(status().jobId())).restored())
                .as("the state continues from that checkpoint")
                .hasValueSatisfying(r -> assertThat(r.externalPath()).isEqualTo(newest));
    }

    private AppStatus status() {
        return store.status(APP).orElseThrow();
    }

    private String jobState() {
        return store.status(APP).map(AppStatus::jobState).orElse("");
    }

    private void reconcileUntil(String what, Duration timeout, BooleanSupplier condition) {
        fixture.reconcileUntil(what, timeout, condition, () -> "status " + store.status(APP) + ", operations "
                + store.operations(APP, 3) + ", events " + events);
    }
}
