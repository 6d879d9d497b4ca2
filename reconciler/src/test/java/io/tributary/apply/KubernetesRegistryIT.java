package io.tributary.apply;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.fabric8.kubernetes.api.model.apps.DeploymentBuilder;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.fabric8.kubernetes.client.server.mock.KubernetesCrudDispatcher;
import io.fabric8.kubernetes.client.server.mock.KubernetesMockServer;
import io.fabric8.mockwebserver.Context;
import io.tributary.config.ConfigLoader;
import io.tributary.flink.DeploymentTarget;
import io.tributary.flink.FlinkException;
import io.tributary.flink.JobId;
import io.tributary.flink.JobSubmission;
import io.tributary.flink.LocalCluster;
import io.tributary.model.Application;
import io.tributary.model.Cluster;
import io.tributary.model.DesiredState;
import java.net.URI;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import okhttp3.mockwebserver.MockWebServer;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The cluster registry with Kubernetes clusters declared in a config repo, against the fabric8 mock API
 * server: a managed session deployed (with its Ingress), adopted by a restarted service, refused when
 * someone else's cluster has its id, and removed when stopped; an external session found by its id; a
 * kubernetes-application app's own cluster, with its web UI's Ingress, and whose failed start reports the
 * JobManager pod's events.
 */
class KubernetesRegistryIT {
    @TempDir
    static Path tmp;

    static KubernetesMockServer server;
    static KubernetesClient client;
    static MavenRepositories maven;
    static Path kubeconfig;

    @BeforeAll
    static void start() throws Exception {
        server = new KubernetesMockServer(new Context(), new MockWebServer(), new HashMap<>(),
                new KubernetesCrudDispatcher(), false);
        server.init();
        client = server.createClient();
        kubeconfig = tmp.resolve("kubeconfig");
        Files.writeString(kubeconfig, """
                apiVersion: v1
                kind: Config
                clusters:
                - {name: mock, cluster: {server: "%s"}}
                users:
                - {name: tester, user: {token: not-checked}}
                contexts:
                - {name: mock, context: {cluster: mock, user: tester}}
                current-context: mock
                """.formatted(server.url("/").replaceAll("/$", "")));
        maven = new MavenRepositories(Path.of(System.getProperty("user.home"), ".m2", "repository"));
    }

    @AfterAll
    static void stop() {
        maven.close();
        client.close();
        server.destroy();
    }

    /** A service's data directory whose Flink distributions are the ones KubernetesClustersIT keeps. */
    private static Path dataDir(String name) throws Exception {
        Path data = Files.createDirectories(tmp.resolve(name));
        Path shared = Files.createDirectories(Path.of("target", "k8s-it-data", "flink").toAbsolutePath());
        Files.createSymbolicLink(data.resolve("flink"), shared);
        return data;
    }

    /**
     * A service's cluster registry. No pod runs on the mock API server, so a session's JobManager is taken
     * to answer on the REST address flink-kubernetes reports; {@link #asTheServiceIs} asks it for real.
     */
    private static Clusters clusters(Path data) {
        return new Clusters(data, maven, LocalCluster.Options.defaults(), Duration.ofSeconds(2), Duration.ofMillis(200),
                url -> true);
    }

    /** The registry as the service builds it: a JobManager answers only if its REST API does. */
    private static Clusters asTheServiceIs(Path data) {
        return new Clusters(data, maven, LocalCluster.Options.defaults(), Duration.ofSeconds(2), Duration.ofMillis(200));
    }

    private static DesiredState repo(String clusters, String apps) throws Exception {
        Path repo = Files.createTempDirectory(tmp, "repo");
        Files.createDirectories(repo.resolve("platform"));
        Files.createDirectories(repo.resolve("teams/payments"));
        Files.writeString(repo.resolve("platform/platform.yaml"), """
                apiVersion: tributary.io/v1
                kind: FlinkVersion
                metadata: {name: flink-1.20}
                spec: {version: 1.20.1, default: true}
                ---
                apiVersion: tributary.io/v1
                kind: Settings
                metadata: {name: platform}
                spec:
                  ingress: {domain: flink.example.com, className: nginx, tls: false}
                  dashboardUrl: https://tributary.example.com/
                ---
                apiVersion: tributary.io/v1
                kind: Team
                metadata: {name: payments}
                spec: {description: Payments}
                """);
        Files.writeString(repo.resolve("platform/clusters.yaml"), clusters.replace("KUBECONFIG", kubeconfig.toString()));
        Files.writeString(repo.resolve("teams/payments/apps.yaml"), apps.replace("KUBECONFIG", kubeconfig.toString()));
        ConfigLoader.Result result = new ConfigLoader().load(repo);
        assertThat(result.errors()).isEmpty();
        return result.state();
    }

    /** A repository with one kubernetes-application jar app of team payments, its web UI behind an Ingress. */
    private static DesiredState applicationModeApp(String name, String entryClass) throws Exception {
        return repo("", """
                apiVersion: tributary.io/v1
                kind: Application
                metadata: {name: %s, team: payments}
                spec:
                  deployment:
                    mode: kubernetes-application
                    kubernetes: {namespace: jobs, image: "flink:1.20.1-java17", ingress: true}
                  job:
                    type: jar
                    jar: {url: "https://artifacts.example.com/%s.jar", entryClass: %s}
                  flinkConfiguration:
                    kubernetes.config.file: KUBECONFIG
                """.formatted(name, name, entryClass));
    }

    private static final String SESSION = """
            apiVersion: tributary.io/v1
            kind: Cluster
            metadata: {name: NAME}
            spec:
              mode: kubernetes-session
              managed: true
              kubernetes: {namespace: flink, image: "flink:1.20.1-java17", serviceAccount: flink, ingress: true}
              flinkConfiguration:
                kubernetes.config.file: KUBECONFIG
                taskmanager.numberOfTaskSlots: 4
            """;

    private static Cluster cluster(DesiredState desired, String name) {
        return desired.all(Cluster.class).stream().filter(c -> c.metadata().name().equals(name)).findFirst()
                .orElseThrow();
    }

    @Test
    void aManagedSessionIsDeployedWithItsIngressAdoptedAfterARestartAndRemovedWhenStopped() throws Exception {
        DesiredState desired = repo(SESSION.replace("NAME", "shared"), "");
        Path data = dataDir("managed");
        Cluster shared = cluster(desired, "shared");
        try (Clusters first = clusters(data)) {
            first.start(shared, desired);

            var deployment = client.apps().deployments().inNamespace("flink").withName("shared").get();
            assertThat(deployment.getSpec().getTemplate().getSpec().getServiceAccountName()).isEqualTo("flink");
            assertThat(client.services().inNamespace("flink").withName("shared-rest").get()).isNotNull();
            assertThat(client.network().v1().ingresses().inNamespace("flink").withName("shared-ui").get()
                    .getSpec().getRules().get(0).getHost()).isEqualTo("shared.flink.example.com");
            assertThat(first.webUiUrl(shared)).contains(URI.create("http://shared.flink.example.com"));
            assertThat(first.restUrl(shared).orElseThrow().toString()).startsWith("http://shared-rest.flink");
            assertThat(first.observe(desired, n -> ClusterRegistry.Answer.ANSWERED).get("shared").running()).isTrue();

            String uid = deployment.getMetadata().getUid();
            try (Clusters restarted = clusters(data)) {
                assertThat(restarted.webUiUrl(shared)).as("the Ingress URL is remembered across a restart")
                        .contains(URI.create("http://shared.flink.example.com"));
                restarted.start(shared, desired);
                assertThat(client.apps().deployments().inNamespace("flink").withName("shared").get().getMetadata()
                        .getUid()).as("adopted, not deployed again").isEqualTo(uid);

                restarted.stop("shared");
            }
        }
        assertThat(client.apps().deployments().inNamespace("flink").withName("shared").get()).isNull();
        assertThat(client.services().inNamespace("flink").withLabel("app", "shared").list().getItems()).isEmpty();
        assertThat(client.configMaps().inNamespace("flink").withLabel("app", "shared").list().getItems()).isEmpty();
        assertThat(client.network().v1().ingresses().inNamespace("flink").withName("shared-ui").get()).isNull();
    }

    @Test
    void aManagedSessionDeletedOutsideTributaryIsNotRunningAndIsDeployedAgain() throws Exception {
        DesiredState desired = repo(SESSION.replace("NAME", "gone").replace("ingress: true", "ingress: false"), "");
        Cluster gone = cluster(desired, "gone");
        try (Clusters clusters = clusters(dataDir("deleted"))) {
            clusters.start(gone, desired);
            String uid = client.apps().deployments().inNamespace("flink").withName("gone").get().getMetadata().getUid();
            assertThat(clusters.observe(desired, n -> ClusterRegistry.Answer.SILENT).get("gone").running())
                    .as("a JobManager that does not answer, but is deployed: running, not reachable").isTrue();
            assertThat(clusters.endedOutside("gone")).as("its deployment is there").isFalse();

            // someone deletes the deployment; Kubernetes' garbage collector takes what it owned
            client.apps().deployments().inNamespace("flink").withName("gone").delete();
            client.services().inNamespace("flink").withLabel("app", "gone").delete();
            client.configMaps().inNamespace("flink").withLabel("app", "gone").delete();
            assertThat(clusters.endedOutside("gone")).isTrue();
            assertThat(clusters.observe(desired, n -> ClusterRegistry.Answer.ENDED_OUTSIDE).get("gone").running())
                    .isFalse();

            clusters.start(gone, desired);
            assertThat(client.apps().deployments().inNamespace("flink").withName("gone").get().getMetadata().getUid())
                    .as("deployed again").isNotEqualTo(uid);
            assertThat(clusters.endedOutside("gone")).isFalse();
            clusters.stop("gone");
        }
    }

    @Test
    void aSessionsPodTemplatesShapeItsJobManagerAndAChangedTemplateIsAnotherSpec() throws Exception {
        String templated = SESSION.replace("NAME", "templated").replace("ingress: true}", """
                ingress: false,
                    podTemplate: {
                      metadata: {labels: {cost-center: payments}},
                      spec: {
                        containers: [{name: log-shipper, image: "fluent/fluent-bit:3.0"}],
                        tolerations: [{key: dedicated, operator: Equal, value: flink, effect: NoSchedule}]}},
                    taskManagerPodTemplate: {metadata: {labels: {role: tm-only}}}}""");
        DesiredState desired = repo(templated, "");
        Cluster cluster = cluster(desired, "templated");
        try (Clusters clusters = clusters(dataDir("templated"))) {
            clusters.start(cluster, desired);
        }
        var pod = client.apps().deployments().inNamespace("flink").withName("templated").get().getSpec().getTemplate();
        assertThat(pod.getMetadata().getLabels()).containsEntry("cost-center", "payments")
                .containsEntry("component", "jobmanager").doesNotContainKey("role");
        assertThat(pod.getSpec().getContainers()).extracting(c -> c.getName())
                .contains("flink-main-container", "log-shipper");
        assertThat(pod.getSpec().getTolerations()).singleElement()
                .satisfies(t -> assertThat(t.getKey() + "=" + t.getValue() + ":" + t.getEffect())
                        .isEqualTo("dedicated=flink:NoSchedule"));

        DesiredState changed = repo(templated.replace("cost-center: payments", "cost-center: risk"), "");
        assertThat(io.tributary.plan.SpecHash.of(cluster(changed, "templated"), changed))
                .as("a changed pod template is a changed spec: the cluster is upgraded")
                .isNotEqualTo(io.tributary.plan.SpecHash.of(cluster, desired));
    }

    @Test
    void aSessionWhoseJobManagerNeverAnswersIsDownWithItsPodsStateAndEvents() throws Exception {
        DesiredState desired = repo(SESSION.replace("NAME", "silent").replace("ingress: true", "ingress: false"), "");
        Cluster silent = cluster(desired, "silent");
        client.pods().inNamespace("flink").resource(new io.fabric8.kubernetes.api.model.PodBuilder()
                .withNewMetadata().withName("silent-6d9f-abcde").withNamespace("flink")
                    .addToLabels("app", "silent").addToLabels("component", "jobmanager").endMetadata()
                .withNewStatus().withPhase("Pending").addNewContainerStatus().withName("flink-main-container")
                    .withNewState().withNewWaiting().withReason("ImagePullBackOff")
                    .withMessage("Back-off pulling image \"flink:1.20.1-java17\"").endWaiting().endState()
                    .endContainerStatus().endStatus()
                .build()).create();
        client.v1().events().inNamespace("flink").resource(new io.fabric8.kubernetes.api.model.EventBuilder()
                .withNewMetadata().withName("silent-6d9f-abcde.1").withNamespace("flink").endMetadata()
                .withNewInvolvedObject().withKind("Pod").withName("silent-6d9f-abcde").endInvolvedObject()
                .withType("Warning").withReason("Failed")
                .withMessage("Failed to pull image \"flink:1.20.1-java17\": pull access denied").build()).create();
        Path data = dataDir("silent");
        try (Clusters clusters = asTheServiceIs(data)) {
            assertThatThrownBy(() -> clusters.start(silent, desired))
                    .hasMessageContaining("Kubernetes session silent in namespace flink was deployed, but its"
                            + " JobManager did not answer on its REST address http://silent-rest.flink")
                    .hasMessageContaining("within 2s")
                    .hasMessageContaining("container flink-main-container: waiting, ImagePullBackOff")
                    .hasMessageContaining("Warning Failed: Failed to pull image \"flink:1.20.1-java17\": pull access"
                            + " denied");

            assertThat(clusters.startupProblem(silent)).hasValueSatisfying(p -> assertThat(p.description())
                    .contains("ImagePullBackOff", "pull access denied"));
            assertThat(client.apps().deployments().inNamespace("flink").withName("silent").get())
                    .as("left in place: a slow start may still finish").isNotNull();
            var observed = clusters.observe(desired, n -> ClusterRegistry.Answer.SILENT).get("silent");
            assertThat(observed.running()).isTrue();
            assertThat(observed.reachable()).isFalse();
        }
        try (Clusters restarted = asTheServiceIs(data)) {
            assertThat(restarted.startupProblem(silent)).as("kept for a restarted service").isPresent();
            restarted.stop("silent");
            assertThat(restarted.startupProblem(silent)).as("gone with the cluster").isEmpty();
        }
    }

    @Test
    void aClusterIdTakenBySomeoneElseIsReportedNotDeployedOver() throws Exception {
        client.apps().deployments().inNamespace("flink").resource(new DeploymentBuilder().withNewMetadata()
                .withName("theirs").withNamespace("flink").endMetadata().build()).create();
        DesiredState desired = repo(SESSION.replace("NAME", "theirs"), "");
        try (Clusters clusters = clusters(dataDir("taken"))) {
            assertThatThrownBy(() -> clusters.start(cluster(desired, "theirs"), desired))
                    .hasMessageContaining("a Flink cluster with id theirs already exists in namespace flink and"
                            + " Tributary did not deploy it; declare cluster theirs with managed: false to use it");
        }
        assertThat(client.apps().deployments().inNamespace("flink").withName("theirs").get()).isNotNull();
    }

    @Test
    void anExternalSessionIsFoundByItsClusterId() throws Exception {
        DesiredState managed = repo(SESSION.replace("NAME", "elsewhere"), "");
        try (Clusters deployer = clusters(dataDir("deployer"))) {
            deployer.start(cluster(managed, "elsewhere"), managed);
        }
        DesiredState desired = repo(SESSION.replace("NAME", "elsewhere").replace("managed: true", "managed: false"), "");
        try (Clusters clusters = clusters(dataDir("external"))) {
            clusters.observe(desired, n -> ClusterRegistry.Answer.ANSWERED);
            Cluster external = cluster(desired, "elsewhere");

            assertThat(clusters.restUrl(external).orElseThrow().toString()).startsWith("http://elsewhere-rest.flink");
            assertThat(clusters.target(external)).isPresent();
            assertThat(clusters.observe(desired, n -> ClusterRegistry.Answer.ANSWERED).get("elsewhere").managed()).isFalse();
        }
    }

    @Test
    void anApplicationClustersWebUiIsItsIngressRememberedAcrossARestartAndGoneWithTheCluster() throws Exception {
        DesiredState desired = applicationModeApp("reports", "com.example.Reports");
        Application app = desired.applications().get(0);
        Path data = dataDir("app-ingress");
        Path jar = Files.writeString(tmp.resolve("reports.jar"), "a jar");
        try (Clusters clusters = clusters(data)) {
            var target = (io.tributary.flink.ApplicationClusterTarget) clusters.appTarget(app, desired).orElseThrow();
            assertThat(clusters.appWebUi("payments/reports")).as("no cluster yet, no link").isEmpty();

            // the cluster's deploy, without the wait for its job (no JobManager runs on the mock API server)
            target.cluster().deploy(new JobSubmission(JobId.random(), jar, "com.example.Reports", List.of(), 1, null,
                    false, io.tributary.apply.JobLauncher.jobConfiguration(app.spec())));

            var ingress = client.network().v1().ingresses().inNamespace("jobs").withName("payments-reports-ui").get();
            assertThat(ingress.getSpec().getIngressClassName()).isEqualTo("nginx");
            assertThat(ingress.getSpec().getRules().get(0).getHost()).isEqualTo("payments-reports.flink.example.com");
            assertThat(ingress.getMetadata().getOwnerReferences()).singleElement()
                    .satisfies(o -> assertThat(o.getKind() + "/" + o.getName()).isEqualTo("Deployment/payments-reports"));
            assertThat(clusters.appWebUi("payments/reports"))
                    .contains(URI.create("http://payments-reports.flink.example.com"));
        }
        try (Clusters restarted = clusters(data)) {
            assertThat(restarted.appWebUi("payments/reports")).as("the link outlives a restart of the service")
                    .contains(URI.create("http://payments-reports.flink.example.com"));
            var target = (io.tributary.flink.ApplicationClusterTarget) restarted.appTarget("kubernetes-app:payments/reports")
                    .orElseThrow();
            target.delete();
            assertThat(restarted.appWebUi("payments/reports")).as("no link to a cluster that is gone").isEmpty();
        }
        assertThat(client.network().v1().ingresses().inNamespace("jobs").withName("payments-reports-ui").get())
                .isNull();
        assertThat(client.apps().deployments().inNamespace("jobs").withName("payments-reports").get()).isNull();
    }

    @Test
    void anApplicationModeAppGetsItsOwnClusterAndAFailedStartReportsThePodsEvents() throws Exception {
        DesiredState desired = applicationModeApp("orders", "com.example.Orders");
        Application app = desired.applications().get(0);
        client.v1().events().inNamespace("jobs").resource(new io.fabric8.kubernetes.api.model.EventBuilder()
                .withNewMetadata().withName("payments-orders.1").withNamespace("jobs").endMetadata()
                .withNewInvolvedObject().withKind("Deployment").withName("payments-orders").endInvolvedObject()
                .withType("Warning").withReason("FailedCreate")
                .withMessage("pods \"payments-orders-1\" is forbidden: exceeded quota: jobs-quota").build()).create();
        try (Clusters clusters = clusters(dataDir("app"))) {
            DeploymentTarget target = clusters.appTarget(app, desired).orElseThrow();
            assertThat(clusters.appTarget(app, desired)).containsSame(target);
            assertThat(target.jobs()).as("no cluster yet: no jobs, not an unreachable cluster").isEmpty();

            Path jar = Files.writeString(tmp.resolve("orders.jar"), "a jar");
            // the app's Flink options (the mock's kubeconfig) reach the cluster as a submission's options do
            Map<String, String> options = io.tributary.apply.JobLauncher.jobConfiguration(app.spec());
            assertThatThrownBy(() -> target.submit(new JobSubmission(JobId.random(), jar, "com.example.Orders",
                    List.of(), 1, null, false, options)))
                    .isInstanceOf(FlinkException.Rejected.class)
                    .hasMessageContaining("Kubernetes cluster payments-orders in namespace jobs did not run job")
                    .hasMessageContaining("No JobManager pod of cluster payments-orders was created.")
                    .hasMessageContaining("Warning FailedCreate: pods \"payments-orders-1\" is forbidden: exceeded"
                            + " quota: jobs-quota");

            assertThat(client.apps().deployments().inNamespace("jobs").withName("payments-orders").get())
                    .as("removed after the failed start").isNull();
            assertThat(clusters.appTarget("kubernetes-app:payments/orders")).as("found by name after the app left Git").isPresent();
        }
    }
}
