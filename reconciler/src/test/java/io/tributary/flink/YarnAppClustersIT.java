package io.tributary.flink;

import static org.assertj.core.api.Assertions.assertThat;

import io.tributary.build.JobArtifacts;
import io.tributary.build.MavenArtifacts;
import io.tributary.flink.FlinkRest.SavepointStatus;
import io.tributary.model.Application;
import io.tributary.model.JobState;
import java.io.OutputStream;
import java.net.http.HttpClient;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import java.util.function.BooleanSupplier;
import java.util.function.Supplier;
import org.apache.hadoop.conf.Configuration;
import org.apache.hadoop.hdfs.MiniDFSCluster;
import org.apache.hadoop.yarn.api.records.ApplicationId;
import org.apache.hadoop.yarn.client.api.YarnClient;
import org.apache.hadoop.yarn.conf.YarnConfiguration;
import org.apache.hadoop.yarn.server.MiniYARNCluster;
import org.apache.hadoop.yarn.server.resourcemanager.scheduler.fifo.FifoScheduler;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * YARN per-app clusters on a real MiniDFSCluster + MiniYARNCluster, deployed by flink-yarn 1.20.1
 * loaded over an assembled distribution: an application-mode app runs, takes a savepoint, stops with
 * one (its YARN application ends), starts again from it with its state, and is seen FAILED with YARN's
 * diagnostics when its YARN application is killed from outside. Heavy: run it alone.
 */
class YarnAppClustersIT {
    private static final String EXAMPLE = "org.apache.flink:flink-examples-streaming:1.20.0";
    private static final String ENTRY_CLASS = "org.apache.flink.streaming.examples.statemachine.StateMachineExample";

    @TempDir
    static Path tmp;

    static MiniDFSCluster dfs;
    static MiniYARNCluster yarn;
    static Path hadoopConf;
    static MavenArtifacts artifacts;
    static DeployerLoaders loaders;
    static YarnClusters yarnClusters;
    static FlinkHome home;
    static Path jar;

    @BeforeAll
    static void start() throws Exception {
        artifacts = FlinkTestSupport.sharedRepository();
        home = new FlinkDistributions(Path.of("target", "k8s-it-data"), artifacts).resolveVersion("1.20.1");
        loaders = new DeployerLoaders(artifacts, SqlRunnerJar.locate(tmp.resolve("work")));
        yarnClusters = new YarnClusters(loaders);
        jar = new JobArtifacts(artifacts, tmp.resolve("artifacts"), HttpClient.newHttpClient())
                .jar(new Application.Jar(EXAMPLE, null, null, ENTRY_CLASS, List.of()));

        Configuration conf = new YarnConfiguration();
        conf.set(MiniDFSCluster.HDFS_MINIDFS_BASEDIR, tmp.resolve("dfs").toString());
        dfs = new MiniDFSCluster.Builder(conf).numDataNodes(1).build();
        conf.set("fs.defaultFS", dfs.getFileSystem().getUri().toString());
        conf.setInt(YarnConfiguration.RM_SCHEDULER_MINIMUM_ALLOCATION_MB, 256);
        conf.setClass(YarnConfiguration.RM_SCHEDULER, FifoScheduler.class, Object.class);
        conf.setBoolean(YarnConfiguration.NM_PMEM_CHECK_ENABLED, false);
        conf.setBoolean(YarnConfiguration.NM_VMEM_CHECK_ENABLED, false);
        conf.setInt(YarnConfiguration.NM_PMEM_MB, 6144);
        conf.setInt(YarnConfiguration.RM_MAX_COMPLETED_APPLICATIONS, 100);
        // the containers' Hadoop: the shaded client the adapter uses too
        List<Path> hadoopJars = artifacts.resolve(List.of("org.apache.hadoop:hadoop-client-api:3.3.6",
                "org.apache.hadoop:hadoop-client-runtime:3.3.6", "commons-logging:commons-logging:1.1.3"), false);
        conf.set(YarnConfiguration.YARN_APPLICATION_CLASSPATH, String.join(",",
                hadoopJars.stream().map(Path::toString).toList()));
        yarn = new MiniYARNCluster("tributary", 1, 1, 1);
        yarn.init(conf);
        yarn.start();
        hadoopConf = Files.createDirectories(tmp.resolve("hadoop-conf"));
        // containers read the ResourceManager's address from a yarn-site.xml on their class path: this one
        Configuration client = new Configuration(yarn.getConfig());
        // the minicluster's rack mapping is a class of Hadoop's tests, which containers do not have
        client.set("net.topology.node.switch.mapping.impl", "org.apache.hadoop.net.ScriptBasedMapping");
        client.set(YarnConfiguration.YARN_APPLICATION_CLASSPATH, hadoopConf + ","
                + yarn.getConfig().get(YarnConfiguration.YARN_APPLICATION_CLASSPATH));
        for (String file : List.of("core-site.xml", "yarn-site.xml")) {
            try (OutputStream out = Files.newOutputStream(hadoopConf.resolve(file))) {
                client.writeXml(out);
            }
        }
    }

    @AfterAll
    static void stop() {
        if (yarn != null) {
            yarn.stop();
        }
        if (dfs != null) {
            dfs.shutdown();
        }
        loaders.close();
        artifacts.close();
    }

    private static Map<String, String> options(String name, String target) {
        return YarnClusters.options(target, name, null, home, Map.of(
                "jobmanager.memory.process.size", "1024m",
                "taskmanager.memory.process.size", "1024m",
                "taskmanager.numberOfTaskSlots", "2",
                "web.refresh-interval", "200"));
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
        YarnAppCluster cluster = new YarnAppCluster(yarnClusters, home, hadoopConf.toString(),
                options("payments/ledger", "yarn-application"), false, Duration.ofMinutes(3));
        ApplicationClusterTarget target = target(cluster);
        String savepoints = tmp.resolve("savepoints").toUri().toString();

        JobId first = JobId.random();
        target.submit(submission(first, null));
        await("first job RUNNING", () -> target.job(first).map(j -> j.state() == JobState.RUNNING).orElse(false));
        assertThat(cluster.exists()).isTrue();
        await("a checkpoint", () -> target.checkpoints(first).completed() > 0);

        String manual = awaitSavepoint(target, first, () -> target.triggerSavepoint(first, savepoints));
        assertThat(manual).startsWith("file:");
        String finalSavepoint = awaitSavepoint(target, first, () -> target.stopWithSavepoint(first, savepoints, false));
        await("the application's YARN application ends with its job", () -> !cluster.exists());

        JobId second = JobId.random();
        target.submit(submission(second, finalSavepoint));
        await("resumed job RUNNING", () -> target.job(second).map(j -> j.state() == JobState.RUNNING).orElse(false));
        assertThat(target.checkpoints(second).restored()).hasValueSatisfying(r -> {
            assertThat(r.savepoint()).isTrue();
            assertThat(r.externalPath()).isEqualTo(finalSavepoint);
        });

        String id = cluster.applicationId().orElseThrow();
        try (YarnClient client = YarnClient.createYarnClient()) {
            client.init(yarn.getConfig());
            client.start();
            client.killApplication(ApplicationId.fromString(id));
        }
        await("the killed application's job FAILED", () -> target.jobs().stream()
                .anyMatch(j -> j.id().equals(second) && j.state() == JobState.FAILED));
        assertThat(target.exceptions(second).rootException()).hasValueSatisfying(e ->
                assertThat(e).contains("YARN application " + id + " KILLED"));
        target.delete();
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
