package io.tributary.flink;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.tributary.flink.FlinkRest.SavepointStatus;
import io.tributary.model.JobState;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Instant;
import java.time.ZoneOffset;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

/** The fake behaves like Flink where the reconciler relies on it. */
class TestingFlinkTargetTest {
    private final TestingFlinkTarget flink = new TestingFlinkTarget(Clock.fixed(Instant.EPOCH, ZoneOffset.UTC));

    private JobSubmission submission(JobId id, String restoreFrom) {
        return new JobSubmission(id, Path.of("job.jar"), "com.example.Job", List.of(), 1, restoreFrom, false, Map.of());
    }

    @Test
    void submittingTheSameJobIdTwiceRunsOneJob() {
        JobId id = JobId.random();
        flink.submit(submission(id, null));
        flink.submit(submission(id, null));
        assertThat(flink.running()).hasSize(1);
    }

    @Test
    void stopWithSavepointFinishesTheJobAndRecordsTheSavepoint() {
        JobId id = JobId.random();
        flink.submit(submission(id, null));
        String trigger = flink.stopWithSavepoint(id, "file:///sp", false);
        assertThat(flink.savepointStatus(id, trigger)).isInstanceOf(SavepointStatus.Completed.class);
        assertThat(flink.job(id).orElseThrow().state()).isEqualTo(JobState.FINISHED);
        assertThat(flink.savepointsTaken()).singleElement().asString().startsWith("file:///sp/savepoint-");
    }

    @Test
    void aFailingSavepointLeavesTheJobRunning() {
        JobId id = JobId.random();
        flink.submit(submission(id, null));
        flink.failSavepoints("checkpoint coordinator is suspended");
        String trigger = flink.stopWithSavepoint(id, null, false);
        assertThat(flink.savepointStatus(id, trigger))
                .isEqualTo(new SavepointStatus.Failed("checkpoint coordinator is suspended"));
        assertThat(flink.job(id).orElseThrow().state()).isEqualTo(JobState.RUNNING);
    }

    @Test
    void aRestoredJobReportsWhereItCameFrom() {
        JobId id = JobId.random();
        flink.submit(submission(id, "file:///sp/savepoint-1"));
        assertThat(flink.checkpoints(id).restored()).get().extracting(FlinkRest.Checkpoint::externalPath)
                .isEqualTo("file:///sp/savepoint-1");
    }

    @Test
    void anUnreachableClusterThrowsUnreachableNotFailed() {
        flink.setUnreachable(true);
        assertThatThrownBy(flink::jobs).isInstanceOf(FlinkException.Unreachable.class);
    }
}
