package io.tributary.server.pages;

import static org.assertj.core.api.Assertions.assertThat;

import io.tributary.apply.ClusterRegistry;
import io.tributary.flink.DeploymentTarget;
import io.tributary.flink.SilentJobManager;
import io.tributary.model.Cluster;
import io.tributary.model.DesiredState;
import io.tributary.model.Metadata;
import io.tributary.plan.ClusterObservation;
import java.net.URI;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.function.Function;
import org.junit.jupiter.api.Test;

/** What the clusters page says of a session whose REST address is not known, and of clusters that do not answer. */
class ClusterStateTest {
    /** A registry that knows no address for any cluster, as for a session that is not up. */
    private static final ClusterRegistry NO_ADDRESS = withAddresses(Map.of());

    /** A registry that knows the addresses of the clusters named in {@code addresses}, and nothing else. */
    private static ClusterRegistry withAddresses(Map<String, URI> addresses) {
        return new ClusterRegistry() {
            @Override
            public Optional<DeploymentTarget> target(Cluster cluster) {
                return Optional.empty();
            }

            @Override
            public Optional<URI> restUrl(Cluster cluster) {
                return Optional.ofNullable(addresses.get(cluster.id().qualifiedName()));
            }

            @Override
            public Map<String, ClusterObservation> observe(DesiredState desired, Function<String, Answer> answers) {
                return Map.of();
            }

            @Override
            public void start(Cluster cluster, DesiredState desired) {}

            @Override
            public void stop(String name) {}

            @Override
            public void close() {}
        };
    }

    private static Cluster cluster(Cluster.Mode mode, boolean managed, Cluster.Yarn yarn, Cluster.Kubernetes kubernetes) {
        return new Cluster(new Metadata("shared", null, null, null),
                new Cluster.Spec(null, mode, managed, null, yarn, kubernetes, null));
    }

    @Test
    void clustersThatHangAreAskedAtOnceSoThePageWaitsOneTimeoutNotOnePerCluster() throws Exception {
        List<SilentJobManager> hung = new ArrayList<>();
        try {
            Map<String, URI> addresses = new HashMap<>();
            List<Cluster> clusters = new ArrayList<>();
            for (String name : List.of("east", "west", "north", "south")) {
                SilentJobManager jobManager = new SilentJobManager();
                hung.add(jobManager);
                addresses.put(name, URI.create(jobManager.url()));
                clusters.add(new Cluster(new Metadata(name, null, null, null),
                        new Cluster.Spec(null, Cluster.Mode.STANDALONE, false, null, null, null, null)));
            }

            List<Model.ClusterRow> rows = ClusterState.of(clusters, withAddresses(addresses), "1.20.1");

            assertThat(rows).extracting(Model.ClusterRow::name).containsExactly("east", "west", "north", "south");
            assertThat(rows).allSatisfy(row -> {
                assertThat(row.state()).isEqualTo("Unreachable");
                assertThat(row.detail()).startsWith("Its REST API did not answer");
            });
            List<Long> asked = hung.stream().map(j -> j.acceptedAtNanos().get(0)).sorted().toList();
            assertThat(Duration.ofNanos(asked.get(asked.size() - 1) - asked.get(0)))
                    .as("all four asked before the first one's 3 s timeout ran out, not one after the other")
                    .isLessThan(Duration.ofSeconds(2));
        } finally {
            for (SilentJobManager jobManager : hung) {
                jobManager.close();
            }
        }
    }

    @Test
    void aManagedSessionNotDeployedYetIsStoppedUntilAnAppNeedsIt() {
        Model.ClusterRow row = ClusterState.of(cluster(Cluster.Mode.YARN_SESSION, true,
                new Cluster.Yarn(null, null, null), null), NO_ADDRESS, "1.20.1");
        assertThat(row.state()).isEqualTo("Stopped");
        assertThat(row.detail()).contains("deploys it when an application on it needs it");
    }

    @Test
    void anExternalYarnSessionWithoutAddressNamesItsApplicationAndWhatToCheck() {
        Model.ClusterRow row = ClusterState.of(cluster(Cluster.Mode.YARN_SESSION, false,
                new Cluster.Yarn(null, null, "application_1700000000000_0007"), null), NO_ADDRESS, "1.20.1");
        assertThat(row.state()).isEqualTo("Unknown");
        assertThat(row.detail()).contains("application_1700000000000_0007", "HADOOP_CONF_DIR");
    }

    @Test
    void anExternalKubernetesSessionWithoutAddressNamesItsNamespace() {
        Model.ClusterRow row = ClusterState.of(cluster(Cluster.Mode.KUBERNETES_SESSION, false, null,
                new Cluster.Kubernetes("flink-prod", null, null, null, false, null, null, null)), NO_ADDRESS, "1.20.1");
        assertThat(row.state()).isEqualTo("Unknown");
        assertThat(row.detail()).contains("namespace flink-prod", "spec.kubernetes.namespace");
    }
}
