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
import java.util.stream.Collectors;
import java.util.stream.Stream;
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
 * Switching the app from yarn-application to yarn-per-job is an upgrade with a savepoint into a new YARN
 * application. Heavy: run it alone, with {@code YarnAppClustersIT} (same minicluster).
 */
class YarnReconcilerIT {
    private static final String APP = "payments/ledger";
    private static final String SESSION = "yarn-shared";
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
    void setUp() {
        yarn = MiniYarn.shared(FlinkTestSupport.sharedRepository());
        checkpoints = yarn.hdfsDir("reconciler-state/checkpoints");
    }

    /** The reconciler over a config folder whose only Flink is in YARN: {@code files} (path, then YAML), no local cluster. */
    private void start(String... files) throws IOException {
        ReconcilerFixture.Builder setup = ReconcilerFixture.in(temp)
                .onEvent(events::add)
                .clusters(LocalCluster.Options.defaults(), Duration.ofMinutes(3), Duration.ofMillis(500))
                .savepoints(Duration.ofMinutes(2), Duration.ofMillis(200));
        setup.delete("platform/clusters.yaml");
        for (int i = 0; i < files.length; i += 2) {
            setup.write(files[i], files[i + 1]);
        }
        fixture = setup.build();
        store = fixture.store;
        clusters = fixture.clusters();
        reconciler = fixture.reconciler;
    }

    /**
     * An app of the state-machine example: checkpoints every 2 s to HDFS, restarts from the last
     * checkpoint; with {@code ownCluster}, the Flink options of the cluster it brings.
     */
    private String app(String name, String deployment, boolean ownCluster) {
        return """
                apiVersion: tributary.io/v1
                kind: Application
                metadata: {name: %s, team: payments}
                spec:
                  flinkVersion: flink-1.20
                  deployment: %s
                  job:
                    type: jar
                    jar:
                      maven: "%s"
                      entryClass: %s
                      args: ["--sleep", "20"]
                  checkpoints: {interval: 2s, directory: "%s"}
                  savepoints: {directory: "%s"}
                  restartPolicy: {maxRestarts: 3, window: 10m, from: last-checkpoint}
                %s""".formatted(name, deployment, EXAMPLE, ENTRY_CLASS, checkpoints,
                yarn.dir("reconciler-state").resolve("savepoints").toUri(),
                ownCluster ? "  flinkConfiguration:\n" + clusterOptions("    ") : "");
    }

    /** Small containers, a fast REST cache, and lib/ from HDFS; indented for a {@code flinkConfiguration} block. */
    private String clusterOptions(String indent) {
        return Stream.of("jobmanager.memory.process.size: 1024m", "taskmanager.memory.process.size: 1024m",
                "web.refresh-interval: \"200\"",
                "yarn.provided.lib.dirs: \"" + yarn.providedLib("1.20.1", FlinkTestSupport.sharedRepository()) + "\"")
                .map(line -> indent + line + "\n").collect(Collectors.joining());
    }

    @AfterEach
    void tearDown() {
        try {
            clusters.appTarget("yarn-app:" + APP).ifPresent(t -> ((ApplicationClusterTarget) t).delete()); // the YARN application
            yarn.running(SESSION).forEach(yarn::kill);
        } finally {
            fixture.close();
        }
    }

    @Test
    void aYarnApplicationKilledFromOutsideIsRestartedByItsPolicyFromItsNewestCheckpoint() throws IOException {
        start("teams/payments/apps.yaml", app("ledger",
                "{mode: yarn-application, yarn: {hadoopConfDir: \"" + yarn.hadoopConfDir() + "\"}}", true));
        reconcileUntil("the app's job runs in YARN", Duration.ofMinutes(4), () -> jobState().equals("RUNNING"));
        String first = status().jobId();
        assertThat(status().cluster()).isEqualTo("yarn-app:" + APP);
        List<String> applications = yarn.running(APP);
        assertThat(applications).as("one YARN application, named after the app").hasSize(1);
        DeploymentTarget flink = clusters.appTarget("yarn-app:" + APP).orElseThrow();

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

        String newest = newestCheckpoint(first);
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

    @Test
    void anAppSwitchedFromYarnApplicationToYarnPerJobIsUpgradedWithASavepointIntoANewYarnApplication()
            throws IOException {
        String yarnConf = "yarn: {hadoopConfDir: \"" + yarn.hadoopConfDir() + "\"}";
        start("teams/payments/apps.yaml", app("ledger", "{mode: yarn-application, " + yarnConf + "}", true));
        reconcileUntil("the app's job runs in YARN", Duration.ofMinutes(4), () -> jobState().equals("RUNNING"));
        String first = status().jobId();
        List<String> applications = yarn.running(APP);

        fixture.write("teams/payments/apps.yaml", app("ledger", "{mode: yarn-per-job, " + yarnConf + "}", true));
        reconcileUntil("a new job runs in per-job mode", Duration.ofMinutes(5),
                () -> !first.equals(status().jobId()) && jobState().equals("RUNNING"));

        Operation upgrade = store.operations(APP, 10).stream().filter(o -> o.kind().equals("upgrade")).findFirst()
                .orElseThrow();
        SavepointRecord savepoint = store.savepoints(APP).stream().filter(s -> s.kind().equals("savepoint"))
                .findFirst().orElseThrow();
        assertThat(upgrade.status()).isEqualTo(Operation.DONE);
        assertThat(upgrade.oldJobId()).isEqualTo(first);
        assertThat(upgrade.restoreFrom()).isEqualTo(savepoint.path());
        assertThat(status().deploymentMode()).isEqualTo("yarn-per-job");
        assertThat(status().cluster()).isEqualTo("yarn-app:" + APP);
        assertThat(yarn.running(APP)).as("the old YARN application ended with its job; one new one")
                .hasSize(1).doesNotContain(applications.get(0));
        assertThat(clusters.appTarget("yarn-app:" + APP).orElseThrow().checkpoints(new JobId(status().jobId()))
                .restored()).as("the state continues from the savepoint")
                .hasValueSatisfying(r -> assertThat(r.externalPath()).isEqualTo(savepoint.path()));
    }

    @Test
    void aManagedYarnSessionKilledFromOutsideIsDeployedAgainAndItsJobResumesFromItsNewestCheckpoint()
            throws IOException {
        start("platform/yarn.yaml", """
                apiVersion: tributary.io/v1
                kind: Cluster
                metadata: {name: %s}
                spec:
                  flinkVersion: flink-1.20
                  mode: yarn-session
                  managed: true
                  yarn: {hadoopConfDir: "%s"}
                  flinkConfiguration:
                %s""".formatted(SESSION, yarn.hadoopConfDir(), clusterOptions("    ")),
                "teams/payments/apps.yaml", app("balances", "{mode: yarn-session, cluster: " + SESSION + "}", false));
        String app = "payments/balances";
        reconcileUntil(app, "the app's job runs on the session", Duration.ofMinutes(5),
                () -> jobState(app).equals("RUNNING"));
        String first = status(app).jobId();
        List<String> sessions = yarn.running(SESSION);
        assertThat(sessions).as("one YARN application for the session").hasSize(1);
        DeploymentTarget session = fixture.target(SESSION);
        reconcileUntil(app, "a first checkpoint", Duration.ofMinutes(2),
                () -> session.checkpoints(new JobId(first)).latestCompleted().isPresent());

        yarn.kill(sessions.get(0));
        reconcileUntil(app, "the app runs again on a new session", Duration.ofMinutes(6),
                () -> !first.equals(status(app).jobId()) && jobState(app).equals("RUNNING"));

        assertThat(yarn.running(SESSION)).as("the session, deployed again").hasSize(1).doesNotContain(sessions.get(0));
        String newest = newestCheckpoint(first);
        Operation restart = store.operations(app, 10).stream().filter(o -> o.kind().equals("restart")).findFirst()
                .orElseThrow();
        assertThat(restart.oldJobId()).isEqualTo(first);
        assertThat(restart.restoreFrom()).as("the lost job's newest checkpoint in HDFS").isEqualTo(newest);
        assertThat(fixture.target(SESSION).checkpoints(new JobId(status(app).jobId())).restored())
                .hasValueSatisfying(r -> assertThat(r.externalPath()).isEqualTo(newest));
    }

    /** The highest chk-N of the job in HDFS whose metadata was written. */
    private String newestCheckpoint(String job) {
        return checkpoints + "/" + job + "/" + yarn.foldersHolding(checkpoints + "/" + job, "_metadata").stream()
                .max(Comparator.comparingLong(chk -> Long.parseLong(chk.substring("chk-".length())))).orElseThrow();
    }

    private AppStatus status(String app) {
        return store.status(app).orElseThrow();
    }

    private String jobState(String app) {
        return store.status(app).map(AppStatus::jobState).orElse("");
    }

    private void reconcileUntil(String app, String what, Duration timeout, BooleanSupplier condition) {
        fixture.reconcileUntil(what, timeout, condition, () -> "status " + store.status(app) + ", operations "
                + store.operations(app, 3) + ", events " + events);
    }

    private AppStatus status() {
        return status(APP);
    }

    private String jobState() {
        return jobState(APP);
    }

    private void reconcileUntil(String what, Duration timeout, BooleanSupplier condition) {
        reconcileUntil(APP, what, timeout, condition);
    }
}
