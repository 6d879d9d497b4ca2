package io.tributary.flink;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.tributary.build.MavenArtifacts;
import io.tributary.build.SqlJobJar;
import io.tributary.flink.FlinkRest.SavepointStatus;
import io.tributary.model.JobState;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Base64;
import java.util.List;
import java.util.Map;
import java.util.OptionalLong;
import java.util.function.Supplier;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
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

/**
 * SQL jobs through the runner on a real local cluster of each Flink version, driven through the
 * REST client and the standalone target: RUNNING, a savepoint, stop-with-savepoint, a start from
 * that savepoint whose count goes on, cancel, and a job that fails seen as FAILED with its cause;
 * on 1.20.1 also a TaskManager killed under a running job, seen through the target, and a job on the
 * RocksDB state backend.
 */
@TestClassOrder(ClassOrderer.OrderAnnotation.class)
class StandaloneSessionTargetIT {
    @TempDir
    static Path data;

    private static final Map<String, String> SMALL = Map.of(
            "jobmanager.memory.process.size", "1g",
            "taskmanager.memory.process.size", "1g",
            // a killed TaskManager is noticed within seconds: its heartbeat RPCs fail at once, and two
            // failed ones (heartbeat.rpc-failure-threshold) mark it lost; the timeout, which is for a
            // process that stalls rather than dies, stays lenient for a loaded build machine
            "heartbeat.interval", "1000",
            "heartbeat.timeout", "30000");

    /** A running count of a sequence; its state is what a savepoint must carry over. */
    private static final String COUNTING_SQL = """
            SET 'pipeline.name' = 'counting';
            CREATE TABLE numbers (id BIGINT) WITH ('connector' = 'datagen', 'rows-per-second' = '20');
            CREATE TABLE counts (n BIGINT) WITH ('connector' = 'print', 'print-identifier' = 'count');
            INSERT INTO counts SELECT COUNT(*) FROM numbers;
            """;

    private static final String FAILING_SQL = """
            CREATE TABLE numbers (id BIGINT) WITH ('connector' = 'datagen', 'rows-per-second' = '5');
            CREATE TABLE sink (x BIGINT) WITH ('connector' = 'blackhole');
            INSERT INTO sink SELECT 10 / (id - id) FROM numbers;
            """;

    private static final Pattern COUNT_LINE = Pattern.compile("count(?::\\d+)?> [+-][IU]\\[(\\d+)]");

    @Nested
    @Order(1)
    class Flink1 extends Jobs {
        Flink1() {
            super("1.20.1");
        }

        /** One version is enough to show the target reports the loss; the cluster part is LocalClusterIT's. */
        @Test
        @Order(6)
        void aKilledTaskManagerIsSeenAsARestartAndTheJobRunsAgain() throws Exception {
            JobId job = JobId.random();
            int linesBefore = outLines().size();
            target.submit(sql(job, COUNTING_SQL, null, Map.of(
                    "restart-strategy.type", "fixed-delay",
                    "restart-strategy.fixed-delay.attempts", "1000",
                    "restart-strategy.fixed-delay.delay", "1 s")));
            await(Duration.ofSeconds(60), () -> state(job) == JobState.RUNNING);
            // its tasks run: it prints (earlier jobs' lines in the file do not count)
            await(Duration.ofSeconds(60), () -> counts(outLinesFrom(linesBefore)).size() > 3);
            assertThat(target.exceptions(job).history()).isEmpty();
            long oldPid = cluster.taskManagerPids().get(0);

            long killed = System.nanoTime();
            Process kill = new ProcessBuilder("kill", "-9", String.valueOf(oldPid)).inheritIO().start();
            assertThat(kill.waitFor()).isZero();
            int linesAtKill = outLines().size();

            // what the reconciler would see: the job leaves RUNNING, and its history says why
            List<JobState> seen = new ArrayList<>();
            await(Duration.ofSeconds(60), () -> {
                JobState now = state(job);
                if (seen.isEmpty() || seen.get(seen.size() - 1) != now) {
                    seen.add(now);
                }
                return now == JobState.RESTARTING || now == JobState.FAILING;
            });
            long noticedMillis = (System.nanoTime() - killed) / 1_000_000;
            await(Duration.ofSeconds(30), () -> !target.exceptions(job).history().isEmpty());
            FlinkRest.JobExceptions exceptions = target.exceptions(job);

            // the watchdog's new TaskManager takes the job back: RUNNING, and counting again in its own output
            await(Duration.ofSeconds(60), () -> cluster.taskManagerPids().get(0) != oldPid);
            await(Duration.ofSeconds(90), () -> state(job) == JobState.RUNNING
                    && counts(outLinesFrom(linesAtKill)).size() > 3);
            long backMillis = (System.nanoTime() - killed) / 1_000_000;
            System.out.printf("measured flink.version=%s tm.killed.to.job.restarting.millis=%d"
                    + " tm.killed.to.job.counting.again.millis=%d states=%s%n", version, noticedMillis, backMillis, seen);

            assertThat(seen).startsWith(JobState.RUNNING).containsAnyOf(JobState.RESTARTING, JobState.FAILING);
            assertThat(exceptions.rootException()).get().asString().contains("taskmanager-0");
            assertThat(exceptions.history()).first().satisfies(f -> {
                assertThat(f.stacktrace()).contains("taskmanager-0");
                assertThat(f.at()).isAfter(Instant.now().minus(Duration.ofMinutes(3)));
            });
            assertThat(cluster.restarts()).isEqualTo(1);

            target.cancel(job);
            await(Duration.ofSeconds(30), () -> state(job) == JobState.CANCELED);
        }

        /** The lib/ carries the RocksDB backend and its native library: a job can ask for it and checkpoint. */
        @Test
        @Order(7)
        void aJobOnTheRocksDbStateBackendCheckpoints() throws Exception {
            JobId job = JobId.random();
            target.submit(sql(job, COUNTING_SQL, null, Map.of(
                    "state.backend.type", "rocksdb",
                    "execution.checkpointing.interval", "500 ms")));
            await(Duration.ofSeconds(60), () -> state(job) == JobState.RUNNING);
            await(Duration.ofSeconds(60), () -> target.checkpoints(job).completed() >= 2);

            JsonNode config = LocalClusterIT.get(cluster.restUrl(), "/jobs/" + job + "/checkpoints/config");
            assertThat(config.path("state_backend").asString()).isEqualTo("EmbeddedRocksDBStateBackend");
            assertThat(target.checkpoints(job).latestCompleted()).get()
                    .satisfies(c -> assertThat(c.sizeBytes()).isPositive());
            assertThat(target.exceptions(job).history()).isEmpty();

            target.cancel(job);
            await(Duration.ofSeconds(30), () -> state(job) == JobState.CANCELED);
        }
    }

    @Nested
    @Order(2)
    class Flink2 extends Jobs {
        Flink2() {
            super("2.3.0");
        }
    }

    @TestInstance(TestInstance.Lifecycle.PER_CLASS)
    @TestMethodOrder(MethodOrderer.OrderAnnotation.class)
    abstract static class Jobs {
        final String version;
        LocalCluster cluster;
        StandaloneSessionTarget target;
        private FlinkRestClient rest;
        private Path jobJar;
        private JobId counting;
        private String stopSavepoint;
        private long countAtStop;

        Jobs(String version) {
            this.version = version;
        }

        @BeforeAll
        void startCluster() {
            FlinkHome home;
            try (MavenArtifacts artifacts = FlinkTestSupport.sharedRepository()) {
                home = new FlinkDistributions(data, artifacts).resolve(FlinkDistributionsIT.flinkVersion(version));
            }
            cluster = LocalCluster.startOrAdopt(home, 1, 2, SMALL, data.resolve("cluster-" + version),
                    LocalCluster.Options.defaults());
            cluster.awaitReady(Duration.ofSeconds(120));
            rest = FlinkRestClient.of(cluster.restUrl().toString());
            target = new StandaloneSessionTarget(rest);
            jobJar = SqlJobJar.build(SqlRunnerJar.locate(data.resolve("work")), List.of(), data.resolve("jars"));
        }

        @AfterAll
        void stopCluster() {
            if (cluster != null) {
                cluster.stop();
            }
        }

        JobSubmission sql(JobId id, String script, String restoreFrom, Map<String, String> config) {
            String base64 = Base64.getEncoder().encodeToString(script.getBytes(StandardCharsets.UTF_8));
            return new JobSubmission(id, jobJar, null, List.of("--script-base64", base64), 1, restoreFrom, false, config);
        }

        @Test
        @Order(1)
        void aSqlJobReachesRunningAndSubmittingItsIdAgainStartsNothing() {
            counting = JobId.random();
            target.submit(sql(counting, COUNTING_SQL, null, Map.of()));
            target.submit(sql(counting, COUNTING_SQL, null, Map.of()));

            await(Duration.ofSeconds(60), () -> state(counting) == JobState.RUNNING);
            assertThat(target.jobs()).filteredOn(j -> j.state() == JobState.RUNNING).hasSize(1);
            assertThat(target.job(counting).orElseThrow().name()).isEqualTo("counting");
            await(Duration.ofSeconds(60), () -> latestCount().orElse(0) > 20);
            assertThat(target.jobs()).filteredOn(j -> j.id().equals(counting)).singleElement()
                    .satisfies(j -> assertThat(j.tasksTotal()).isPositive())
                    .satisfies(j -> assertThat(j.tasksWaiting()).as("all its tasks run").isFalse());
            // where a job's checkpoints are looked for once a JobManager forgets it, for an app that names no directory
            assertThat(target.checkpointDirectory()).as("the JobManager's own checkpoint directory")
                    .isEqualTo(cluster.checkpointDirectory());
        }

        @Test
        @Order(2)
        void aSavepointIsTakenWhileTheJobKeepsRunning() {
            String trigger = target.triggerSavepoint(counting, null);
            SavepointStatus status = awaitSavepoint(counting, trigger);
            assertThat(status).isInstanceOf(SavepointStatus.Completed.class);
            String location = ((SavepointStatus.Completed) status).location();
            assertThat(location).contains("savepoint-");
            assertThat(state(counting)).isEqualTo(JobState.RUNNING);
            // Flink lists it as its latest savepoint, apart from checkpoints: still the latest completed restore point
            await(Duration.ofSeconds(30), () -> target.checkpoints(counting).latestCompleted()
                    .filter(c -> c.savepoint() && location.equals(c.externalPath())).isPresent());
        }

        @Test
        @Order(3)
        void stopWithSavepointEndsTheJob() {
            String trigger = target.stopWithSavepoint(counting, null, false);
            SavepointStatus status = awaitSavepoint(counting, trigger);
            assertThat(status).isInstanceOf(SavepointStatus.Completed.class);
            stopSavepoint = ((SavepointStatus.Completed) status).location();
            await(Duration.ofSeconds(30), () -> state(counting).isTerminal());
            assertThat(state(counting)).isEqualTo(JobState.FINISHED);
            countAtStop = latestCount().orElseThrow();
        }

        @Test
        @Order(4)
        void aStartFromTheSavepointContinuesTheCount() throws Exception {
            long linesBefore = outLines().size();
            JobId resumed = JobId.random();
            target.submit(sql(resumed, COUNTING_SQL, stopSavepoint, Map.of()));
            await(Duration.ofSeconds(60), () -> state(resumed) == JobState.RUNNING);
            await(Duration.ofSeconds(60), () -> outLines().size() > linesBefore + 5);

            List<Long> after = counts(outLinesFrom((int) linesBefore));
            assertThat(after).isNotEmpty().allSatisfy(n -> assertThat(n).isGreaterThanOrEqualTo(countAtStop));
            assertThat(target.checkpoints(resumed).restored()).get()
                    .satisfies(c -> assertThat(c.externalPath()).isEqualTo(stopSavepoint));

            target.cancel(resumed);
            await(Duration.ofSeconds(30), () -> state(resumed) == JobState.CANCELED);
        }

        @Test
        @Order(5)
        void aJobThatFailsIsSeenAsFailedWithItsException() {
            JobId failing = JobId.random();
            target.submit(sql(failing, FAILING_SQL, null, Map.of("restart-strategy.type", "none")));
            await(Duration.ofSeconds(60), () -> state(failing) == JobState.FAILED);
            assertThat(target.exceptions(failing).rootException()).get().asString().contains("by zero");
        }

        @Test
        @Order(6)
        void anSqlErrorIsRefusedWithTheRunnersLocatedMessageAndNoStack() {
            JobId refused = JobId.random();
            String script = """
                    CREATE TABLE numbers (n BIGINT) WITH ('connector' = 'datagen');
                    CREATE TABLE sink (n BIGINT) WITH ('connector' = 'blackhole');
                    INSERT INTO sink
                    SELECT SUMM(n) FROM numbers;
                    """;
            assertThatThrownBy(() -> target.submit(sql(refused, script, null, Map.of())))
                    .isInstanceOf(FlinkException.class)
                    .hasMessageStartingWith("run sql-job-")
                    .hasMessageContaining("line 4, column 8")
                    .hasMessageContaining("No match found for function signature SUMM(<NUMERIC>)")
                    .satisfies(e -> assertThat(e.getMessage()).doesNotContain("\tat ", "Could not execute application"));
            assertThat(target.job(refused)).as("nothing was started").isEmpty();

            String unknownConnector = script.replace("'blackhole'", "'blackhol'").replace("SUMM(n)", "n");
            assertThatThrownBy(() -> target.submit(sql(JobId.random(), unknownConnector, null, Map.of())))
                    .as("the cause that says why, not only Flink's 'Unable to create a sink'")
                    .hasMessageContaining("Could not find any factory for identifier 'blackhol'")
                    .satisfies(e -> assertThat(e.getMessage()).doesNotContain("\tat "));
        }

        @Test
        @Order(7)
        void aPlanOfAJobStartsNothingAndRefusesWhatTheRunWouldRefuse() {
            int jobsBefore = target.jobs().size();
            target.check(sql(JobId.random(), COUNTING_SQL, null, Map.of()));
            assertThat(target.jobs()).as("a plan starts nothing").hasSize(jobsBefore);

            assertThatThrownBy(() -> target.check(sql(JobId.random(), COUNTING_SQL.replace("COUNT(*)", "KOUNT(id)"),
                    null, Map.of())))
                    .isInstanceOf(FlinkException.class)
                    .hasMessageStartingWith("plan sql-job-")
                    .hasMessageContaining("line 4, column 27")
                    .hasMessageContaining("No match found for function signature KOUNT(<NUMERIC>)")
                    .satisfies(e -> assertThat(e.getMessage()).doesNotContain("Internal server error"));
            assertThat(target.jobs()).hasSize(jobsBefore);
        }

        JobState state(JobId id) {
            return target.job(id).map(FlinkRest.JobSummary::state).orElse(JobState.CREATED);
        }

        private SavepointStatus awaitSavepoint(JobId id, String trigger) {
            SavepointStatus[] last = new SavepointStatus[1];
            await(Duration.ofSeconds(60), () -> !((last[0] = target.savepointStatus(id, trigger))
                    instanceof SavepointStatus.InProgress));
            return last[0];
        }

        /** The lines printed since the first {@code from}, read once: the file grows while it is read. */
        List<String> outLinesFrom(int from) {
            List<String> lines = outLines();
            return lines.subList(Math.min(from, lines.size()), lines.size());
        }

        List<String> outLines() {
            try {
                Path out = cluster.logDir().resolve("taskmanager-0.out");
                return Files.exists(out) ? Files.readAllLines(out) : List.of();
            } catch (java.io.IOException e) {
                throw new java.io.UncheckedIOException(e);
            }
        }

        OptionalLong latestCount() {
            List<Long> all = counts(outLines());
            return all.isEmpty() ? OptionalLong.empty() : OptionalLong.of(all.get(all.size() - 1));
        }

        static List<Long> counts(List<String> lines) {
            return lines.stream().map(COUNT_LINE::matcher).filter(Matcher::find)
                    .map(m -> Long.parseLong(m.group(1))).toList();
        }
    }

    static void await(Duration timeout, Supplier<Boolean> condition) {
        long deadline = System.nanoTime() + timeout.toNanos();
        while (!condition.get()) {
            if (System.nanoTime() > deadline) {
                throw new AssertionError("condition not met within " + timeout);
            }
            try {
                Thread.sleep(200);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                throw new AssertionError(e);
            }
        }
    }
}
