package io.tributary.server.pages;

import static org.assertj.core.api.Assertions.assertThat;

import com.sun.net.httpserver.HttpServer;
import io.tributary.apply.ClusterRegistry;
import io.tributary.flink.DeploymentTarget;
import io.tributary.flink.SilentJobManager;
import io.tributary.model.Cluster;
import io.tributary.model.DesiredState;
import io.tributary.model.Metadata;
import io.tributary.plan.ClusterObservation;
import io.tributary.server.ClusterStatuses;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.function.Function;
import org.junit.jupiter.api.Test;

/**
 * What the clusters page says of a cluster: one that answers, one whose REST address is not known,
 * several that do not answer.
 */
class ClusterRowsTest {
    /** A registry that knows no address for any cluster, as for a session that is not up. */
    private static final ClusterRegistry NO_ADDRESS = withAddresses(Map.of());

    /** A registry that knows the addresses of the clusters named in {@code addresses}, and nothing else. */
    private static ClusterRegistry withAddresses(Map<String, URI> addresses) {
        return withAddresses(addresses, Map.of());
    }

    /** As above, with a web UI address (an ingress) for the clusters named in {@code webUis}. */
    private static ClusterRegistry withAddresses(Map<String, URI> addresses, Map<String, URI> webUis) {
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
            public Optional<URI> webUiUrl(Cluster cluster) {
                return Optional.ofNullable(webUis.get(cluster.id().qualifiedName())).or(() -> restUrl(cluster));
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

    private static List<Model.ClusterRow> rows(List<Cluster> clusters, ClusterRegistry registry) {
        return new ClusterStatuses(registry).of(clusters, DesiredState.of(clusters)).stream().map(ClusterRows::of)
                .toList();
    }

    private static Model.ClusterRow row(Cluster cluster) {
        return rows(List.of(cluster), NO_ADDRESS).get(0);
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

            List<Model.ClusterRow> rows = rows(clusters, withAddresses(addresses));

            assertThat(rows).extracting(Model.ClusterRow::name).containsExactly("east", "west", "north", "south");
            assertThat(rows).allSatisfy(row -> {
                assertThat(row.state()).isEqualTo("Unreachable");
                assertThat(row.detail()).startsWith("Its REST API did not answer");
            });
            List<Long> asked = hung.stream().map(j -> j.acceptedAtNanos().get(0)).sorted().toList();
            assertThat(Duration.ofNanos(asked.get(asked.size() - 1) - asked.get(0)))
                    .as("all four asked before the first one's 2 s timeout ran out, not one after the other")
                    .isLessThan(Duration.ofSeconds(2));
        } finally {
            for (SilentJobManager jobManager : hung) {
                jobManager.close();
            }
        }
    }

    @Test
    void aSessionBehindAnIngressLinksToTheIngressAndShowsWhatItsJobManagerSays() throws Exception {
        HttpServer jobManager = HttpServer.create(new InetSocketAddress(InetAddress.getLoopbackAddress(), 0), 0);
        jobManager.createContext("/overview", exchange -> {
            byte[] body = """
                    {"taskmanagers": 3, "slots-total": 12, "slots-available": 5, "jobs-running": 4, "flink-version": "1.20.1"}
                    """.getBytes(StandardCharsets.UTF_8);
            exchange.sendResponseHeaders(200, body.length);
            exchange.getResponseBody().write(body);
            exchange.close();
        });
        jobManager.start();
        try {
            URI rest = URI.create("http://127.0.0.1:" + jobManager.getAddress().getPort());
            URI ingress = URI.create("https://flink-shared.example.com");
            Cluster session = cluster(Cluster.Mode.KUBERNETES_SESSION, true, null,
                    new Cluster.Kubernetes("flink-prod", null, null, null, false, null, null, null));

            Model.ClusterRow row = rows(List.of(session), withAddresses(Map.of("shared", rest), Map.of("shared", ingress)))
                    .get(0);

            assertThat(row.state()).isEqualTo("Running");
            assertThat(row.managed()).as("a managed Kubernetes session is tagged managed").isTrue();
            assertThat(row.address()).isEqualTo(rest.toString());
            assertThat(row.webUi()).as("the link a browser follows is the ingress, not the in-cluster address")
                    .isEqualTo(ingress.toString());
            assertThat(row.taskManagers()).isEqualTo(3);
            assertThat(row.slotsAvailable() + " / " + row.slotsTotal()).isEqualTo("5 / 12");
            assertThat(row.detail()).isEqualTo("Flink 1.20.1, 4 jobs running");
        } finally {
            jobManager.stop(0);
        }
    }

    @Test
    void aManagedSessionNotDeployedYetIsStoppedUntilAnAppNeedsIt() {
        Model.ClusterRow row = row(cluster(Cluster.Mode.YARN_SESSION, true,
                new Cluster.Yarn(null, null, null), null));
        assertThat(row.state()).isEqualTo("Stopped");
        assertThat(row.detail()).contains("deploys it when an application on it needs it");
    }

    @Test
    void anExternalYarnSessionWithoutAddressNamesItsApplicationAndWhatToCheck() {
        Model.ClusterRow row = row(cluster(Cluster.Mode.YARN_SESSION, false,
                new Cluster.Yarn(null, null, "application_1700000000000_0007"), null));
        assertThat(row.state()).isEqualTo("Unknown");
        assertThat(row.detail()).contains("application_1700000000000_0007", "HADOOP_CONF_DIR");
    }

    @Test
    void anExternalKubernetesSessionWithoutAddressNamesItsNamespace() {
        Model.ClusterRow row = row(cluster(Cluster.Mode.KUBERNETES_SESSION, false, null,
                new Cluster.Kubernetes("flink-prod", null, null, null, false, null, null, null)));
        assertThat(row.state()).isEqualTo("Unknown");
        assertThat(row.detail()).contains("namespace flink-prod", "spec.kubernetes.namespace");
    }
}
