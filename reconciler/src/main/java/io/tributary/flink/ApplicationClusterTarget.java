package io.tributary.flink;

import io.tributary.flink.FlinkRest.CheckpointStats;
import io.tributary.flink.FlinkRest.JobExceptions;
import io.tributary.flink.FlinkRest.JobSummary;
import io.tributary.flink.FlinkRest.SavepointStatus;
import io.tributary.model.JobState;
import java.net.URI;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Optional;
import java.util.function.Function;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * A per-app cluster as a deployment target: a submit deploys the cluster with the job (under the
 * submission's JobID, so a retried submit finds it instead of starting a second one), everything else
 * goes through the cluster's REST API like a session's. When the cluster is gone its job is gone too:
 * {@link #jobs()} then answers an empty list (or the job FAILED, with the resource manager's diagnostics,
 * when it was ended from outside), which the planner's restart policy handles as for any lost job.
 */
public final class ApplicationClusterTarget implements DeploymentTarget {
    private static final Logger LOG = LoggerFactory.getLogger(ApplicationClusterTarget.class);

    private final AppCluster cluster;
    private final Function<URI, FlinkRestClient> rest;
    private final Duration startupTimeout;
    private final Duration pollInterval;
    private volatile JobId lastSubmitted;
    private volatile StandaloneSessionTarget session;

    /**
     * @param startupTimeout how long a deployed cluster may take until its REST API lists the job; past
     *     it the deploy fails with the cluster's diagnostics and the cluster is removed
     */
    public ApplicationClusterTarget(AppCluster cluster, Function<URI, FlinkRestClient> rest, Duration startupTimeout,
            Duration pollInterval) {
        this.cluster = cluster;
        this.rest = rest;
        this.startupTimeout = startupTimeout;
        this.pollInterval = pollInterval;
    }

    public AppCluster cluster() {
        return cluster;
    }

    /**
     * Deploys the app's cluster with the job. A cluster that exists already is adopted when it runs this
     * JobID; one whose jobs all ended (an application cluster still shutting down) is removed first, and
     * one that ends while it is asked (its job just stopped with a savepoint) is simply replaced; one that
     * runs another job, or whose REST API never answers, is reported and left alone.
     */
    @Override
    public void submit(JobSubmission submission) {
        if (cluster.exists()) {
            Optional<List<JobSummary>> jobs = awaitJobs(startupTimeout);
            if (jobs.isPresent() && jobs.get().stream().anyMatch(j -> j.id().equals(submission.jobId()))) {
                LOG.info("cluster=\"{}\" job={} already deployed; adopting it", cluster.describe(), submission.jobId());
                lastSubmitted = submission.jobId();
                return;
            }
            if (jobs.isEmpty() && cluster.exists()) {
                throw new FlinkException.Rejected(409, cluster.describe() + " exists but its REST API did not answer"
                        + " within " + startupTimeout + "; Tributary leaves it alone. Delete it, or wait until it is"
                        + " gone, and the app is deployed again.\n" + cluster.diagnostics());
            }
            Optional<JobSummary> live = jobs.stream().flatMap(List::stream).filter(j -> !j.state().isTerminal())
                    .findFirst();
            if (live.isPresent()) {
                throw new FlinkException.Rejected(409, cluster.describe() + " exists and runs job " + live.get().id()
                        + " (" + live.get().state() + "), which is not the one being deployed; Tributary does not"
                        + " replace it. Stop that job or delete the cluster.");
            }
            if (jobs.isPresent()) {
                LOG.info("cluster=\"{}\" exists with ended jobs only; removing it before deploying", cluster.describe());
                cluster.delete();
            }
        }
        session = null;
        cluster.deploy(submission);
        lastSubmitted = submission.jobId();
        Instant deadline = Instant.now().plus(startupTimeout);
        while (Instant.now().isBefore(deadline)) {
            Optional<List<JobSummary>> jobs = listIfUp();
            if (jobs.isPresent() && jobs.get().stream().anyMatch(j -> j.id().equals(submission.jobId()))) {
                LOG.info("cluster=\"{}\" job={} deployed restoreFrom={}", cluster.describe(), submission.jobId(),
                        submission.restoreFrom());
                return;
            }
            Optional<String> ended = cluster.endedOutside();
            if (ended.isPresent()) {
                break;
            }
            sleep();
        }
        String diagnostics = cluster.diagnostics();
        LOG.warn("cluster=\"{}\" job={} did not come up within {}; removing it", cluster.describe(),
                submission.jobId(), startupTimeout);
        try {
            cluster.delete();
        } catch (RuntimeException e) {
            LOG.warn("cluster=\"{}\" could not be removed after a failed start: {}", cluster.describe(), e.getMessage());
        }
        throw new FlinkException.Rejected(504, cluster.describe() + " did not run job " + submission.jobId()
                + " within " + startupTimeout + cluster.endedOutside().map(e -> " (" + e + ")").orElse("")
                + "; it was removed. Startup diagnostics:\n" + diagnostics);
    }

    private Optional<List<JobSummary>> awaitJobs(Duration timeout) {
        Instant deadline = Instant.now().plus(timeout);
        do {
            Optional<List<JobSummary>> jobs = listIfUp();
            if (jobs.isPresent() || !cluster.exists()) {
                return jobs;
            }
            sleep();
        } while (Instant.now().isBefore(deadline));
        return Optional.empty();
    }

    private Optional<List<JobSummary>> listIfUp() {
        try {
            Optional<StandaloneSessionTarget> s = session();
            return s.isEmpty() ? Optional.empty() : Optional.of(s.get().jobs());
        } catch (FlinkException e) {
            return Optional.empty();
        }
    }

    private Optional<StandaloneSessionTarget> session() {
        StandaloneSessionTarget current = session;
        if (current != null) {
            return Optional.of(current);
        }
        Optional<URI> url = cluster.restUrl();
        url.ifPresent(u -> session = new StandaloneSessionTarget(rest.apply(u)));
        return Optional.ofNullable(session);
    }

    private StandaloneSessionTarget rest() {
        return session().orElseThrow(() -> new FlinkException.Unreachable(cluster.describe()
                + " has no REST address yet", null));
    }

    /**
     * The cluster's jobs; none when the cluster is gone (an application cluster ends with its job),
     * and the last submitted job as FAILED when the resource manager ended the cluster from outside.
     */
    @Override
    public List<JobSummary> jobs() {
        try {
            return rest().jobs();
        } catch (FlinkException.Unreachable e) {
            Optional<String> ended = cluster.endedOutside();
            JobId last = lastSubmitted;
            if (ended.isPresent() && last != null) {
                LOG.info("cluster=\"{}\" ended outside Tributary: {}", cluster.describe(), ended.get());
                return List.of(new JobSummary(last, cluster.describe(), JobState.FAILED, Instant.now(),
                        Optional.of(Instant.now())));
            }
            if (!cluster.exists()) {
                session = null;
                return List.of();
            }
            throw e;
        }
    }

    @Override
    public CheckpointStats checkpoints(JobId id) {
        return rest().checkpoints(id);
    }

    @Override
    public JobExceptions exceptions(JobId id) {
        try {
            return rest().exceptions(id);
        } catch (FlinkException.Unreachable e) {
            Optional<String> ended = cluster.endedOutside();
            if (ended.isPresent()) {
                return new JobExceptions(Optional.of(ended.get()), Optional.empty(), List.of());
            }
            throw e;
        }
    }

    @Override
    public String triggerSavepoint(JobId id, String targetDirectory) {
        return rest().triggerSavepoint(id, targetDirectory);
    }

    @Override
    public String stopWithSavepoint(JobId id, String targetDirectory, boolean drain) {
        return rest().stopWithSavepoint(id, targetDirectory, drain);
    }

    @Override
    public SavepointStatus savepointStatus(JobId id, String triggerId) {
        return rest().savepointStatus(id, triggerId);
    }

    @Override
    public void disposeSavepoint(String path) {
        rest().disposeSavepoint(path);
    }

    /** Cancels the job; an application cluster then ends by itself, and whatever is left is removed. */
    @Override
    public void cancel(JobId id) {
        try {
            rest().cancel(id);
        } catch (FlinkException.Unreachable e) {
            LOG.info("cluster=\"{}\" unreachable while cancelling job={}; removing the cluster", cluster.describe(), id);
            cluster.delete();
        }
    }

    /** Removes the cluster: the app left Git or its last job ended for good. */
    public void delete() {
        cluster.delete();
        session = null;
    }

    private void sleep() {
        try {
            Thread.sleep(pollInterval.toMillis());
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new FlinkException.Unreachable("interrupted while waiting for " + cluster.describe(), e);
        }
    }
}
