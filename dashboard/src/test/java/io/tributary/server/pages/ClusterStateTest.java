package io.tributary.server.pages;

import static org.assertj.core.api.Assertions.assertThat;

import io.tributary.apply.ClusterRegistry;
import io.tributary.flink.DeploymentTarget;
import io.tributary.model.Cluster;
import io.tributary.model.DesiredState;
import io.tributary.model.Metadata;
import io.tributary.plan.ClusterObservation;
import java.net.URI;
import java.util.Map;
import java.util.Optional;
import java.util.function.Function;
import org.junit.jupiter.api.Test;

/** What the clusters page says of a YARN or Kubernetes session whose REST address is not known. */
class ClusterStateTest {
    /** A registry that knows no address for any cluster, as for a session that is not up. */
    private static final ClusterRegistry NO_ADDRESS = new ClusterRegistry() {
        @Override
        public Optional<DeploymentTarget> target(Cluster cluster) {
            return Optional.empty();
        }

        @Override
        public Optional<URI> restUrl(Cluster cluster) {
            return Optional.empty();
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

    private static Cluster cluster(Cluster.Mode mode, boolean managed, Cluster.Yarn yarn, Cluster.Kubernetes kubernetes) {
        return new Cluster(new Metadata("shared", null, null, null),
                new Cluster.Spec(null, mode, managed, null, yarn, kubernetes, null));
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
