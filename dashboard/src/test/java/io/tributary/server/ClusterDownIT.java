package io.tributary.server;

import static org.assertj.core.api.Assertions.assertThat;

import io.tributary.source.Credentials;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;
import org.junit.jupiter.api.io.TempDir;
import tools.jackson.databind.JsonNode;

/**
 * A managed Kubernetes session that an earlier run of the service deployed and found not answering (what
 * KubernetesRegistryIT produces against the mock API server; the record is laid down here as that run left
 * it): after a restart the Clusters page shows it Down with its JobManager's diagnostics, and the clusters
 * API says {@code down} with the same text and its time.
 */
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
class ClusterDownIT {
    private static final String PROBLEM = "Kubernetes session k8s-shared in namespace flink was deployed, but its"
            + " JobManager did not answer on its REST address http://k8s-shared-rest.flink:8081 within 300s.\n"
            + "Pod k8s-shared-6d9f-abcde: phase Pending\n"
            + "  container flink-main-container: waiting, ImagePullBackOff: Back-off pulling image \"flink:9.9\"\n";

    @TempDir
    static Path temp;
    private ConfigRepo config;
    private Service service;
    private ServiceApi admin;

    @BeforeAll
    void start() throws Exception {
        config = ConfigRepo.empty(temp.resolve("config"));
        config.write("platform/platform.yaml", """
                apiVersion: tributary.io/v1
                kind: FlinkVersion
                metadata: {name: flink-1.20}
                spec: {version: 1.20.1, default: true}
                ---
                apiVersion: tributary.io/v1
                kind: Cluster
                metadata: {name: k8s-shared}
                spec:
                  mode: kubernetes-session
                  managed: true
                  kubernetes: {namespace: flink, image: "flink:9.9"}
                ---
                apiVersion: tributary.io/v1
                kind: Team
                metadata: {name: payments}
                spec: {description: Payment pipelines}
                """);
        config.commit("a Kubernetes session");
        Path data = temp.resolve("data");
        Path dir = Files.createDirectories(data.resolve("clusters").resolve("k8s-shared"));
        Files.writeString(dir.resolve("startup-problem.txt"), "2026-11-26T08:00:00Z\n" + PROBLEM);
        service = Service.start(new ServiceConfig(config.dir().toString(), "main", null, new Credentials.None(),
                data, null, null, null, 0, Duration.ofSeconds(2), 2,
                Path.of(System.getProperty("user.home"), ".m2", "repository"), ServiceApi.ADMIN_PASSWORD));
        admin = new ServiceApi(service.port());
    }

    @AfterAll
    void stop() throws Exception {
        if (service != null) {
            service.close();
        }
        config.close();
    }

    @Test
    void aSessionThatNeverAnsweredIsDownWithWhyOnThePageAndInTheApi() {
        Await.until("the revision is applied", Duration.ofMinutes(1),
                () -> ServiceApi.JSON.readTree(admin.get("/api/v1/clusters").body()).path("items").size() == 1);
        JsonNode cluster = ServiceApi.JSON.readTree(admin.get("/api/v1/clusters").body()).path("items").path(0);
        assertThat(cluster.path("state").asString()).isEqualTo("down");
        assertThat(cluster.path("startupProblem").asString()).isEqualTo(PROBLEM);
        assertThat(cluster.path("startupProblemAt").asString()).isEqualTo("2026-11-26T08:00:00Z");

        String page = admin.get("/clusters").body();
        assertThat(page).contains("<span class=\"badge bad\">Down</span>").contains("Why it is down")
                .contains("waiting, ImagePullBackOff: Back-off pulling image \"flink:9.9\"");
    }
}
