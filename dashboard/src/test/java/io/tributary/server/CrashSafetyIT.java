package io.tributary.server;

import static io.tributary.server.ConfigRepo.APP;
import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.URI;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.stream.Stream;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.MethodOrderer;
import org.junit.jupiter.api.Order;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestMethodOrder;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.junit.jupiter.api.io.CleanupMode;
import org.junit.jupiter.api.io.TempDir;
import tools.jackson.databind.JsonNode;

/**
 * A savepoint upgrade survives the service dying at any point of it ({@code kill -9}, simulated at
 * named points with {@code TRIBUTARY_CRASH_AT}): once the service is back, exactly one job of the app
 * runs, restored from the savepoint its old job was stopped with, no savepoint is lost (those listed
 * before, and every one Flink wrote, are listed after), and no operation is left open. The service runs
 * as a child process; its data directory, with the local Flink cluster (which runs on across kills and
 * is adopted by the next start) and the embedded database, is the same for all cases.
 */
@TestMethodOrder(MethodOrderer.OrderAnnotation.class)
class CrashSafetyIT {
    private static final Duration UP = Duration.ofMinutes(2);
    private static final Duration STEP = Duration.ofMinutes(3);

    @RegisterExtension
    static final ServiceProcesses PROCESSES = new ServiceProcesses();

    @TempDir(cleanup = CleanupMode.ON_SUCCESS)
    static Path temp;

    private static ConfigRepo repo;
    private static Path dataDir;
    private static final AtomicInteger STARTS = new AtomicInteger();
    private static int sqlVersion = 1;
    /** The service left running by the previous case, if it ended well. */
    private static ServiceProcess service;

    @BeforeAll
    static void createRepository() throws Exception {
        repo = ConfigRepo.withCountingApp(temp.resolve("config"), "count-v1");
        dataDir = temp.resolve("data");
    }

    /** SIGTERM: the service's shutdown stops the cluster it runs (the extension kills what is left). */
    @AfterAll
    static void stopGracefully() {
        if (service != null && service.isAlive()) {
            service.stop(Duration.ofMinutes(2));
        }
        if (repo != null) {
            repo.close();
        }
    }

    @Test
    @Order(1)
    void killedBeforeTheSavepointTheUpgradeIsDoneAgainAfterTheRestart() throws Exception {
        Crash crash = upgradeInterruptedAt("before-savepoint");

        assertThat(crash.savepointsTaken()).as("savepoints Flink wrote before the crash").isEmpty();
        assertThat(crash.runningAfterCrash()).as("jobs of the app running after the crash")
                .containsExactly(crash.oldJob());
        JsonNode savepoints = crash.detail().path("savepoints");
        assertThat(savepoints).as("one savepoint more than before: the one taken after the restart")
                .hasSize(crash.savepointsBefore().size() + 1);
        assertThat(savepoints.get(0).path("jobId").asString()).isEqualTo(crash.oldJob());
    }

    @Test
    @Order(2)
    void killedAfterTheSavepointTheNewJobStartsFromItAfterTheRestart() throws Exception {
        Crash crash = upgradeInterruptedAt("after-savepoint");

        assertThat(crash.savepointsTaken()).as("savepoints Flink wrote before the crash").hasSize(1);
        assertThat(crash.runningAfterCrash()).as("the old job stopped with its savepoint; none runs").isEmpty();
        assertRestoredFromTheSavepointTakenBeforeTheCrash(crash);
    }

    @Test
    @Order(3)
    void killedAfterTheSubmitTheSubmittedJobIsKeptNotStartedTwice() throws Exception {
        Crash crash = upgradeInterruptedAt("after-submit");

        assertThat(crash.savepointsTaken()).as("savepoints Flink wrote before the crash").hasSize(1);
        assertThat(crash.runningAfterCrash()).as("the job submitted before the crash").hasSize(1)
                .doesNotContain(crash.oldJob());
        assertThat(crash.newJob()).as("the app's job after the restart is the one submitted before the crash")
                .isEqualTo(crash.runningAfterCrash().get(0));
        assertRestoredFromTheSavepointTakenBeforeTheCrash(crash);
    }

    private static void assertRestoredFromTheSavepointTakenBeforeTheCrash(Crash crash) {
        JsonNode savepoints = crash.detail().path("savepoints");
        assertThat(savepoints).as("no savepoint taken after the restart").hasSize(crash.savepointsBefore().size() + 1);
        assertThat(localPath(savepoints.get(0).path("path").asString())).isEqualTo(crash.savepointsTaken().get(0));
        assertThat(savepoints.get(0).path("jobId").asString()).isEqualTo(crash.oldJob());
    }

    /**
     * What one interrupted upgrade left, read once the restarted service runs the new job.
     *
     * @param savepointsBefore the app's savepoints as the API listed them before the upgrade
     * @param savepointsTaken the savepoint folders Flink wrote between the last kill and the crash
     * @param runningAfterCrash the app's RUNNING jobs on Flink after the crash, before the restart
     * @param detail the app's detail from the restarted service
     */
    private record Crash(String oldJob, String newJob, List<String> savepointsBefore, List<Path> savepointsTaken,
            List<String> runningAfterCrash, JsonNode detail) {}

    /**
     * A running app, the service killed, a SQL change committed, the service started with
     * {@code TRIBUTARY_CRASH_AT=point} until it dies there, started again without; returns once the
     * app runs a new job, after checking what holds at every crash point.
     */
    private static Crash upgradeInterruptedAt(String point) throws Exception {
        ServiceProcess healthy = healthyService();
        JsonNode before = healthy.api().detail(APP);
        String oldJob = before.path("application").path("status").path("jobId").asString();
        URI flink = healthy.api().flinkRestUrl(APP).orElseThrow();
        List<String> savepointsBefore = paths(before.path("savepoints"));
        assertThat(healthy.kill()).as("exit code of the killed service").isEqualTo(137);
        service = null;

        sqlVersion++;
        repo.writeSql("count-v" + sqlVersion);
        String revision = "main@sha1:" + repo.commit("print as count-v" + sqlVersion);
        Set<Path> onDisk = savepointFolders();

        ServiceProcess crashing = start("crash-at-" + point, Map.of("TRIBUTARY_CRASH_AT", point));
        Await.until(crashing.name() + " answers or died", UP, () -> !crashing.isAlive() || crashing.api().answers());
        if (crashing.isAlive()) {
            try {
                crashing.api().triggerSync();
            } catch (UncheckedIOException e) {
                // it reached the crash point meanwhile
            }
        }
        assertThat(crashing.awaitExit(STEP)).as("exit code of the service halted at " + point).isEqualTo(137);
        assertThat(crashing.output()).contains("crash-point=" + point + " reached");
        List<Path> taken = new ArrayList<>(savepointFolders());
        taken.removeAll(onDisk);
        List<String> runningAfterCrash = LocalFlink.running(flink, APP).stream().map(LocalFlink.Job::id).toList();

        service = start("after-" + point, Map.of()).awaitUp(UP);
        ServiceApi api = service.api();
        Await.until("a new job of " + revision + " runs", STEP, () -> {
            JsonNode status = api.status(APP);
            return revision.equals(status.path("revision").asString(null))
                    && "RUNNING".equals(status.path("jobState").asString(null))
                    && "Healthy".equals(status.path("health").asString(null));
        });
        JsonNode detail = api.detail(APP);
        String newJob = detail.path("application").path("status").path("jobId").asString();
        assertThat(newJob).isNotEqualTo(oldJob);

        URI flinkNow = api.flinkRestUrl(APP).orElseThrow();
        assertThat(LocalFlink.running(flinkNow, APP)).as("the app's RUNNING jobs on Flink")
                .extracting(LocalFlink.Job::id).containsExactly(newJob);
        JsonNode deployment = detail.path("deployments").get(0);
        assertThat(deployment.path("jobId").asString()).isEqualTo(newJob);
        assertThat(deployment.path("revision").asString()).isEqualTo(revision);
        JsonNode savepoints = detail.path("savepoints");
        assertThat(deployment.path("restoredFrom").asString()).as("restored from the newest savepoint")
                .isEqualTo(savepoints.get(0).path("path").asString());
        assertThat(paths(savepoints)).as("savepoints on record").containsAll(savepointsBefore);
        assertThat(paths(savepoints).stream().map(CrashSafetyIT::localPath).toList())
                .as("savepoints on record, against those Flink wrote").containsAll(savepointFolders());
        assertThat(detail.path("operations")).as("the app's operations").isNotEmpty()
                .allSatisfy(op -> assertThat(op.path("status").asString()).as("operation %s", op).isNotEqualTo("open"));
        return new Crash(oldJob, newJob, savepointsBefore, taken, runningAfterCrash, detail);
    }

    /** The service left by the previous case, or a new one; returns once the app runs and is healthy. */
    private static ServiceProcess healthyService() {
        if (service == null || !service.isAlive()) {
            service = start("serve", Map.of()).awaitUp(UP);
        }
        ServiceApi api = service.api();
        Await.until("the app runs", STEP, () -> {
            JsonNode status = api.status(APP);
            return "RUNNING".equals(status.path("jobState").asString(null))
                    && "Healthy".equals(status.path("health").asString(null));
        });
        return service;
    }

    private static ServiceProcess start(String name, Map<String, String> env) {
        Path log = temp.resolve("logs").resolve(String.format("%02d-%s.log", STARTS.incrementAndGet(), name));
        return PROCESSES.start(name, log, env, List.of("--repo", repo.dir().toString(), "--branch", "main",
                "--data-dir", dataDir.toString(), "--poll-interval", "2s", "--workers", "2"));
    }

    private static List<String> paths(JsonNode savepoints) {
        List<String> paths = new ArrayList<>();
        savepoints.forEach(s -> paths.add(s.path("path").asString()));
        return paths;
    }

    /** The savepoint folders Flink completed in the local cluster (each has its {@code _metadata}). */
    private static Set<Path> savepointFolders() {
        Path dir = dataDir.resolve("clusters/local/savepoints");
        if (!Files.isDirectory(dir)) {
            return Set.of();
        }
        try (Stream<Path> folders = Files.list(dir)) {
            return new HashSet<>(folders.filter(f -> Files.isRegularFile(f.resolve("_metadata")))
                    .map(f -> f.toAbsolutePath().normalize()).toList());
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    /** A savepoint location as Flink reports it ({@code file:/...}) as a local folder. */
    private static Path localPath(String location) {
        return (location.startsWith("file:") ? Path.of(URI.create(location)) : Path.of(location))
                .toAbsolutePath().normalize();
    }
}
