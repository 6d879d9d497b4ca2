package io.tributary.apply;

import static org.assertj.core.api.Assertions.assertThat;

import io.tributary.flink.DeploymentTarget;
import io.tributary.flink.FlinkRest.CheckpointStats;
import io.tributary.flink.JobId;
import io.tributary.model.JobState;
import io.tributary.store.AppStatus;
import io.tributary.store.Operation;
import io.tributary.store.Store;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.function.BooleanSupplier;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import tools.jackson.databind.JsonNode;

/**
 * A real SQL job on a real local Flink cluster whose checkpoints start failing (each next
 * checkpoint's directory is taken by a plain file, so Flink cannot create it): after the rule's count
 * of failures the policy's {@code checkpoint-failures} alert goes out, and with {@code action:
 * restart} the job is restarted from its last completed checkpoint, which the alert says; once the
 * new job completes a checkpoint, a resolved notice follows.
 */
class CheckpointFailuresIT {
    private static final String APP = "payments/orders";

    @TempDir
    Path temp;

    private ReconcilerFixture fixture;
    private Store store;
    private List<JsonNode> received;
    private Path checkpoints;

    @BeforeEach
    void setUp() throws IOException {
        checkpoints = Files.createDirectories(temp.resolve("checkpoints"));
        ReconcilerFixture.Builder setup = ReconcilerFixture.in(temp);
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
                  flinkConfiguration:
                    # failed checkpoints do not fail the job: what Tributary does about them is the point
                    execution.checkpointing.tolerable-failed-checkpoints: 100000
                  alertPolicies: [payments-default]
                """.formatted(checkpoints.toUri()));
        setup.webhookAlerts(Duration.ofMillis(200), null,
                "checkpoint-failures, count: 3, within: 10m, action: restart");
        fixture = setup.build();
        store = fixture.store;
        received = fixture.received;
    }

    @AfterEach
    void tearDown() {
        fixture.close();
    }

    @Test
    void checkpointsThatKeepFailingAlertAndRestartTheJobFromItsLastCompletedCheckpoint() throws IOException {
        reconcileUntil("the job runs", Duration.ofMinutes(4), () -> store.status(APP).map(AppStatus::jobState)
                .filter(JobState.RUNNING.name()::equals).isPresent());
        String job = store.status(APP).orElseThrow().jobId();
        DeploymentTarget flink = target();
        reconcileUntil("a first checkpoint completes", Duration.ofMinutes(2),
                () -> flink.checkpoints(new JobId(job)).latestCompleted().isPresent());

        // every next checkpoint directory of this job is a plain file now: Flink cannot create it
        CheckpointStats before = flink.checkpoints(new JobId(job));
        long next = before.latestCompleted().orElseThrow().id() + before.inProgress() + 1;
        Path jobDir = checkpoints.resolve(job);
        for (long id = next; id < next + 2_000; id++) {
            Path chk = jobDir.resolve("chk-" + id);
            try {
                if (!Files.exists(chk)) {
                    Files.writeString(chk, "in the way");
                }
            } catch (IOException e) {
                // Flink made this one a directory meanwhile: that checkpoint may complete, the next ones cannot
            }
        }

        reconcileUntil("the checkpoint-failures alert goes out", Duration.ofMinutes(2), () -> !received.isEmpty());
        JsonNode alert = received.get(0);
        assertThat(alert.path("event").asString()).isEqualTo("checkpoint-failures");
        assertThat(alert.path("status").asString()).isEqualTo("firing");
        assertThat(alert.path("app").asString()).isEqualTo(APP);
        assertThat(alert.path("message").asString()).contains("checkpoint(s) of job " + job + " failed within 10m")
                .contains("action restart: restarting the job from its last completed checkpoint file:");
        assertThat(alert.path("action").asString()).contains("restart");

        reconcileUntil("a new job runs", Duration.ofMinutes(3), () -> store.status(APP)
                .filter(s -> !job.equals(s.jobId()) && JobState.RUNNING.name().equals(s.jobState())).isPresent());
        Operation restart = store.operations(APP, 10).stream().filter(o -> o.kind().equals("upgrade")).findFirst()
                .orElseThrow();
        assertThat(restart.status()).isEqualTo(Operation.DONE);
        assertThat(restart.oldJobId()).isEqualTo(job);
        assertThat(restart.restoreFrom()).as("restored from the last completed checkpoint").contains(job + "/chk-");
        assertThat(alert.path("message").asString()).contains(restart.restoreFrom());

        reconcileUntil("the resolved notice goes out once the new job checkpoints", Duration.ofMinutes(2),
                () -> received.size() >= 2);
        assertThat(received.get(1).path("status").asString()).isEqualTo("resolved");
        assertThat(received.get(1).path("event").asString()).isEqualTo("checkpoint-failures");
        assertThat(received).hasSize(2);
    }

    private DeploymentTarget target() {
        return fixture.target("local");
    }

    private void reconcileUntil(String what, Duration timeout, BooleanSupplier condition) {
        fixture.reconcileUntil(what, timeout, condition,
                () -> "status " + store.status(APP) + ", alerts " + received);
    }
}
