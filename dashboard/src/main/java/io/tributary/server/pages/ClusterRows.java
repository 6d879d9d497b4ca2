package io.tributary.server.pages;

import io.tributary.apply.StartupProblem;
import io.tributary.flink.FlinkRest.ClusterOverview;
import io.tributary.model.Cluster;
import io.tributary.server.ClusterStatuses.Status;
import io.tributary.server.pages.Model.ClusterRow;
import java.net.URI;

/** A cluster's status as a row of the clusters page: its state in words, and what on-call needs to know next. */
final class ClusterRows {
    private ClusterRows() {}

    static ClusterRow of(Status status) {
        Cluster cluster = status.cluster();
        return switch (status.state()) {
            case RUNNING -> row(status, "Running", status.overview().map(o -> "Flink " + o.flinkVersion() + ", "
                    + o.jobsRunning() + " jobs running" + status.local().map(l -> "; JobManager pid " + l.jobManagerPid()
                            + ", logs in " + l.logDir()).orElse("")).orElseThrow());
            case UNREACHABLE -> row(status, "Unreachable", status.local().isPresent()
                    ? "The managed cluster's processes run but its REST API does not answer."
                    : "Its REST API did not answer: " + status.unanswered().orElse("no reason given"));
            case DOWN -> {
                StartupProblem problem = status.startupProblem().orElseThrow();
                yield row(status, "Down", "since " + problem.at() + ": " + problem.description());
            }
            case STOPPED -> row(status, "Stopped", cluster.isLocal() ? "Started by Tributary when an application needs it."
                    : "Not deployed: Tributary deploys it when an application on it needs it.");
            case UNKNOWN -> row(status, "Unknown", noAddress(cluster));
        };
    }

    /** Why an external cluster has no REST address, and where to look. */
    private static String noAddress(Cluster cluster) {
        if (cluster.spec().mode() == Cluster.Mode.YARN_SESSION) {
            String id = cluster.spec().yarn() == null ? null : cluster.spec().yarn().applicationId();
            return "No REST address: the YARN application " + (id == null ? "named in spec.yarn.applicationId" : id)
                    + " is not running, or the ResourceManager did not answer; check the application id and the"
                    + " Hadoop configuration (spec.yarn.hadoopConfDir or HADOOP_CONF_DIR).";
        }
        if (cluster.spec().mode() == Cluster.Mode.KUBERNETES_SESSION) {
            String namespace = cluster.spec().kubernetes() == null ? null : cluster.spec().kubernetes().namespace();
            return "No REST address: the Kubernetes API did not show this session's JobManager service"
                    + (namespace == null ? "" : " in namespace " + namespace) + "; check that the session runs under"
                    + " the cluster's name and that spec.kubernetes.namespace and context point at it.";
        }
        return "No REST address is known for it.";
    }

    private static ClusterRow row(Status s, String state, String detail) {
        Cluster c = s.cluster();
        return new ClusterRow(c.metadata().name(), c.metadata().team(), c.spec().mode().yamlName(), c.spec().managed(),
                s.flinkVersion(), state, s.restUrl().map(URI::toString).orElse(null),
                s.webUi().map(URI::toString).orElse(null), s.overview().map(ClusterOverview::taskManagers).orElse(null),
                s.overview().map(ClusterOverview::slotsTotal).orElse(null),
                s.overview().map(ClusterOverview::slotsAvailable).orElse(null), detail);
    }
}
