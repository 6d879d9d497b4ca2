package io.tributary.flink;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.fabric8.kubernetes.api.model.ConfigMap;
import io.fabric8.kubernetes.api.model.EventBuilder;
import io.fabric8.kubernetes.api.model.PodBuilder;
import io.fabric8.kubernetes.api.model.networking.v1.Ingress;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.fabric8.kubernetes.client.server.mock.KubernetesCrudDispatcher;
import io.fabric8.kubernetes.client.server.mock.KubernetesMockServer;
import io.fabric8.mockwebserver.Context;
import io.tributary.build.MavenArtifacts;
import java.net.URI;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import okhttp3.mockwebserver.MockWebServer;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * flink-kubernetes 1.20.1, loaded over a real assembled distribution, against the fabric8 mock API
 * server in CRUD mode: the objects each mode creates, the existing-id check, the Ingress, teardown and
 * startup diagnostics. No pod ever runs here, so job-level behaviour is left to the REST tests.
 */
class KubernetesClustersIT {
    private static final String NAMESPACE = "flink";

    @TempDir
    static Path tmp;

    static KubernetesMockServer server;
    static KubernetesClient client;
    static MavenArtifacts artifacts;
    static DeployerLoaders loaders;
    static KubernetesClusters kubernetes;
    static FlinkHome home;
    static Path kubeconfig;

    @BeforeAll
    static void start() throws Exception {
        server = new KubernetesMockServer(new Context(), new MockWebServer(), new HashMap<>(),
                new KubernetesCrudDispatcher(), false);
        server.init();
        client = server.createClient();
        kubeconfig = tmp.resolve("kubeconfig");
        URI api = URI.create(server.url("/"));
        Files.writeString(kubeconfig, """
                apiVersion: v1
                kind: Config
                clusters:
                - name: mock
                  cluster: {server: "%s"}
                users:
                - name: tester
                  user: {token: not-checked}
                contexts:
                - name: other
                  context: {cluster: nowhere, user: tester}
                - name: mock
                  context: {cluster: mock, user: tester, namespace: %s}
                current-context: other
                """.formatted(api.toString().replaceAll("/$", ""), NAMESPACE));
        artifacts = FlinkTestSupport.sharedRepository();
        // kept under target/ between runs: the distribution is verified, not copied again
        home = new FlinkDistributions(Path.of("target", "k8s-it-data"), artifacts).resolveVersion("1.20.1");
        loaders = new DeployerLoaders(artifacts, SqlRunnerJar.locate(tmp.resolve("work")));
        kubernetes = new KubernetesClusters(loaders);
    }

    @AfterAll
    static void stop() {
        loaders.close();
        artifacts.close();
        client.close();
        server.destroy();
    }

    /** Options as a Cluster in namespace flink would give, on the mock's kubeconfig context. */
    private static Map<String, String> options(String id, String target) {
        Map<String, String> options = new LinkedHashMap<>();
        options.put("execution.target", target);
        options.put("kubernetes.cluster-id", id);
        options.put("kubernetes.namespace", NAMESPACE);
        options.put("kubernetes.container.image.ref", "flink:1.20.1-java17");
        options.put("kubernetes.service-account", "flink");
        options.put("kubernetes.config.file", kubeconfig.toString());
        options.put("kubernetes.context", "mock");
        options.put("taskmanager.numberOfTaskSlots", "2");
        KubernetesClusters.putDefaults(options);
        return options;
    }

    /** The config.yaml Flink wrote into the cluster's ConfigMap, as flat keys. */
    private static Map<String, String> flinkConfig(String clusterId) {
        ConfigMap config = client.configMaps().inNamespace(NAMESPACE).withName("flink-config-" + clusterId).get();
        Object yaml = new org.snakeyaml.engine.v2.api.Load(org.snakeyaml.engine.v2.api.LoadSettings.builder().build())
                .loadFromString(config.getData().get("config.yaml"));
        Map<String, String> flat = new LinkedHashMap<>();
        flatten("", yaml, flat);
        return flat;
    }

    private static void flatten(String prefix, Object value, Map<String, String> into) {
        if (value instanceof Map<?, ?> map) {
            map.forEach((k, v) -> flatten(prefix.isEmpty() ? k.toString() : prefix + "." + k, v, into));
        } else {
            into.put(prefix, String.valueOf(value));
        }
    }

    @Test
    void sessionClusterIsADeploymentWithServicesAndConfigMapsItOwns() {
        Map<String, String> options = options("payments-session", "kubernetes-session");

        URI rest = kubernetes.deploySession(home, options);

        assertThat(rest.toString()).contains("payments-session-rest.flink");
        Map<String, String> objects = kubernetes.objects(home, options);
        assertThat(objects).containsEntry("Deployment/payments-session", "")
                .containsEntry("Service/payments-session-rest", "Deployment/payments-session")
                .containsEntry("Service/payments-session", "Deployment/payments-session")
                .containsEntry("ConfigMap/flink-config-payments-session", "Deployment/payments-session");
        var deployment = client.apps().deployments().inNamespace(NAMESPACE).withName("payments-session").get();
        var pod = deployment.getSpec().getTemplate().getSpec();
        assertThat(pod.getServiceAccountName()).isEqualTo("flink");
        assertThat(pod.getContainers().get(0).getImage()).isEqualTo("flink:1.20.1-java17");
        assertThat(flinkConfig("payments-session")).containsEntry("taskmanager.numberOfTaskSlots", "2")
                .containsEntry("execution.target", "kubernetes-session");
        assertThat(kubernetes.exists(home, options)).isTrue();
    }

    @Test
    void anExistingClusterIdIsReportedAndItsJobManagerKept() {
        Map<String, String> options = options("taken", "kubernetes-session");
        kubernetes.deploySession(home, options);
        String uid = client.apps().deployments().inNamespace(NAMESPACE).withName("taken").get().getMetadata().getUid();

        assertThatThrownBy(() -> kubernetes.deploySession(home, options))
                .isInstanceOf(FlinkException.Rejected.class)
                .hasMessageContaining("a Flink cluster with id taken already exists in namespace flink");

        assertThat(client.apps().deployments().inNamespace(NAMESPACE).withName("taken").get().getMetadata().getUid())
                .as("the running JobManager is the same object, not deleted and created again").isEqualTo(uid);
    }

    @Test
    void ingressExposesTheWebUiAndIsOwnedByTheJobManager() {
        Map<String, String> options = options("ui", "kubernetes-session");
        kubernetes.deploySession(home, options);

        URI url = kubernetes.createIngress(home, options, "flink.example.com", "nginx", true);

        assertThat(url).isEqualTo(URI.create("https://ui.flink.example.com"));
        Ingress ingress = client.network().v1().ingresses().inNamespace(NAMESPACE).withName("ui-ui").get();
        assertThat(ingress.getSpec().getIngressClassName()).isEqualTo("nginx");
        assertThat(ingress.getSpec().getRules().get(0).getHost()).isEqualTo("ui.flink.example.com");
        assertThat(ingress.getSpec().getRules().get(0).getHttp().getPaths().get(0).getBackend().getService().getName())
                .isEqualTo("ui-rest");
        assertThat(ingress.getSpec().getTls().get(0).getHosts()).containsExactly("ui.flink.example.com");
        assertThat(kubernetes.objects(home, options)).containsEntry("Ingress/ui-ui", "Deployment/ui");
    }

    @Test
    void deletingAClusterRemovesEveryObjectItMade() {
        Map<String, String> options = options("doomed", "kubernetes-session");
        kubernetes.deploySession(home, options);
        kubernetes.createIngress(home, options, "flink.example.com", null, false);

        List<String> deleted = kubernetes.delete(home, options);

        assertThat(deleted).contains("Deployment/doomed", "Ingress/doomed-ui");
        assertThat(kubernetes.objects(home, options)).isEmpty();
        assertThat(kubernetes.exists(home, options)).isFalse();
        assertThat(kubernetes.delete(home, options)).as("deleting what is gone does nothing").isEmpty();
    }

    @Test
    void applicationClusterFetchesTheJarFromTheServiceAndRunsTheJobUnderItsJobId() throws Exception {
        Map<String, String> options = options("payments-orders", "kubernetes-application");
        Path jar = Files.writeString(tmp.resolve("job.jar"), "not really a jar");
        KubernetesAppCluster cluster = new KubernetesAppCluster(kubernetes, home, options,
                sha -> URI.create("https://tributary.example.com/artifacts/" + sha), Optional.empty());
        JobId id = JobId.random();

        cluster.deploy(new JobSubmission(id, jar, "com.example.Orders", List.of("--brokers", "kafka:9092"), 3,
                "s3://bucket/sp-1", true, Map.of("execution.checkpointing.interval", "30s")));

        assertThat(flinkConfig("payments-orders"))
                .containsEntry("pipeline.jars", "https://tributary.example.com/artifacts/"
                        + io.tributary.build.Digests.sha256(jar))
                .containsEntry("$internal.pipeline.job-id", id.hex())
                .containsEntry("execution.savepoint.path", "s3://bucket/sp-1")
                .containsEntry("execution.savepoint.ignore-unclaimed-state", "true")
                .containsEntry("parallelism.default", "3")
                .containsEntry("execution.checkpointing.interval", "30s")
                .containsEntry("$internal.application.main", "com.example.Orders")
                .containsEntry("$internal.application.program-args", "[--brokers, kafka:9092]");
        assertThat(kubernetes.objects(home, options)).containsEntry("Deployment/payments-orders", "")
                .containsEntry("Service/payments-orders-rest", "Deployment/payments-orders");
        cluster.delete();
        assertThat(cluster.exists()).isFalse();
    }

    @Test
    void aDeployThatDoesNotComeUpFailsWithThePodsEventsAndIsRemoved() {
        Map<String, String> options = options("payments-broken", "kubernetes-application");
        client.pods().inNamespace(NAMESPACE).resource(new PodBuilder().withNewMetadata()
                .withName("payments-broken-5d8f7-abcde").withNamespace(NAMESPACE)
                .addToLabels("app", "payments-broken").addToLabels("component", "jobmanager")
                .addToLabels("type", "flink-native-kubernetes").endMetadata()
                .withNewStatus().withPhase("Pending").addNewContainerStatus().withName("flink-main-container")
                .withNewState().withNewWaiting().withReason("ImagePullBackOff")
                .withMessage("Back-off pulling image \"flink:9.9\"").endWaiting().endState().endContainerStatus()
                .endStatus().build()).create();
        client.v1().events().inNamespace(NAMESPACE).resource(new EventBuilder().withNewMetadata()
                .withName("payments-broken-5d8f7-abcde.1").withNamespace(NAMESPACE).endMetadata()
                .withNewInvolvedObject().withKind("Pod").withName("payments-broken-5d8f7-abcde").endInvolvedObject()
                .withType("Warning").withReason("Failed").withMessage("Failed to pull image \"flink:9.9\": not found")
                .withLastTimestamp("2026-11-26T08:00:00Z").build()).create();
        KubernetesAppCluster cluster = new KubernetesAppCluster(kubernetes, home, options,
                sha -> URI.create("https://tributary.example.com/artifacts/" + sha), Optional.empty());
        ApplicationClusterTarget target = new ApplicationClusterTarget(cluster,
                url -> new FlinkRestClient(url, java.net.http.HttpClient.newHttpClient(), Duration.ofMillis(300)),
                Duration.ofSeconds(2), Duration.ofMillis(200));

        assertThatThrownBy(() -> target.submit(new JobSubmission(JobId.random(), Path.of("pom.xml"), null, List.of(),
                1, null, false, Map.of())))
                .isInstanceOf(FlinkException.Rejected.class)
                .hasMessageContaining("Kubernetes cluster payments-broken in namespace flink did not run job")
                .hasMessageContaining("ImagePullBackOff: Back-off pulling image \"flink:9.9\"")
                .hasMessageContaining("Warning Failed: Failed to pull image \"flink:9.9\": not found")
                .hasMessageContaining("Log of payments-broken-5d8f7-abcde");

        assertThat(cluster.exists()).as("a failed start leaves nothing behind").isFalse();
    }
}
