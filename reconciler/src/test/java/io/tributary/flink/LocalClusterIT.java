package io.tributary.flink;

import static org.assertj.core.api.Assertions.assertThat;

import io.tributary.build.MavenArtifacts;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.function.BooleanSupplier;
import java.util.stream.Collectors;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.ClassOrderer;
import org.junit.jupiter.api.MethodOrderer;
import org.junit.jupiter.api.Nested;
import org.junit.jupiter.api.Order;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestClassOrder;
import org.junit.jupiter.api.TestInstance;
import org.junit.jupiter.api.TestMethodOrder;
import org.junit.jupiter.api.io.TempDir;
import tools.jackson.databind.JsonNode;
import tools.jackson.databind.json.JsonMapper;

/**
 * A real local cluster per Flink version, started once and taken through its life: ready, adopted by
 * a second object, a TaskManager killed from outside and brought back by the watchdog, stopped.
 */
@TestClassOrder(ClassOrderer.OrderAnnotation.class)
class LocalClusterIT {
    @TempDir
    static Path data;

    /** Every pid any test saw, killed at JVM exit if a failing test left it running. */
    private static final List<Long> SEEN_PIDS = new CopyOnWriteArrayList<>();

    static {
        Runtime.getRuntime().addShutdownHook(new Thread(() -> SEEN_PIDS.forEach(
                pid -> ProcessHandle.of(pid).ifPresent(ProcessHandle::destroyForcibly))));
    }

    private static final HttpClient HTTP = HttpClient.newHttpClient();
    private static final LocalCluster.Options OPTIONS = LocalCluster.Options.defaults()
            .withWatchdogInterval(Duration.ofMillis(250));
    /** Smaller than the defaults: this machine runs the build, the tests and two clusters' worth of JVMs. */
    private static final Map<String, String> SMALL = Map.of(
            "jobmanager.memory.process.size", "1g",
            "taskmanager.memory.process.size", "1g",
            // a TaskManager notices a restarted JobManager when the old one's heartbeats stop coming
            "heartbeat.interval", "2000",
            "heartbeat.timeout", "10000");

    @Nested
    @Order(1)
    class Flink1 extends Lifecycle {
        Flink1() {
            super("1.20.1");
        }
    }

    @Nested
    @Order(2)
    class Flink2 extends Lifecycle {
        Flink2() {
            super("2.3.0");
        }
    }

    @TestInstance(TestInstance.Lifecycle.PER_CLASS)
    @TestMethodOrder(MethodOrderer.OrderAnnotation.class)
    abstract static class Lifecycle {
        private final String version;
        private FlinkHome home;
        private Path clusterDir;
        private LocalCluster cluster;

        Lifecycle(String version) {
            this.version = version;
        }

        @BeforeAll
        void startCluster() {
            try (MavenArtifacts artifacts = FlinkTestSupport.sharedRepository()) {
                home = new FlinkDistributions(data, artifacts).resolve(FlinkDistributionsIT.flinkVersion(version));
            }
            clusterDir = data.resolve("clusters").resolve("local-" + version);
            long started = System.nanoTime();
            cluster = LocalCluster.startOrAdopt(home, 1, 2, SMALL, clusterDir, OPTIONS);
            remember(cluster);
            cluster.awaitReady(Duration.ofSeconds(90));
            System.out.printf("measured flink.version=%s cluster.start.to.tm.registered.millis=%d%n", version,
                    (System.nanoTime() - started) / 1_000_000);
        }

        @AfterAll
        void stopCluster() {
            if (cluster != null) {
                cluster.stop();
            }
        }

        @Test
        @Order(1)
        void startsOneTaskManagerWithTwoSlotsOnLoopback() throws Exception {
            LocalCluster.Overview overview = cluster.overview().orElseThrow();

            assertThat(overview.taskManagers()).isEqualTo(1);
            assertThat(overview.slotsTotal()).isEqualTo(2);
            assertThat(overview.flinkVersion()).isEqualTo(version);
            assertThat(cluster.adopted()).isFalse();
            assertThat(cluster.restUrl().getHost()).isEqualTo("127.0.0.1");
            assertThat(clusterDir.resolve("jobmanager.pid")).content().isEqualToIgnoringNewLines(String.valueOf(cluster.jobManagerPid()));
            assertThat(clusterDir.resolve("taskmanager-0.pid")).content()
                    .isEqualToIgnoringNewLines(String.valueOf(cluster.taskManagerPids().get(0)));
            assertThat(clusterDir.resolve("log/jobmanager.log")).isNotEmptyFile();
            assertThat(clusterDir.resolve("log/taskmanager-0.log")).isNotEmptyFile();
            String config = Files.readString(clusterDir.resolve("conf/config.yaml"));
            assertThat(config).contains("rest.port: \"" + cluster.restUrl().getPort() + "\"")
                    .contains("execution.checkpointing.dir: \"file://" + cluster.clusterDir().resolve("checkpoints") + "\"")
                    .contains("taskmanager.memory.process.size: \"1g\"");
            JsonNode jobManagerConfig = get(cluster.restUrl(), "/jobmanager/config");
            assertThat(jobManagerConfig.toString()).contains("execution.checkpointing.savepoint-dir");
        }

        @Test
        @Order(2)
        void aSecondObjectOnTheSameFolderAdoptsTheRunningProcesses() {
            Set<Long> before = clusterProcesses();
            long jobManager = cluster.jobManagerPid();
            List<Long> taskManagers = cluster.taskManagerPids();

            LocalCluster second = LocalCluster.startOrAdopt(home, 1, 2, SMALL, clusterDir, OPTIONS);
            try {
                assertThat(second.adopted()).isTrue();
                assertThat(second.jobManagerPid()).isEqualTo(jobManager);
                assertThat(second.taskManagerPids()).isEqualTo(taskManagers);
                assertThat(second.restUrl()).isEqualTo(cluster.restUrl());
                assertThat(second.awaitReady(Duration.ofSeconds(5)).taskManagers()).isEqualTo(1);
                assertThat(clusterProcesses()).isEqualTo(before);
            } finally {
                second.detach();
            }
        }

        @Test
        @Order(3)
        void aKilledTaskManagerIsRestartedAndRegistersAgain() throws Exception {
            long oldPid = cluster.taskManagerPids().get(0);
            String oldAddress = taskManagerAddresses().get(0);

            long killed = System.nanoTime();
            Process kill = new ProcessBuilder("kill", "-9", String.valueOf(oldPid)).inheritIO().start();
            assertThat(kill.waitFor()).isZero();

            await(Duration.ofSeconds(30), () -> cluster.taskManagerPids().get(0) != oldPid);
            long newPid = cluster.taskManagerPids().get(0);
            remember(cluster);
            // the same resource id registers again from a new process, so its RPC address changes
            await(Duration.ofSeconds(60), () -> {
                List<String> addresses = taskManagerAddresses();
                return addresses.size() == 1 && !addresses.get(0).equals(oldAddress);
            });
            cluster.awaitReady(Duration.ofSeconds(30));
            System.out.printf("measured flink.version=%s tm.killed.to.registered.again.millis=%d%n", version,
                    (System.nanoTime() - killed) / 1_000_000);

            assertThat(ProcessHandle.of(oldPid).map(ProcessHandle::isAlive).orElse(false)).isFalse();
            assertThat(cluster.restarts()).isEqualTo(1);
            assertThat(clusterDir.resolve("taskmanager-0.pid")).content().isEqualToIgnoringNewLines(String.valueOf(newPid));
            assertThat(cluster.overview().orElseThrow().slotsTotal()).isEqualTo(2);
        }

        @Test
        @Order(4)
        void aKilledJobManagerIsRestartedAndTheTaskManagerRegistersWithIt() throws Exception {
            long oldPid = cluster.jobManagerPid();
            long taskManager = cluster.taskManagerPids().get(0);

            long killed = System.nanoTime();
            Process kill = new ProcessBuilder("kill", "-9", String.valueOf(oldPid)).inheritIO().start();
            assertThat(kill.waitFor()).isZero();

            await(Duration.ofSeconds(30), () -> cluster.jobManagerPid() != oldPid);
            remember(cluster);
            LocalCluster.Overview overview = cluster.awaitReady(Duration.ofSeconds(60));
            System.out.printf("measured flink.version=%s jm.killed.to.tm.registered.again.millis=%d%n", version,
                    (System.nanoTime() - killed) / 1_000_000);

            assertThat(overview.slotsTotal()).isEqualTo(2);
            assertThat(cluster.taskManagerPids()).as("the TaskManager lives on").containsExactly(taskManager);
            assertThat(cluster.restarts()).isEqualTo(2);
        }

        @Test
        @Order(5)
        void stopLeavesNoProcessAndNoPidFile() throws Exception {
            List<Long> pids = new ArrayList<>(SEEN_PIDS);

            cluster.stop();

            assertThat(pids).allSatisfy(pid -> assertThat(ProcessHandle.of(pid).map(ProcessHandle::isAlive).orElse(false))
                    .as("pid %d alive", pid).isFalse());
            assertThat(clusterProcesses()).isEmpty();
            try (var files = Files.list(clusterDir)) {
                assertThat(files.map(p -> p.getFileName().toString())).noneMatch(n -> n.endsWith(".pid"));
            }
            assertThat(cluster.overview()).isEmpty();
            cluster = null;
        }

        /** Processes on this machine whose command line names this cluster's folder. */
        private Set<Long> clusterProcesses() {
            String marker = clusterDir.toString();
            return ProcessHandle.allProcesses()
                    .filter(p -> p.info().commandLine().map(c -> c.contains(marker)).orElse(false))
                    .map(ProcessHandle::pid)
                    .collect(Collectors.toSet());
        }

        private List<String> taskManagerAddresses() {
            try {
                List<String> addresses = new ArrayList<>();
                get(cluster.restUrl(), "/taskmanagers").path("taskmanagers").forEach(tm -> addresses.add(tm.path("path").asString()));
                return addresses;
            } catch (Exception e) {
                return List.of();
            }
        }
    }

    private static void remember(LocalCluster cluster) {
        SEEN_PIDS.add(cluster.jobManagerPid());
        SEEN_PIDS.addAll(cluster.taskManagerPids());
    }

    static JsonNode get(URI base, String path) throws Exception {
        HttpResponse<String> response = HTTP.send(HttpRequest.newBuilder(base.resolve(path)).timeout(Duration.ofSeconds(5)).build(),
                HttpResponse.BodyHandlers.ofString());
        assertThat(response.statusCode()).as("GET %s", path).isEqualTo(200);
        return JsonMapper.builder().build().readTree(response.body());
    }

    static void await(Duration timeout, BooleanSupplier condition) throws InterruptedException {
        long deadline = System.nanoTime() + timeout.toNanos();
        while (!condition.getAsBoolean()) {
            assertThat(System.nanoTime()).as("condition within %s", timeout).isLessThan(deadline);
            Thread.sleep(100);
        }
    }
}
