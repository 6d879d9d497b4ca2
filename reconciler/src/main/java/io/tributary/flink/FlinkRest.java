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
     * @param tasksRunning how many of the job's tasks run or have finished; with {@code tasksTotal} 0 when not
     *     known
     */
    public record JobSummary(JobId id, String name, JobState state, Instant startTime, Optional<Instant> endTime,
            Instant lastModification, int tasksRunning, int tasksTotal) {
        public JobSummary(JobId id, String name, JobState state, Instant startTime, Optional<Instant> endTime,
                Instant lastModification) {
            this(id, name, state, startTime, endTime, lastModification, 0, 0);
        }

        public JobSummary(JobId id, String name, JobState state, Instant startTime, Optional<Instant> endTime) {
            this(id, name, state, startTime, endTime, startTime);
        }

        /** Flink says the job runs, but not all its tasks do (they wait for slots, or are being restarted). */
        public boolean tasksWaiting() {
            return tasksTotal > 0 && tasksRunning < tasksTotal;
        }
    }

    /** The root exception and the history Flink keeps, newest first. */
    public record JobExceptions(Optional<String> rootException, Optional<Instant> timestamp, List<Failure> history) {
        /**
         * A Flink stack trace in one line for people: its innermost {@code Caused by:} (the reason, such as
         * NoResourceAvailableException, under wrappers like "Recovery is suppressed by ..."), else its first line.
         */
        public static String cause(String stacktrace) {
            String first = stacktrace.lines().findFirst().orElse("exception").strip();
            String innermost = stacktrace.lines().map(String::strip).filter(l -> l.startsWith("Caused by: "))
                    .reduce((a, b) -> b).map(l -> l.substring("Caused by: ".length())).orElse(first);
            return innermost.length() > 300 ? innermost.substring(0, 300) + "…" : innermost;
        }
    }

    /**
     * One failure in a job's exception history: each one Flink handled by restarting the job (or by
     * failing it, when its restart strategy gave up).
     */
    public record Failure(Instant at, String stacktrace) {
        /** The exception's first line (its class and message), cut to a length an event can show. */
        public String summary() {
            int end = stacktrace.indexOf('\n');
            String line = (end < 0 ? stacktrace : stacktrace.substring(0, end)).strip();
            return line.length() <= 300 ? line : line.substring(0, 299) + "…";
        }
    }

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
