package io.tributary.flink;

import io.tributary.model.JobState;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import java.util.Optional;

/** The values Flink's REST API answers with, as far as Tributary reads them. */
public final class FlinkRest {
    private FlinkRest() {}

    public record ClusterOverview(String flinkVersion, int taskManagers, int slotsTotal, int slotsAvailable,
            int jobsRunning) {}

    public record TaskManager(String id, int slots, int freeSlots) {}

    /**
     * A job as Flink's job listing shows it.
     *
     * @param lastModification when the job or one of its tasks last changed state (a restart moves it)
     */
    public record JobSummary(JobId id, String name, JobState state, Instant startTime, Optional<Instant> endTime,
            Instant lastModification) {
        public JobSummary(JobId id, String name, JobState state, Instant startTime, Optional<Instant> endTime) {
            this(id, name, state, startTime, endTime, startTime);
        }
    }

    /** The root exception and the history Flink keeps, newest first. */
    public record JobExceptions(Optional<String> rootException, Optional<Instant> timestamp, List<String> history) {}

    /**
     * Checkpoint counts, the latest completed checkpoint or savepoint (whichever is newer), the last
     * failure, and what the job was restored from.
     */
    public record CheckpointStats(long completed, long failed, long inProgress, Optional<Checkpoint> latestCompleted,
            Optional<String> latestFailureMessage, Optional<Checkpoint> restored) {}

    public record Checkpoint(long id, String externalPath, Instant time, boolean savepoint, long sizeBytes) {}

    /** A request to run an uploaded jar; the JobID is chosen by the caller. */
    public record RunRequest(String entryClass, List<String> args, Integer parallelism, JobId jobId,
            String savepointPath, boolean allowNonRestoredState, Map<String, String> flinkConfiguration) {
        public RunRequest {
            args = args == null ? List.of() : List.copyOf(args);
            flinkConfiguration = flinkConfiguration == null ? Map.of() : Map.copyOf(flinkConfiguration);
        }
    }

    /** Where an asynchronous savepoint (or stop-with-savepoint) stands. */
    public sealed interface SavepointStatus {
        record InProgress() implements SavepointStatus {}

        record Completed(String location) implements SavepointStatus {}

        record Failed(String message) implements SavepointStatus {}
    }
}
