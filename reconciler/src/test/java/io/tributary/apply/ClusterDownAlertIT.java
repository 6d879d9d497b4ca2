package io.tributary.apply;

import static org.assertj.core.api.Assertions.assertThat;

import io.tributary.flink.LocalCluster;
import io.tributary.model.Cluster;
import io.tributary.model.JobState;
import io.tributary.store.Store;
import java.io.IOException;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.function.BooleanSupplier;
import java.util.stream.Collectors;
import java.util.stream.IntStream;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import tools.jackson.databind.JsonNode;

/**
 * A real managed local cluster of its own (one TaskManager with 20 slots, little memory) runs 20 tiny
 * SQL jobs, each app alerting a local webhook. Its JobManager is killed with {@code kill -9} (the
 * watchdog is held back so the cluster stays down until the test brings it back): one
 * {@code cluster-down} alert naming the 20 apps is delivered, not one per app, and one resolved
 * notice once the cluster answers again.
 */
class ClusterDownAlertIT {
    private static final int APPS = 20;

    @TempDir
    Path temp;

    private ReconcilerFixture fixture;
    private Store store;
    private Clusters clusters;
    private Reconciler reconciler;
    private List<JsonNode> received;

    @BeforeEach
    void setUp() throws IOException {
        ReconcilerFixture.Builder setup = ReconcilerFixture.in(temp).reconcileEvery(Duration.ofMillis(500))
                // the watchdog is held back: the killed JobManager stays down until the test brings the cluster back
                .clusters(LocalCluster.Options.defaults().withWatchdogInterval(Duration.ofHours(1)));
        // the cluster of its own replaces the base repository's "local", which would be started too
        setup.write("platform/clusters.yaml", """
                apiVersion: tributary.io/v1
                kind: Cluster
                metadata: {name: small}
                spec:
                  mode: standalone
                  managed: true
                  standalone: {taskManagers: 1, slotsPerTaskManager: %d}
                  flinkConfiguration:
                    jobmanager.memory.process.size: 1g
                    taskmanager.memory.process.size: 1280m
                    taskmanager.memory.managed.fraction: "0.05"
                """.formatted(APPS));
        setup.write("teams/payments/apps.yaml", IntStream.rangeClosed(1, APPS).mapToObj(i -> """
                apiVersion: tributary.io/v1
                kind: Application
                metadata: {name: orders-%02d, team: payments}
                spec:
                  deployment: {mode: standalone-session, cluster: small}
                  job:
                    type: sql
                    sql: {file: sql/orders.sql}
                  # alert only: the 20 jobs the cluster lost are not resubmitted, which keeps the test short
                  restartPolicy: {maxRestarts: 0}
                  alertPolicies: [payments-default]
                """.formatted(i)).collect(Collectors.joining("---\n")));
        setup.webhookAlerts(Duration.ofMillis(200), null,
                "cluster-down", "job-failed", "job-lost", "restarts-exceeded");
        fixture = setup.build();
        store = fixture.store;
        clusters = fixture.clusters();
        reconciler = fixture.reconciler;
        received = fixture.received;
    }

    @AfterEach
    void tearDown() {
        fixture.close();
    }

    @Test
    void aKilledClusterWithTwentyAppsIsOneClusterDownAlertAndOneResolvedNotice() throws Exception {
        reconcileUntil("the 20 jobs run", Duration.ofMinutes(5), () -> store.statuses().stream()
                .filter(s -> JobState.RUNNING.name().equals(s.jobState())).count() == APPS);
        assertThat(received).as("nothing alerted while the apps start").isEmpty();

        LocalCluster small = clusters.local("small").orElseThrow();
        long jobManager = small.jobManagerPid();
        assertThat(new ProcessBuilder("kill", "-9", String.valueOf(jobManager)).inheritIO().start().waitFor()).isZero();
        while (ProcessHandle.of(jobManager).map(ProcessHandle::isAlive).orElse(false)) {
            Thread.sleep(50);
        }

        reconcileUntil("the cluster-down alert is delivered", Duration.ofMinutes(1), () -> !received.isEmpty());
        passes(3);
        Thread.sleep(1_000); // whatever else the passes raised would have been delivered by now (group wait 0.5 s)
        assertThat(received).as("one alert for the cluster, none per app").hasSize(1);
        JsonNode down = received.get(0);
        assertThat(down.path("event").asString()).isEqualTo("cluster-down");
        assertThat(down.path("status").asString()).isEqualTo("firing");
        assertThat(down.path("subject").asString()).isEqualTo("cluster:small");
        assertThat(down.path("apps")).hasSize(APPS);
        assertThat(down.path("message").asString()).contains("cluster small cannot be reached; 20 app(s) on it");

        clusters.start(smallCluster(), reconciler.current().orElseThrow().desired());
        reconcileUntil("the resolved notice is delivered", Duration.ofMinutes(1), () -> received.size() >= 2);
        passes(3);
        Thread.sleep(1_000);
        assertThat(received).as("the alert and its resolved notice, nothing per app").hasSize(2);
        JsonNode back = received.get(1);
        assertThat(back.path("event").asString()).isEqualTo("cluster-down");
        assertThat(back.path("status").asString()).isEqualTo("resolved");
        assertThat(back.path("message").asString()).isEqualTo("cluster small answers again");
        assertThat(store.events("cluster:small", 10)).extracting(e -> e.type())
                .containsExactly("cluster-down-resolved", "cluster-down");
    }

    private Cluster smallCluster() {
        return fixture.cluster("small");
    }

    private void passes(int n) {
        fixture.passes(n);
    }

    private void reconcileUntil(String what, Duration timeout, BooleanSupplier condition) {
        fixture.reconcileUntil(what, timeout, condition, () -> "alerts " + received);
    }
}
