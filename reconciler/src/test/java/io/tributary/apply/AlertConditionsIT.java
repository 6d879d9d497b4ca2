package io.tributary.apply;

import static org.assertj.core.api.Assertions.assertThat;

import io.tributary.flink.JobId;
import io.tributary.flink.TestingFlinkTarget;
import io.tributary.store.AlertRecord;
import io.tributary.store.AlertStore;
import io.tributary.store.MutableClock;
import io.tributary.store.Store;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.stream.Collectors;
import java.util.stream.IntStream;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import tools.jackson.databind.JsonNode;

/**
 * The reconciler noticing what alerts are about, over a real store and the in-memory Flink, with
 * the dispatcher posting to a local webhook: a cluster that stops answering with 20 apps on it is
 * one cluster-down alert and one resolved notice, and a job that fails is one job-failed alert,
 * resolved once the restart policy has it running again.
 */
class AlertConditionsIT {
    private static final int APPS = 20;

    @TempDir
    Path temp;

    private ReconcilerFixture fixture;
    private Path repo;
    private TestingFlinkTarget flink;
    private Store store;
    private AlertStore alerts;
    private List<JsonNode> received;

    /** A repository of {@code apps} apps on the managed cluster, all alerting the local webhook. */
    private void start(int apps) throws IOException {
        ReconcilerFixture.Builder setup = ReconcilerFixture.in(temp)
                .inMemoryFlink(new MutableClock(Instant.parse("2026-11-26T10:00:00Z")))
                .savepoints(Duration.ofSeconds(2), Duration.ofMillis(5));
        setup.write("teams/payments/apps.yaml", IntStream.rangeClosed(1, apps).mapToObj(i -> """
                apiVersion: tributary.io/v1
                kind: Application
                metadata: {name: orders-%02d, team: payments}
                spec:
                  deployment: {mode: standalone-session, cluster: local}
                  job:
                    type: sql
                    sql: {file: sql/orders.sql}
                  restartPolicy: {maxRestarts: 1, window: 10m}
                  alertPolicies: [payments-default]
                """.formatted(i)).collect(Collectors.joining("---\n")));
        setup.webhookAlerts(Duration.ofMillis(50), "http://tributary.test", "cluster-down", "job-failed", "job-lost",
                "restarts-exceeded", "invalid-revision");
        fixture = setup.build();
        repo = fixture.repo;
        flink = fixture.flink();
        store = fixture.store;
        alerts = fixture.alerts;
        received = fixture.received;
    }

    @AfterEach
    void tearDown() {
        if (fixture != null) {
            fixture.close();
        }
    }

    private void passes(int n) {
        fixture.passes(n);
    }

    @Test
    void aClusterDownWithTwentyAppsIsOneAlertAndOneResolvedNotice() throws IOException {
        start(APPS);
        passes(3);
        assertThat(flink.running()).hasSize(APPS);

        flink.setUnreachable(true);
        passes(3);
        JsonNode down = await(1).get(0);
        assertThat(down.path("event").asString()).isEqualTo("cluster-down");
        assertThat(down.path("status").asString()).isEqualTo("firing");
        assertThat(down.path("subject").asString()).isEqualTo("cluster:local");
        assertThat(down.path("cluster").asString()).isEqualTo("local");
        assertThat(down.path("apps")).hasSize(APPS);
        assertThat(down.path("message").asString()).contains("cluster local cannot be reached; 20 app(s) on it");

        flink.setUnreachable(false);
        passes(3);
        JsonNode back = await(2).get(1);
        assertThat(back.path("event").asString()).isEqualTo("cluster-down");
        assertThat(back.path("status").asString()).isEqualTo("resolved");
        assertThat(back.path("message").asString()).isEqualTo("cluster local answers again");

        passes(2);
        sleep(1_000); // what else might have been sent would have been by now
        assertThat(received).as("one alert and its resolved notice, nothing per app").hasSize(2);
        assertThat(store.events("cluster:local", 10)).extracting(e -> e.type())
                .containsExactly("cluster-down-resolved", "cluster-down");
    }

    /** One savepoint app, payments/orders, whose policy restarts it after 2 failed checkpoints; running. */
    private void startOrdersWithARestartingCheckpointRule(MutableClock clock) throws IOException {
        ReconcilerFixture.Builder setup = ReconcilerFixture.in(temp).inMemoryFlink(clock)
                .savepoints(Duration.ofSeconds(2), Duration.ofMillis(5));
        setup.write("teams/payments/apps.yaml", """
                apiVersion: tributary.io/v1
                kind: Application
                metadata: {name: orders, team: payments}
                spec:
                  deployment: {mode: standalone-session, cluster: local}
                  job:
                    type: sql
                    sql: {file: sql/orders.sql}
                  upgradeMode: savepoint
                  alertPolicies: [payments-default]
                """);
        setup.webhookAlerts(Duration.ofMillis(50), null, "checkpoint-failures, count: 2, within: 10m, action: restart");
        fixture = setup.build();
        flink = fixture.flink();
        store = fixture.store;
        passes(3);
    }

    @Test
    void failingCheckpointsDoNotRestartAJobIntoAnUpgradeItsSavepointRefused() throws IOException {
        startOrdersWithARestartingCheckpointRule(new MutableClock(Instant.parse("2026-11-26T10:00:00Z")));
        String job = store.status("payments/orders").orElseThrow().jobId();

        flink.failSavepoints("the savepoint directory is not writable");
        Path sql = fixture.repo.resolve("sql/orders.sql");
        fixture.write("sql/orders.sql", java.nio.file.Files.readString(sql) + "-- a new version\n");
        passes(2);
        assertThat(store.status("payments/orders").orElseThrow().jobId()).as("the upgrade failed").isEqualTo(job);
        flink.failCheckpoints(new JobId(job), 3);
        passes(3);

        assertThat(store.status("payments/orders").orElseThrow().jobId())
                .as("not restarted into Git's new spec from a checkpoint").isEqualTo(job);
        assertThat(store.events("payments/orders", 20)).filteredOn(e -> e.type().equals("checkpoint-failures"))
                .singleElement().satisfies(e -> assertThat(e.message()).contains("3 checkpoint(s)")
                        .contains("not restarted, the job runs an older spec than Git's"));
    }

    @Test
    void aJobWaitingForSlotsIsNotRestartedForItsDeclinedCheckpointsAndAFixInGitUpgradesItFromItsCheckpoint()
            throws IOException {
        MutableClock clock = new MutableClock(Instant.parse("2026-11-26T10:00:00Z"));
        startOrdersWithARestartingCheckpointRule(clock);
        String job = store.status("payments/orders").orElseThrow().jobId();
        String checkpoint = flink.completeCheckpoint(new JobId(job)).externalPath();

        flink.tasksWaiting(new JobId(job), 0, 6);
        flink.failCheckpoints(new JobId(job), 5); // Flink declines every trigger while tasks wait
        flink.failSavepoints("Checkpoint triggering task Source: orders (1/6) is not being executed at the moment");
        passes(3);
        assertThat(store.status("payments/orders").orElseThrow().jobId()).as("not restarted").isEqualTo(job);
        assertThat(store.events("payments/orders", 20)).extracting(e -> e.type()).doesNotContain("checkpoint-failures");
        assertThat(store.status("payments/orders").orElseThrow().message()).contains("0 of 6 tasks running");

        clock.advance(Duration.ofMinutes(4));
        passes(1);
        assertThat(store.status("payments/orders").orElseThrow().health()).isEqualTo("Degraded");
        Path sql = fixture.repo.resolve("sql/orders.sql");
        fixture.write("sql/orders.sql", java.nio.file.Files.readString(sql) + "-- fewer slots\n");
        passes(3);

        String upgraded = store.status("payments/orders").orElseThrow().jobId();
        assertThat(upgraded).as("the fix in Git is applied though no savepoint can be taken").isNotEqualTo(job);
        assertThat(flink.fake(new JobId(upgraded)).orElseThrow().submission().restoreFrom()).isEqualTo(checkpoint);
    }

    @Test
    void aFailedJobIsOneAlertResolvedWhenTheRestartRuns() throws IOException {
        start(8);
        passes(3);
        String app = "payments/orders-07";
        String job = store.status(app).orElseThrow().jobId();
        flink.failJob(new JobId(job), "java.lang.ArithmeticException: / by zero");
        passes(3);

        JsonNode failed = await(1).get(0);
        assertThat(failed.path("event").asString()).isEqualTo("job-failed");
        assertThat(failed.path("app").asString()).isEqualTo(app);
        assertThat(failed.path("message").asString()).contains("job " + job + " FAILED")
                .as("Flink's reason, once").contains("java.lang.ArithmeticException: / by zero").contains("restart 1 of 1")
                .doesNotContain("FAILED: job FAILED");
        JsonNode resolved = await(2).get(1);
        assertThat(resolved.path("status").asString()).isEqualTo("resolved");
        assertThat(resolved.path("app").asString()).isEqualTo(app);
        assertThat(store.status(app).orElseThrow().jobId()).isNotEqualTo(job);
        AlertRecord alert = alerts.alerts(new Store.Filter(app, null, null, null), 10, 0).items().get(0);
        assertThat(alert.event()).isEqualTo("job-failed");
        assertThat(alert.resolvedAt()).isNotNull();
    }

    @Test
    void aJobThatFailsAgainAfterItsLastRestartAlertsThatTheRestartsAreSpent() throws IOException {
        start(3);
        passes(3);
        String app = "payments/orders-03";
        flink.failJob(new JobId(store.status(app).orElseThrow().jobId()), "boom");
        passes(3); // job-failed, restart 1 of 1, running again: resolved
        await(2);
        flink.failJob(new JobId(store.status(app).orElseThrow().jobId()), "boom again");
        passes(3);
        List<JsonNode> all = await(4);
        assertThat(all.subList(2, 4)).extracting(n -> n.path("event").asString() + " " + n.path("status").asString())
                .containsExactlyInAnyOrder("job-failed firing", "restarts-exceeded firing");
        JsonNode exceeded = all.stream().filter(n -> n.path("event").asString().equals("restarts-exceeded"))
                .findFirst().orElseThrow();
        assertThat(exceeded.path("message").asString()).startsWith("1 restarts within 10m reached"
                + " restartPolicy.maxRestarts (1); the job is down (FAILED); it is restarted again from ");
        assertThat(exceeded.path("message").asString()).endsWith(", when the oldest of them leaves the window;"
                + " an operator's start, or a new spec in Git, runs it again");
        passes(2);
        assertThat(received).as("the job stays down: nothing more is sent").hasSize(4);
    }

    @Test
    void aRestartByFlinkItselfIsOneEventNamingTheFailureAndNoAlert() throws IOException {
        start(2);
        passes(3);
        String app = "payments/orders-02";
        JobId job = new JobId(store.status(app).orElseThrow().jobId());
        flink.restartByFlink(job, "org.apache.flink.runtime.jobmaster.JobMasterException: TaskManager with id tm-1"
                + " is no longer reachable.\n\tat org.apache.flink.runtime.jobmaster.JobMaster.disconnectTaskManager");
        passes(3);
        flink.restartByFlink(job, "java.lang.ArithmeticException: / by zero\n\tat Orders.map");
        passes(3);

        assertThat(store.events(app, 20)).filteredOn(e -> e.type().equals("job-restarted"))
                .extracting(e -> e.severity() + " " + e.message()).containsExactly(
                        "warning Flink restarted job " + job + " per its restart strategy after"
                                + " java.lang.ArithmeticException: / by zero; job RUNNING",
                        "warning Flink restarted job " + job + " per its restart strategy after"
                                + " org.apache.flink.runtime.jobmaster.JobMasterException: TaskManager with id tm-1"
                                + " is no longer reachable.; job RUNNING");
        assertThat(store.status(app).orElseThrow().jobId()).as("Flink's job runs on; Tributary started none")
                .isEqualTo(job.hex());
        assertThat(store.events("payments/orders-01", 20)).extracting(e -> e.type()).doesNotContain("job-restarted");
        assertThat(alerts.alerts(new Store.Filter(app, null, null, null), 10, 0).items())
                .as("Flink recovered the job: history, not an alert").isEmpty();
        sleep(1_000); // past the dispatcher's 0.5 s group wait: anything fired would have been sent
        assertThat(received).isEmpty();
    }

    @Test
    void aJobGoneFromAClusterThatAnswersIsJobLostUntilItRunsAgain() throws IOException {
        start(1);
        passes(3);
        String app = "payments/orders-01";
        String job = store.status(app).orElseThrow().jobId();
        flink.forgetJob(new JobId(job));
        passes(3);
        JsonNode lost = await(1).get(0);
        assertThat(lost.path("event").asString()).isEqualTo("job-lost");
        assertThat(lost.path("message").asString()).contains("job " + job + " is gone from cluster local, which answers");
        JsonNode resolved = await(2).get(1);
        assertThat(resolved.path("event").asString() + " " + resolved.path("status").asString())
                .isEqualTo("job-lost resolved");
    }

    @Test
    void anInvalidRevisionAlertsOnceAndIsResolvedByAValidOne() throws IOException {
        start(1);
        passes(2);
        Path apps = repo.resolve("teams/payments/apps.yaml");
        String valid = Files.readString(apps);
        Files.writeString(apps, valid.replaceFirst("cluster: local", "cluster: lcoal"));
        passes(2);
        JsonNode invalid = await(1).get(0);
        assertThat(invalid.path("event").asString()).isEqualTo("invalid-revision");
        assertThat(invalid.path("subject").asString()).isEqualTo("platform:source");
        assertThat(invalid.path("message").asString()).contains("is invalid (1 error(s))").contains("lcoal")
                .contains("stays in force");
        Files.writeString(apps, valid);
        passes(2);
        JsonNode resolved = await(2).get(1);
        assertThat(resolved.path("event").asString()).isEqualTo("invalid-revision");
        assertThat(resolved.path("status").asString()).isEqualTo("resolved");
    }

    private List<JsonNode> await(int count) {
        long deadline = System.nanoTime() + Duration.ofSeconds(30).toNanos();
        while (received.size() < count) {
            assertThat(System.nanoTime()).as("the webhook receives " + count + " notices; got " + received)
                    .isLessThan(deadline);
            sleep(20);
        }
        return List.copyOf(received);
    }

    private static void sleep(long ms) {
        try {
            Thread.sleep(ms);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new AssertionError(e);
        }
    }
}
