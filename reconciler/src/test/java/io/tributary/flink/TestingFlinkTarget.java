package io.tributary.flink;

import io.tributary.flink.FlinkRest.Checkpoint;
import io.tributary.flink.FlinkRest.CheckpointStats;
import io.tributary.flink.FlinkRest.Failure;
import io.tributary.flink.FlinkRest.JobExceptions;
import io.tributary.flink.FlinkRest.JobSummary;
import io.tributary.flink.FlinkRest.SavepointStatus;
import io.tributary.model.JobState;
import java.time.Clock;
import java.time.Instant;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;

/**
 * A stateful, in-memory deployment target for the planner's and apply's tests: it keeps jobs,
 * their checkpoints and savepoints, what each job was restored from, and can be told to fail.
 * No mocking library: it behaves like a small Flink.
 */
public final class TestingFlinkTarget implements DeploymentTarget {

    /** One job as this fake Flink knows it. */
    public static final class FakeJob {
        final JobSubmission submission;
        JobState state = JobState.RUNNING;
        final Instant started;
        Instant ended;
        Instant lastChange;
        /** Newest first, as Flink's exception history. */
        final List<Failure> failures = new ArrayList<>();
        final List<Checkpoint> checkpoints = new ArrayList<>();
        /** Flink's count of failed checkpoints of the job. */
        long failedCheckpoints;
        /** Of the job's tasks, how many run, of how many; 0 of 0 when all run (Flink's listing not modelled). */
        int tasksRunning;
        int tasksTotal;

        FakeJob(JobSubmission submission, Instant started) {
            this.submission = submission;
            this.started = started;
            this.lastChange = started;
        }

        public JobSubmission submission() {
            return submission;
        }

        public JobState state() {
            return state;
        }
    }

    private final Clock clock;
    private final Map<JobId, FakeJob> jobs = new LinkedHashMap<>();
    private final Map<String, SavepointStatus> operations = new LinkedHashMap<>();
    private final List<String> savepoints = new ArrayList<>();
    private final List<String> disposed = new ArrayList<>();
    private boolean unreachable;
    private boolean hung;
    private String nextSubmitFailure;
    private boolean loseNextSubmitAnswer;
    private String planFailure;
    private String savepointFailure;
    private boolean savepointsStayInProgress;
    /** Held savepoints by trigger: what {@link #completeHeldSavepoints} finishes. */
    private final Map<String, Runnable> held = new LinkedHashMap<>();
    private int submitCalls;
    private String checkpointDirectory;

    public TestingFlinkTarget(Clock clock) {
        this.clock = clock;
    }

    // ---- what tests tell it

    public synchronized void setUnreachable(boolean unreachable) {
        this.unreachable = unreachable;
    }

    /**
     * While held, a listing of jobs does not return, as with a JobManager that accepts connections
     * and never answers; it throws {@link FlinkException.Unreachable} when its thread is interrupted.
     */
    public synchronized void hang(boolean hang) {
        this.hung = hang;
        notifyAll();
    }

    /** The JobManager reports this checkpoint directory in its configuration, as an external cluster's config.yaml sets it. */
    public synchronized void configureCheckpointDirectory(String directory) {
        this.checkpointDirectory = directory;
    }

    @Override
    public synchronized Optional<String> checkpointDirectory() {
        return Optional.ofNullable(checkpointDirectory);
    }

    /** The next submit throws Flink's rejection with this message. */
    public synchronized void failNextSubmit(String message) {
        this.nextSubmitFailure = message;
    }

    /** The next submit starts its job, but its answer is lost: the caller sees the cluster not answering. */
    public synchronized void loseNextSubmitAnswer() {
        this.loseNextSubmitAnswer = true;
    }

    /** Every plan of a job ({@link #check}) is refused with this message until cleared with null. */
    public synchronized void refusePlans(String message) {
        this.planFailure = message;
    }

    /** Every savepoint (and stop-with-savepoint) fails with this message until cleared with null; the job keeps running. */
    public synchronized void failSavepoints(String message) {
        this.savepointFailure = message;
    }

    /** Flink counts {@code count} more failed checkpoints of the job. */
    public synchronized void failCheckpoints(JobId id, long count) {
        existing(id).failedCheckpoints += count;
    }

    /** Only {@code running} of the job's {@code total} tasks run, as when the cluster lacks free slots. */
    public synchronized void tasksWaiting(JobId id, int running, int total) {
        FakeJob job = existing(id);
        job.tasksRunning = running;
        job.tasksTotal = total;
    }

    /** Savepoints are accepted but never finish, like a slow Flink. */
    public synchronized void holdSavepoints(boolean hold) {
        this.savepointsStayInProgress = hold;
    }

    /** Stops holding, and lets every savepoint held so far complete now (stopping its job if it was a stop). */
    public synchronized void completeHeldSavepoints() {
        savepointsStayInProgress = false;
        held.values().forEach(Runnable::run);
        held.clear();
    }

    /** The job fails on its own, as a bad record or a lost dependency would make it. */
    public synchronized void failJob(JobId id, String exception) {
        FakeJob job = existing(id);
        job.state = JobState.FAILED;
        job.failures.add(0, new Failure(clock.instant(), exception));
        job.ended = clock.instant();
        job.lastChange = job.ended;
    }

    /**
     * The job's task fails and Flink's restart strategy has it running again: the same job, RUNNING,
     * with the failure in its exception history; it is over before a pass could see RESTARTING.
     */
    public synchronized void restartByFlink(JobId id, String exception) {
        FakeJob job = existing(id);
        // Flink's clock moves between the job's last change, the failure and the restart
        Instant failedAt = clock.instant().isAfter(job.lastChange) ? clock.instant() : job.lastChange.plusMillis(1);
        job.failures.add(0, new Failure(failedAt, exception));
        job.lastChange = failedAt.plusMillis(1);
    }

    /** The job reaches the end of its input, as a bounded job does. */
    public synchronized void finishOnItsOwn(JobId id) {
        FakeJob job = existing(id);
        job.state = JobState.FINISHED;
        job.ended = clock.instant();
        job.lastChange = job.ended;
    }

    /** The cluster forgets the job, as a session cluster restarted without high availability does. */
    public synchronized void forgetJob(JobId id) {
        existing(id);
        jobs.remove(id);
    }

    /** The job is cancelled by someone outside Tributary. */
    public synchronized void cancelFromOutside(JobId id) {
        cancel(id);
    }

    /** A completed checkpoint, as Flink would take one on its interval. */
    public synchronized Checkpoint completeCheckpoint(JobId id) {
        FakeJob job = existing(id);
        Checkpoint checkpoint = new Checkpoint(job.checkpoints.size() + 1L,
                "memory://checkpoints/" + id + "/chk-" + (job.checkpoints.size() + 1), clock.instant(), false, 1024);
        job.checkpoints.add(checkpoint);
        return checkpoint;
    }

    // ---- what tests read

    public synchronized Optional<FakeJob> fake(JobId id) {
        return Optional.ofNullable(jobs.get(id));
    }

    public synchronized List<FakeJob> running() {
        return jobs.values().stream().filter(j -> j.state == JobState.RUNNING).toList();
    }

    public synchronized List<String> savepointsTaken() {
        return List.copyOf(savepoints);
    }

    public synchronized List<String> savepointsDisposed() {
        return List.copyOf(disposed);
    }

    /** How many savepoints (and stops with a savepoint) were asked for, completed or not. */
    public synchronized int savepointTriggers() {
        return operations.size();
    }

    public synchronized int submitCalls() {
        return submitCalls;
    }

    // ---- DeploymentTarget

    @Override
    public synchronized void submit(JobSubmission submission) {
        reachable();
        submitCalls++;
        if (nextSubmitFailure != null) {
            String message = nextSubmitFailure;
            nextSubmitFailure = null;
            throw new FlinkException.ServerError("run failed with HTTP 500: " + message);
        }
        jobs.putIfAbsent(submission.jobId(), new FakeJob(submission, clock.instant()));
        if (loseNextSubmitAnswer) {
            loseNextSubmitAnswer = false;
            throw new FlinkException.Unreachable("run: Flink did not answer: request timed out", null);
        }
    }

    @Override
    public synchronized void check(JobSubmission submission) {
        reachable();
        if (planFailure != null) {
            throw new FlinkException.Rejected(400, "plan failed with HTTP 400: " + planFailure);
        }
    }

    @Override
    public synchronized List<JobSummary> jobs() {
        while (hung) {
            try {
                wait();
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                throw new FlinkException.Unreachable("testing cluster was asked while it hung", e);
            }
        }
        reachable();
        return jobs.entrySet().stream().map(e -> summary(e.getKey(), e.getValue())).toList();
    }

    @Override
    public synchronized CheckpointStats checkpoints(JobId id) {
        reachable();
        FakeJob job = existing(id);
        Optional<Checkpoint> restored = Optional.ofNullable(job.submission.restoreFrom())
                .map(path -> new Checkpoint(0, path, job.started, path.contains("savepoint"), 1024));
        Optional<Checkpoint> latest = job.checkpoints.isEmpty() ? Optional.empty()
                : Optional.of(job.checkpoints.get(job.checkpoints.size() - 1));
        return new CheckpointStats(job.checkpoints.size(), job.failedCheckpoints, 0, latest,
                job.failedCheckpoints == 0 ? Optional.empty() : Optional.of("checkpoint expired"), restored);
    }

    @Override
    public synchronized JobExceptions exceptions(JobId id) {
        reachable();
        FakeJob job = existing(id);
        Optional<Failure> newest = job.failures.stream().findFirst();
        return new JobExceptions(newest.map(Failure::stacktrace), newest.map(Failure::at), List.copyOf(job.failures));
    }

    @Override
    public synchronized String triggerSavepoint(JobId id, String targetDirectory) {
        return savepoint(id, targetDirectory, false);
    }

    @Override
    public synchronized String stopWithSavepoint(JobId id, String targetDirectory, boolean drain) {
        return savepoint(id, targetDirectory, true);
    }

    private String savepoint(JobId id, String targetDirectory, boolean stop) {
        reachable();
        FakeJob job = existing(id);
        if (job.state != JobState.RUNNING) {
            throw new FlinkException.Rejected(409, "job " + id + " is " + job.state + ", not RUNNING");
        }
        String trigger = "trigger-" + (operations.size() + 1);
        if (savepointsStayInProgress) {
            operations.put(trigger, new SavepointStatus.InProgress());
            held.put(trigger, () -> complete(trigger, job, id, targetDirectory, stop));
        } else if (savepointFailure != null) {
            operations.put(trigger, new SavepointStatus.Failed(savepointFailure));
        } else {
            complete(trigger, job, id, targetDirectory, stop);
        }
        return trigger;
    }

    private void complete(String trigger, FakeJob job, JobId id, String targetDirectory, boolean stop) {
        String directory = targetDirectory == null ? "memory://savepoints" : targetDirectory;
        String path = directory + "/savepoint-" + id.hex().substring(0, 6) + "-" + (savepoints.size() + 1);
        savepoints.add(path);
        operations.put(trigger, new SavepointStatus.Completed(path));
        // Flink reports a savepoint as the job's latest completed checkpoint until a newer one completes
        job.checkpoints.add(new Checkpoint(job.checkpoints.size() + 1L, path, clock.instant(), true, 1024));
        if (stop) {
            job.state = JobState.FINISHED;
            job.ended = clock.instant();
            job.lastChange = job.ended;
        }
    }

    @Override
    public synchronized SavepointStatus savepointStatus(JobId id, String triggerId) {
        reachable();
        existing(id);
        SavepointStatus status = operations.get(triggerId);
        if (status == null) {
            throw new FlinkException.NotFound("no savepoint operation " + triggerId);
        }
        return status;
    }

    @Override
    public synchronized void disposeSavepoint(String path) {
        reachable();
        if (!savepoints.remove(path)) {
            throw new FlinkException.Rejected(500, "disposing " + path + " failed: no such savepoint");
        }
        disposed.add(path);
    }

    @Override
    public synchronized void cancel(JobId id) {
        reachable();
        FakeJob job = existing(id);
        if (!job.state.isTerminal()) {
            job.state = JobState.CANCELED;
            job.ended = clock.instant();
            job.lastChange = job.ended;
        }
    }

    private FakeJob existing(JobId id) {
        FakeJob job = jobs.get(id);
        if (job == null) {
            throw new FlinkException.NotFound("job " + id + " not found");
        }
        return job;
    }

    private void reachable() {
        if (unreachable) {
            throw new FlinkException.Unreachable("testing cluster is unreachable", null);
        }
    }

    private static JobSummary summary(JobId id, FakeJob job) {
        return new JobSummary(id, "job-" + id.hex().substring(0, 6), job.state, job.started,
                Optional.ofNullable(job.ended), job.lastChange, job.tasksRunning, job.tasksTotal);
    }
}
