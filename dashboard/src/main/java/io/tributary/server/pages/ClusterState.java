package io.tributary.server.pages;

import io.tributary.apply.ClusterRegistry;
import io.tributary.apply.Clusters;
import io.tributary.flink.FlinkRest;
import io.tributary.flink.FlinkRestClient;
import io.tributary.flink.LocalCluster;
import io.tributary.model.Cluster;
import io.tributary.server.Concurrently;
import io.tributary.server.pages.Model.ClusterRow;
import java.net.URI;
import java.net.http.HttpClient;
import java.time.Duration;
import java.util.List;
import java.util.Optional;

/** A cluster as the clusters page shows it: what it is, whether it answers, its TaskManagers and slots. */
final class ClusterState {
    private static final HttpClient HTTP = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(2)).build();

    private ClusterState() {}

    /**
     * The rows of {@code clusters}, in their order, every cluster asked at once: when several do not
     * answer (an outage, when on-call opens this page), the page waits one timeout, not one per cluster.
     */
    static List<ClusterRow> of(List<Cluster> clusters, ClusterRegistry registry, String defaultVersion) {
        return Concurrently.map(clusters, c -> of(c, registry, defaultVersion));
    }

    static ClusterRow of(Cluster cluster, ClusterRegistry registry, String defaultVersion) {
        String name = cluster.id().qualifiedName();
        String version = cluster.spec().flinkVersion() != null ? cluster.spec().flinkVersion() : defaultVersion;
        String mode = cluster.spec().mode().yamlName();
        Optional<URI> rest = registry.restUrl(cluster);
        if (cluster.isLocal() && registry instanceof Clusters clusters) {
            Optional<LocalCluster> local = clusters.local(name);
            if (local.isEmpty()) {
                return row(cluster, mode, version, "Stopped", null, null, null,
                        "Started by Tributary when an application needs it.");
            }
            Optional<LocalCluster.Overview> overview = local.get().overview();
            return overview.map(o -> row(cluster, mode, version, "Running", rest.map(URI::toString).orElse(null),
                            o.taskManagers(), o.slotsTotal(), o.slotsAvailable(), "Flink " + o.flinkVersion()
                                    + ", managed: JobManager pid " + local.get().jobManagerPid() + ", logs in "
                                    + local.get().logDir()))
                    .orElseGet(() -> row(cluster, mode, version, "Unreachable", rest.map(URI::toString).orElse(null),
                            null, null, "The managed cluster's processes run but its REST API does not answer."));
        }
        Optional<io.tributary.apply.StartupProblem> problem = registry.startupProblem(cluster);
        if (rest.isPresent()) {
            try {
                FlinkRest.ClusterOverview o = new FlinkRestClient(rest.get(), HTTP, Duration.ofSeconds(3)).overview();
                return row(cluster, mode, version, "Running", rest.get().toString(), o.taskManagers(), o.slotsTotal(),
                        o.slotsAvailable(), "Flink " + o.flinkVersion() + ", " + o.jobsRunning() + " jobs running");
            } catch (RuntimeException e) {
                if (problem.isPresent()) {
                    return down(cluster, mode, version, rest.get().toString(), problem.get());
                }
                return row(cluster, mode, version, "Unreachable", rest.get().toString(), null, null,
                        "Its REST API did not answer: " + e.getMessage());
            }
        }
        if (problem.isPresent()) {
            return down(cluster, mode, version, null, problem.get());
        }
        if (cluster.spec().managed()) {
            return row(cluster, mode, version, "Stopped", null, null, null,
                    "Not deployed: Tributary deploys it when an application on it needs it.");
        }
        return row(cluster, mode, version, "Unknown", null, null, null, noAddress(cluster));
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

    /** Started, and it never answered: the reason, with its JobManager's diagnostics, is the detail. */
    private static ClusterRow down(Cluster c, String mode, String version, String address,
            io.tributary.apply.StartupProblem problem) {
        return row(c, mode, version, "Down", address, null, null, "since " + problem.at() + ": "
                + problem.description());
    }

    private static ClusterRow row(Cluster c, String mode, String version, String state, String address,
            Integer taskManagers, Integer slotsTotal, String detail) {
        return row(c, mode, version, state, address, taskManagers, slotsTotal, null, detail);
    }

    private static ClusterRow row(Cluster c, String mode, String version, String state, String address,
            Integer taskManagers, Integer slotsTotal, Integer slotsAvailable, String detail) {
        return new ClusterRow(c.metadata().name(), c.metadata().team(), mode, c.isLocal(), version, state, address,
                address, taskManagers, slotsTotal, slotsAvailable, detail);
    }
}
