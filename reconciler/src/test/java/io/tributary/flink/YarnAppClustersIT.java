package io.tributary.flink;

import static org.assertj.core.api.Assertions.assertThat;

import io.tributary.build.JobArtifacts;
import io.tributary.build.MavenArtifacts;
import io.tributary.flink.FlinkRest.SavepointStatus;
import io.tributary.model.Application;
import io.tributary.model.JobState;
import java.net.http.HttpClient;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import java.util.function.BooleanSupplier;
import java.util.function.Supplier;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The three YARN modes on a real MiniDFSCluster + MiniYARNCluster (one per test JVM, {@link MiniYarn}),
 * deployed by flink-yarn 1.20.1 loaded over an assembled distribution. In each mode a job runs, takes a
 * savepoint, stops with one, and starts again from it with its state: an application-mode app (whose
 * YARN application ends with its job, and whose kill from outside is seen as FAILED with YARN's
 * diagnostics), a per-job app (the job graph built by the service), and jobs on a yarn-session deployed
 * with flink-yarn's descriptor and then adopted by its application id, as an external session is.
 * Heavy: run it alone.
 */
class YarnAppClustersIT {
    private static final String EXAMPLE = "org.apache.flink:flink-examples-streaming:1.20.0";
    private static final String ENTRY_CLASS = "org.apache.flink.streaming.examples.statemachine.StateMachineExample";

    @TempDir
    static Path tmp;

    static MiniYarn yarn;
    static MavenArtifacts artifacts;
    static DeployerLoaders loaders;
    static YarnClusters yarnClusters;
    static FlinkHome home;
    static Path jar;
    static String hadoopConf;
    static String providedLib;

    @BeforeAll
    static void start() throws Exception {
        artifacts = FlinkTestSupport.sharedRepository();
        home = new FlinkDistributions(Path.of("target", "k8s-it-data"), artifacts).resolveVersion("1.20.1");
        loaders = new DeployerLoaders(artifacts, SqlRunnerJar.locate(tmp.resolve("work")));
        yarnClusters = new YarnClusters(loaders);
        jar = new JobArtifacts(artifacts, tmp.resolve("artifacts"), HttpClient.newHttpClient())
                .jar(new Application.Jar(EXAMPLE, null, null, ENTRY_CLASS, List.of()));
        yarn = MiniYarn.shared(artifacts);
        hadoopConf = yarn.hadoopConfDir().toString();
        providedLib = yarn.providedLib(home.version(), artifacts);
    }

    @AfterAll
    static void stop() {
        loaders.close();
        artifacts.close();
    }

    private static Map<String, String> options(String name, String target) {
        return YarnClusters.options(target, name, null, home, Map.of(
                "jobmanager.memory.process.size", "1024m",
                "taskmanager.memory.process.size", "1024m",
                "taskmanager.numberOfTaskSlots", "2",
                "web.refresh-interval", "200",
                YarnClusters.PROVIDED_LIB_DIRS, providedLib));
    }

    private static ApplicationClusterTarget target(YarnAppCluster cluster) {
        return new ApplicationClusterTarget(cluster, url -> FlinkRestClient.of(url.toString()),
                Duration.ofMinutes(2), Duration.ofMillis(500));
    }

    private static JobSubmission submission(JobId id, String restoreFrom) {
        return new JobSubmission(id, jar, ENTRY_CLASS, List.of("--sleep", "20"), 1, restoreFrom, false,
                Map.of("execution.checkpointing.interval", "2s",
                        "state.checkpoints.dir", tmp.resolve("checkpoints").toUri().toString()));
    }

    @Test
    void anApplicationRunsSavepointsStopsAndResumesWithItsStateAndAKillFromOutsideIsSeen() throws Exception {
        YarnAppCluster cluster = new YarnAppCluster(yarnClusters, home, hadoopConf,
                options("payments/ledger", "yarn-application"), false, Duration.ofMinutes(3));
        ApplicationClusterTarget target = target(cluster);

        JobId second = runSavepointStopAndResume(target, target, () -> {
            await("the application's YARN application ends with its job", () -> !cluster.exists());
        });

        String id = cluster.applicationId().orElseThrow();
        yarn.kill(id);
        await("the killed application's job FAILED", () -> target.jobs().stream()
                .anyMatch(j -> j.id().equals(second) && j.state() == JobState.FAILED));
        assertThat(target.exceptions(second).rootException()).hasValueSatisfying(e ->
                assertThat(e).contains("YARN application " + id + " KILLED"));
        target.delete();
    }

    @Test
    void aPerJobClusterRunsSavepointsStopsAndResumesWithItsState() {
        YarnAppCluster cluster = new YarnAppCluster(yarnClusters, home, hadoopConf,
                options("payments/ledger-per-job", "yarn-per-job"), true, Duration.ofMinutes(3));
        ApplicationClusterTarget target = target(cluster);

        runSavepointStopAndResume(target, target, () -> {
            await("the per-job YARN application ends with its job", () -> !cluster.exists());
        });
        String id = cluster.applicationId().orElseThrow();
        target.delete();
        await("stopping the app ends its YARN application", () -> !yarn.state(id).equals("RUNNING"));
    }

    @Test
    void aManagedSessionRunsJobsAndIsAdoptedByItsApplicationIdAsAnExternalOneIs() {
        Map<String, String> options = options("yarn-shared", "yarn-session");
        YarnClusters.Deployed deployed = yarnClusters.deploySession(home, hadoopConf, options);
        assertThat(yarn.state(deployed.applicationId())).isEqualTo("RUNNING");
        StandaloneSessionTarget managed = new StandaloneSessionTarget(FlinkRestClient.of(deployed.restUrl().toString()));
        // the second half through the address YARN gives for the application id, as for managed: false
        java.net.URI adopted = yarnClusters.restAddress(home, hadoopConf, options, deployed.applicationId())
                .orElseThrow();
        StandaloneSessionTarget external = new StandaloneSessionTarget(FlinkRestClient.of(adopted.toString()));
        try {
            runSavepointStopAndResume(managed, external, () -> {
            });
            assertThat(yarn.state(deployed.applicationId())).as("the session outlives its jobs").isEqualTo("RUNNING");
        } finally {
            yarnClusters.kill(home, hadoopConf, deployed.applicationId());
        }
        await("killing the session ends its YARN application",
                () -> yarnClusters.report(home, hadoopConf, deployed.applicationId()).ended());
    }

    /**
     * Runs a job on {@code first}: RUNNING, a checkpoint, a savepoint, stop with a savepoint; then
     * {@code afterStop}; then a new job on {@code second} from that savepoint, which Flink reports it
     * restored from. Returns the new job.
     */
    private static JobId runSavepointStopAndResume(DeploymentTarget first, DeploymentTarget second,
            Runnable afterStop) {
        String savepoints = tmp.resolve("savepoints").toUri().toString();
        JobId job = JobId.random();
        first.submit(submission(job, null));
        await("first job RUNNING", () -> first.job(job).map(j -> j.state() == JobState.RUNNING).orElse(false));
        await("a checkpoint", () -> first.checkpoints(job).completed() > 0);

        String manual = awaitSavepoint(first, job, () -> first.triggerSavepoint(job, savepoints));
        assertThat(manual).startsWith("file:");
        String finalSavepoint = awaitSavepoint(first, job, () -> first.stopWithSavepoint(job, savepoints, false));
        afterStop.run();

        JobId resumed = JobId.random();
        second.submit(submission(resumed, finalSavepoint));
        await("resumed job RUNNING", () -> second.job(resumed).map(j -> j.state() == JobState.RUNNING).orElse(false));
        assertThat(second.checkpoints(resumed).restored()).hasValueSatisfying(r -> {
            assertThat(r.savepoint()).isTrue();
            assertThat(r.externalPath()).isEqualTo(finalSavepoint);
        });
        return resumed;
    }

    private static String awaitSavepoint(DeploymentTarget target, JobId job, Supplier<String> trigger) {
        String id = trigger.get();
        Instant deadline = Instant.now().plus(Duration.ofMinutes(2));
        while (Instant.now().isBefore(deadline)) {
            SavepointStatus status = target.savepointStatus(job, id);
            if (status instanceof SavepointStatus.Completed c) {
                return c.location();
            }
            if (status instanceof SavepointStatus.Failed f) {
                throw new AssertionError("savepoint failed: " + f.message());
            }
            sleep();
        }
        throw new AssertionError("savepoint did not complete");
    }

    private static void await(String what, BooleanSupplier condition) {
        Instant deadline = Instant.now().plus(Duration.ofMinutes(3));
        while (Instant.now().isBefore(deadline)) {
            try {
                if (condition.getAsBoolean()) {
                    return;
                }
            } catch (FlinkException e) {
                // not up yet
            }
            sleep();
        }
        throw new AssertionError("timed out waiting for " + what);
    }

    private static void sleep() {
        try {
            Thread.sleep(500);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new AssertionError(e);
        }
    }
}
