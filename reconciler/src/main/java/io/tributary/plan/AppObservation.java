package io.tributary.plan;

import io.tributary.model.Application.UpgradeMode;
import io.tributary.model.JobState;
import java.time.Instant;
import java.util.List;
import java.util.Optional;

/**
 * What is known about one application besides Git: the job Tributary last started for it and
 * what Flink says of that job, its savepoints, restarts, overrides and failed attempts. Built by
 * the observe step from Flink and the store; the planner only reads it.
 *
 * @param job the job Tributary considers current (empty once suspended, deleted or never started)
 * @param applied the spec that job was started with (empty when never deployed)
 * @param everDeployed whether any job was ever started for this app (a first start may restore
 *     from {@code spec.restore})
 * @param savepoints restorable savepoints (not disposed), newest first
 * @param recentRestarts automatic restarts, newest first
 * @param operationInFlight an operation of this app has not finished; apply owns the app until it does
 * @param lastFailure the newest failed operation, if it was the latest thing that happened
 * @param suspendedByService the app's latest operation is a suspend the service made of its job for its own
 *     reasons: the service stopped, and the cluster with it, or the cluster restarted with a new spec. The job
 *     is the service's to resume, even while syncing is paused
 */
public record AppObservation(
        String app,
        Optional<CurrentJob> job,
        Optional<AppliedSpec> applied,
        boolean everDeployed,
        List<KeptSavepoint> savepoints,
        List<Instant> recentRestarts,
        Optional<Override> override,
        boolean operationInFlight,
        Optional<FailedAttempt> lastFailure,
        boolean suspendedByService) {

    public AppObservation {
        savepoints = List.copyOf(savepoints);
        recentRestarts = List.copyOf(recentRestarts);
    }

    /** An application Tributary knows nothing about yet. */
    public static AppObservation unknown(String app) {
        return new AppObservation(app, Optional.empty(), Optional.empty(), false, List.of(), List.of(),
                Optional.empty(), false, Optional.empty(), false);
    }

    public Optional<KeptSavepoint> latestSavepoint() {
        return savepoints.stream().findFirst();
    }

    /**
     * A job as Flink reports it.
     *
     * @param state Flink's state; {@link JobState#LOST} when its cluster cannot be reached; empty
     *     when the cluster answers but no longer knows the job (a restarted session cluster)
     * @param latestCheckpoint the external path of the newest completed checkpoint, if any; of a
     *     {@code FINISHED} job only a savepoint it was stopped with (Flink discards its checkpoints)
     * @param lastChange when the job or one of its tasks last changed state, as Flink says (a restart
     *     by Flink moves it); {@code startedAt} when not known
     * @param cluster the name of the cluster the job was started on; empty when not known, then taken to
     *     be the one Git names
     * @param tasksWaiting since when the job, alive, has not had all its tasks running (they wait for slots,
     *     or Flink keeps restarting it), as this service saw it, and how many run now; empty while they all run
     */
    public record CurrentJob(String jobId, Optional<JobState> state, Instant startedAt,
            Optional<String> latestCheckpoint, Instant lastChange, Optional<String> cluster,
            Optional<TasksWaiting> tasksWaiting) {
        public CurrentJob(String jobId, Optional<JobState> state, Instant startedAt,
                Optional<String> latestCheckpoint, Instant lastChange, Optional<String> cluster) {
            this(jobId, state, startedAt, latestCheckpoint, lastChange, cluster, Optional.empty());
        }

        public CurrentJob(String jobId, Optional<JobState> state, Instant startedAt, Optional<String> latestCheckpoint) {
            this(jobId, state, startedAt, latestCheckpoint, startedAt, Optional.empty());
        }
    }

    /** Tasks of a job that do not all run: since when (as seen), and how many of how many run now. */
    public record TasksWaiting(Instant since, int running, int total) {}

    /** What the current job was deployed from: enough to handle the app after it left Git. */
    public record AppliedSpec(String specHash, String revision, UpgradeMode upgradeMode, boolean prune) {}

    /**
     * A restorable savepoint (or, for an app without a job, the checkpoint a job was cancelled with).
     *
     * @param ours taken by Tributary, so that retention may dispose of it; not one a job was stopped with
     *     outside Tributary or {@code spec.restore.savepoint}, whose files are someone else's
     */
    public record KeptSavepoint(long id, String path, Instant createdAt, boolean ours) {
        public KeptSavepoint(long id, String path, Instant createdAt) {
            this(id, path, createdAt, true);
        }

        /** A checkpoint's path, as Flink names its directories: {@code <dir>/<jobId>/chk-N}. */
        public static boolean isCheckpointPath(String path) {
            return path.matches(".*/chk-\\d+/?");
        }

        /** "checkpoint" or "savepoint", for messages. */
        public String what() {
            return isCheckpointPath(path) ? "checkpoint" : "savepoint";
        }
    }

    /**
     * An operator's override: a pinned state and/or paused syncing, set {@code since}; a pin to
     * suspended says how the job is stopped ({@code drain}, {@code cancelIfSavepointFails}).
     */
    public record Override(Optional<io.tributary.model.Application.DesiredState> pinnedState, boolean drain,
            boolean cancelIfSavepointFails, boolean syncPaused, String actor, String reason, Instant since) {}

    /**
     * A failed operation: the planner does not retry it before a backoff that grows with
     * {@code attempts}, and shows its error meanwhile.
     */
    public record FailedAttempt(String kind, String specHash, Instant at, int attempts, String error) {}
}
