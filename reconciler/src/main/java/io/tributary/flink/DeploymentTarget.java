package io.tributary.flink;

import io.tributary.flink.FlinkRest.CheckpointStats;
import io.tributary.flink.FlinkRest.JobExceptions;
import io.tributary.flink.FlinkRest.JobSummary;
import io.tributary.flink.FlinkRest.SavepointStatus;
import java.util.List;
import java.util.Optional;

/**
 * Where jobs run: a standalone session, later YARN and Kubernetes. Savepoints are started and
 * then polled, so the caller can record the operation in between and survive a crash.
 * Every method throws {@link FlinkException}; {@link FlinkException.Unreachable} means the
 * cluster could not be asked, which is not a statement about the jobs.
 */
public interface DeploymentTarget {

    /**
     * Starts a job under the submission's JobID. Submitting an id that already runs is a no-op,
     * so a retried intent never starts a job twice.
     */
    void submit(JobSubmission submission);

    /**
     * Has Flink build the job's plan without starting it, where the target can: a job the planner
     * refuses is then refused before the job it is to replace stops. A per-app cluster cannot (the
     * cluster is started with its job) and accepts every job here.
     */
    default void check(JobSubmission submission) {}

    /**
     * The checkpoint directory the cluster's own configuration sets (for jobs that name none), as its
     * JobManager reports it; empty when it sets none or cannot be asked.
     */
    default Optional<String> checkpointDirectory() {
        return Optional.empty();
    }

    /** Every job the cluster knows, in one call. */
    List<JobSummary> jobs();

    default Optional<JobSummary> job(JobId id) {
        return jobs().stream().filter(j -> j.id().equals(id)).findFirst();
    }

    CheckpointStats checkpoints(JobId id);

    JobExceptions exceptions(JobId id);

    /** Starts a savepoint of a running job; returns the trigger id to poll. */
    String triggerSavepoint(JobId id, String targetDirectory);

    /** Stops a job with a final savepoint; returns the trigger id to poll. */
    String stopWithSavepoint(JobId id, String targetDirectory, boolean drain);

    SavepointStatus savepointStatus(JobId id, String triggerId);

    /**
     * Deletes a savepoint's files (Flink's savepoint disposal) and waits for it; throws
     * {@link FlinkException.Rejected} with Flink's reason when it cannot.
     */
    void disposeSavepoint(String path);

    /** Cancels a job without a savepoint. */
    void cancel(JobId id);
}
