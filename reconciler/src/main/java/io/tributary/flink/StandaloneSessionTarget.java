package io.tributary.flink;

import io.tributary.build.Digests;

import io.tributary.flink.FlinkRest.CheckpointStats;
import io.tributary.flink.FlinkRest.JobExceptions;
import io.tributary.flink.FlinkRest.JobSummary;
import io.tributary.flink.FlinkRest.RunRequest;
import io.tributary.flink.FlinkRest.SavepointStatus;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.ConcurrentHashMap;
import java.util.function.BiConsumer;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * A standalone session cluster (managed or external), reached through its REST API. A jar is
 * uploaded once per content and reused for every submit; if the JobManager lost it (a restart
 * clears its upload folder) it is uploaded again.
 */
public final class StandaloneSessionTarget implements DeploymentTarget {
    private static final Logger LOG = LoggerFactory.getLogger(StandaloneSessionTarget.class);

    private static final java.time.Duration DISPOSAL_TIMEOUT = java.time.Duration.ofMinutes(2);

    private final FlinkRestClient rest;
    private final Map<String, String> uploadedJarIdsByDigest = new ConcurrentHashMap<>();

    public StandaloneSessionTarget(FlinkRestClient rest) {
        this.rest = rest;
    }

    public java.net.URI restUrl() {
        return rest.baseUri();
    }

    /**
     * Runs the jar without asking first whether the JobID exists: Flink refuses a JobID it knows
     * (running or finished), and only then do we look, so the usual submit costs no extra round trip.
     */
    @Override
    public void submit(JobSubmission submission) {
        try {
            withUploadedJar(submission, (jarId, run) -> rest.runJar(jarId, run));
        } catch (FlinkException.Unreachable e) {
            throw e;
        } catch (FlinkException e) {
            if (exists(submission.jobId())) {
                LOG.info("job={} already submitted; not submitting again", submission.jobId());
                return;
            }
            throw e;
        }
        LOG.info("job={} submitted jar={} parallelism={} restoreFrom={}", submission.jobId(),
                submission.jar().getFileName(), submission.parallelism(), submission.restoreFrom());
    }

    /** Flink's plan of the job, through {@code /jars/:id/plan}: its main method runs, nothing starts. */
    @Override
    public void check(JobSubmission submission) {
        withUploadedJar(submission, (jarId, run) -> rest.planJar(jarId, run));
    }

    /** Calls Flink with the jar uploaded once per content; a jar the JobManager lost is uploaded again. */
    private void withUploadedJar(JobSubmission submission, BiConsumer<String, RunRequest> call) {
        String digest = Digests.sha256Remembered(submission.jar());
        RunRequest run = new RunRequest(submission.entryClass(), submission.args(), submission.parallelism(),
                submission.jobId(), submission.restoreFrom(), submission.allowNonRestoredState(),
                submission.flinkConfiguration());
        String jarId = uploadedJarIdsByDigest.computeIfAbsent(digest, d -> rest.uploadJar(submission.jar()));
        try {
            call.accept(jarId, run);
        } catch (FlinkException e) {
            if (e instanceof FlinkException.Unreachable || !isMissingJar(e)) {
                throw e;
            }
            LOG.info("jar={} missing on the JobManager; uploading again", submission.jar().getFileName());
            uploadedJarIdsByDigest.remove(digest);
            call.accept(uploadedJarIdsByDigest.computeIfAbsent(digest, d -> rest.uploadJar(submission.jar())), run);
        }
    }

    /**
     * Asks for the one job rather than listing all (the list grows with every finished job the
     * JobManager keeps). A job Flink knows is answered, from a cache at most web.refresh-interval
     * old, which does not matter for existence; an unknown one is a 404, which is never cached.
     */
    private boolean exists(JobId id) {
        try {
            rest.job(id);
            return true;
        } catch (FlinkException.NotFound e) {
            return false;
        }
    }

    /** Flink's answer for a jar id it does not hold; not a job's own error that says "does not exist". */
    private static boolean isMissingJar(FlinkException e) {
        String message = e.getMessage();
        return e instanceof FlinkException.NotFound || message.contains("Jar file")
                && (message.contains("could not be found") || message.contains("does not exist"));
    }

    @Override
    public List<JobSummary> jobs() {
        return rest.jobs();
    }

    @Override
    public CheckpointStats checkpoints(JobId id) {
        return rest.checkpoints(id);
    }

    @Override
    public Optional<String> checkpointDirectory() {
        try {
            Map<String, String> config = rest.jobManagerConfiguration();
            return Optional.ofNullable(config.get("execution.checkpointing.dir"))
                    .or(() -> Optional.ofNullable(config.get("state.checkpoints.dir")))
                    .filter(dir -> !dir.isBlank());
        } catch (FlinkException e) {
            return Optional.empty();
        }
    }

    @Override
    public JobExceptions exceptions(JobId id) {
        return rest.exceptions(id);
    }

    @Override
    public String triggerSavepoint(JobId id, String targetDirectory) {
        return rest.triggerSavepoint(id, targetDirectory);
    }

    @Override
    public String stopWithSavepoint(JobId id, String targetDirectory, boolean drain) {
        return rest.stopWithSavepoint(id, targetDirectory, drain);
    }

    @Override
    public SavepointStatus savepointStatus(JobId id, String triggerId) {
        return rest.savepointStatus(id, triggerId);
    }

    @Override
    public void disposeSavepoint(String path) {
        String trigger = rest.disposeSavepoint(path);
        long deadline = System.nanoTime() + DISPOSAL_TIMEOUT.toNanos();
        while (System.nanoTime() < deadline) {
            Optional<Optional<String>> status = rest.disposalStatus(trigger);
            if (status.isPresent()) {
                if (status.get().isPresent()) {
                    throw new FlinkException.Rejected(500, "disposing " + path + " failed: " + status.get().get());
                }
                return;
            }
            try {
                Thread.sleep(200);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                throw new FlinkException.Unreachable("interrupted while disposing " + path, e);
            }
        }
        throw new FlinkException.Rejected(504, "disposing " + path + " did not finish within " + DISPOSAL_TIMEOUT);
    }

    @Override
    public void cancel(JobId id) {
        rest.cancel(id);
    }
}
