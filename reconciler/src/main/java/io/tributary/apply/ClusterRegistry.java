package io.tributary.apply;

import io.tributary.flink.DeploymentTarget;
import io.tributary.flink.RetainedCheckpoints;
import io.tributary.model.Cluster;
import io.tributary.model.DesiredState;
import io.tributary.plan.ClusterObservation;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.function.Function;

/**
 * The clusters apps run on, as the reconciler sees them: a target per cluster, what runs, and
 * starting and stopping the managed ones. {@link Clusters} is the real one; the apply tests use a
 * stateful fake over a testing target.
 */
public interface ClusterRegistry extends AutoCloseable {

    /** The target of a cluster that runs (managed) or has an address (external); empty otherwise. */
    Optional<DeploymentTarget> target(Cluster cluster);

    /** The cluster's REST address, which is also its Flink web UI, when known. */
    Optional<java.net.URI> restUrl(Cluster cluster);

    /** What a cluster's listing of its jobs found in a pass. */
    enum Answer {
        ANSWERED,
        /** No answer (refused, timed out, or late for the pass): running as far as Tributary can tell. */
        SILENT,
        /** No answer, and {@link #endedOutside} says the cluster is gone. */
        ENDED_OUTSIDE
    }

    /**
     * Every declared cluster Tributary can reach, and every managed one still running, for the planner.
     *
     * @param answers what each cluster (by qualified name) did with the pass's listing of its jobs:
     *     the observer lists each cluster's jobs once per pass, and that call is the reachability check
     */
    Map<String, ClusterObservation> observe(DesiredState desired, Function<String, Answer> answers);

    /**
     * Whether a managed session that did not answer was ended outside Tributary (its YARN application
     * killed, its Kubernetes deployment deleted), so that the planner deploys it again; false when that
     * cannot be told. Asked beside the cluster's listing, within the same wait, as YARN or Kubernetes
     * may be as unreachable as Flink.
     */
    default boolean endedOutside(String clusterName) {
        return false;
    }

    /**
     * The web UI of a cluster: its Ingress when it has one, else its REST address.
     */
    default Optional<java.net.URI> webUiUrl(Cluster cluster) {
        return restUrl(cluster);
    }

    /**
     * The target of an app that brings its own cluster (kubernetes-application, yarn-application,
     * yarn-per-job): the cluster is deployed by the target's submit and gone when the job ends. Empty for
     * session modes and for modes this registry does not run.
     */
    default Optional<DeploymentTarget> appTarget(io.tributary.model.Application app, DesiredState desired) {
        return Optional.empty();
    }

    /**
     * The target of an app's own cluster by its name ({@link DesiredState#appClusterName}), as it was
     * deployed: also after the app left Git or moved to the other platform (to stop and remove it).
     */
    default Optional<DeploymentTarget> appTarget(String appClusterName) {
        return Optional.empty();
    }

    /** The web UI of an app's own cluster, when it has one. */
    /**
     * Why a managed cluster that was started does not answer (a Kubernetes session whose JobManager never
     * came up: its pods' states, events and log tails); empty when there is nothing to tell.
     */
    default Optional<StartupProblem> startupProblem(Cluster cluster) {
        return Optional.empty();
    }

    default Optional<java.net.URI> appWebUi(String app) {
        return Optional.empty();
    }

    /**
     * The default checkpoint directory of a cluster Tributary runs (a managed local cluster's), where a
     * job that names none writes its checkpoints; empty when not known here.
     */
    default Optional<String> checkpointDirectory(String clusterName) {
        return Optional.empty();
    }

    /**
     * The newest completed checkpoint job {@code jobId} left in {@code directory}, read from storage,
     * not from Flink: for a job whose cluster no longer knows it ({@code clusterName} is the one the
     * app's status records, {@code app:<team>/<name>} for its own cluster). Local directories only,
     * unless the registry deployed the cluster and can read its file system.
     */
    default Optional<RetainedCheckpoints.Found> retainedCheckpoint(String clusterName, String directory, String jobId) {
        return RetainedCheckpoints.latest(directory, jobId);
    }

    /** Starts (or adopts) a managed cluster and returns once it can run jobs. */
    void start(Cluster cluster, DesiredState desired);

    /** Stops a managed cluster. */
    void stop(String name);

    /**
     * The clusters {@link #close} stops, by name (the managed local ones, child processes of this
     * service): their jobs end with the service, where those on other clusters keep running.
     */
    default Set<String> stoppedOnClose() {
        return Set.of();
    }

    @Override
    void close();
}
