package io.tributary.plan;

import java.util.List;

/** What the planner wants done with a managed cluster. */
public sealed interface ClusterAction {

    String cluster();

    String reason();

    /** A managed cluster Git declares is not running. */
    record StartCluster(String cluster, String reason) implements ClusterAction {}

    /** A managed cluster left Git and no application uses it any more. */
    record StopCluster(String cluster, String reason) implements ClusterAction {}

    /**
     * A managed cluster's spec changed: its running applications are stopped with savepoints
     * ({@code appsToMove}), the cluster restarts with the new spec, and the applications resume
     * from those savepoints.
     */
    record UpdateCluster(String cluster, List<String> appsToMove, String reason) implements ClusterAction {
        public UpdateCluster {
            appsToMove = List.copyOf(appsToMove);
        }
    }
}
