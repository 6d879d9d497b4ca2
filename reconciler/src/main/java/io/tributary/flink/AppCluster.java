package io.tributary.flink;

import java.net.URI;
import java.util.Optional;

/**
 * The Flink cluster of one application in a per-app mode (Kubernetes application, YARN application
 * or per-job): deployed with the job and gone when the job ends. {@link ApplicationClusterTarget}
 * turns it into a {@link DeploymentTarget}; each resource manager implements these few calls.
 */
public interface AppCluster {

    /** Who this cluster is, for messages: {@code Kubernetes cluster orders in namespace flink}. */
    String describe();

    /** Whether the cluster exists (it may still be starting). */
    boolean exists();

    /** Deploys the cluster running {@code submission}'s job under its JobID. */
    void deploy(JobSubmission submission);

    /** Its REST address once known. */
    Optional<URI> restUrl();

    /**
     * How the cluster ended when the resource manager ended it (a YARN application KILLED or FAILED
     * from outside), with its diagnostics; empty while it runs or when it is simply gone.
     */
    default Optional<String> endedOutside() {
        return Optional.empty();
    }

    /** Why it does not come up: events, states, log tails; never throws. */
    String diagnostics();

    /** Removes the cluster and everything it created; nothing when it is gone. */
    void delete();
}
