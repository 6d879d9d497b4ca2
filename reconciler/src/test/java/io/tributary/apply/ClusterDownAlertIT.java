package io.tributary.apply;

import static org.assertj.core.api.Assertions.assertThat;

import com.sun.net.httpserver.HttpServer;
import io.tributary.alert.AlertDispatcher;
import io.tributary.config.ConfigLoader;
import io.tributary.config.TestRepos;
import io.tributary.flink.FlinkTestSupport;
import io.tributary.flink.LocalCluster;
import io.tributary.flink.SqlRunnerJar;
import io.tributary.model.Cluster;
import io.tributary.model.JobState;
import io.tributary.source.ConfigSource;
import io.tributary.source.SourceSpec;
import io.tributary.store.AlertStore;
import io.tributary.store.Database;
import io.tributary.store.Store;
import io.tributary.store.TestDatabase;
import java.io.IOException;
import java.net.InetSocketAddress;
import java.net.http.HttpClient;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Duration;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.function.BooleanSupplier;
import java.util.stream.Collectors;
import java.util.stream.IntStream;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import tools.jackson.databind.JsonNode;
import tools.jackson.databind.json.JsonMapper;

/**
 * A real managed local cluster of its own (one TaskManager with 20 slots, little memory) runs 20 tiny
 * SQL jobs, each app alerting a local webhook. Its JobManager is killed with {@code kill -9} (the
 * watchdog is held back so the cluster stays down until the test brings it back): one
 * {@code cluster-down} alert naming the 20 apps is delivered, not one per app, and one resolved
 * notice once the cluster answers again.
 */
class ClusterDownAlertIT {
    private static final int APPS = 20;
    private static final JsonMapper JSON = JsonMapper.builder().build();

    @TempDir
    Path temp;

    private Store store;
    private MavenRepositories maven;
    private Clusters clusters;
    private Reconciler reconciler;
    private AlertDispatcher dispatcher;
    private HttpServer receiver;
    private final List<JsonNode> received = new CopyOnWriteArrayList<>();

    @BeforeEach
    void setUp() throws IOException {
        receiver = HttpServer.create(new InetSocketAddress("127.0.0.1", 0), 0);
        receiver.createContext("/hook", exchange -> {
            received.add(JSON.readTree(new String(exchange.getRequestBody().readAllBytes(), StandardCharsets.UTF_8)));
            exchange.sendResponseHeaders(204, -1);
            exchange.close();
        });
        receiver.start();
        Path repo = temp.resolve("repo");
        TestRepos.copyTree(TestRepos.BASE, repo);
        // the cluster of its own replaces the base repository's "local", which would be started too
        Files.writeString(repo.resolve("platform/clusters.yaml"), """
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
        Files.writeString(repo.resolve("teams/payments/apps.yaml"), IntStream.rangeClosed(1, APPS).mapToObj(i -> """
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
        Files.writeString(repo.resolve("teams/payments/alerts.yaml"), """
                apiVersion: tributary.io/v1
                kind: AlertChannel
                metadata: {name: hook, team: payments}
                spec:
                  type: webhook
                  webhook: {url: "http://127.0.0.1:%d/hook"}
                ---
                apiVersion: tributary.io/v1
                kind: AlertPolicy
                metadata: {name: payments-default, team: payments}
                spec:
                  channels: [hook]
                  rules:
                    - event: cluster-down
                    - event: job-failed
                    - event: job-lost
                    - event: restarts-exceeded
                """.formatted(receiver.getAddress().getPort()));
        Clock clock = Clock.systemUTC();
        Database db = TestDatabase.fresh();
        store = new Store(db, clock);
        maven = new MavenRepositories(FlinkTestSupport.sharedRepository().localRepository());
        // the watchdog is held back: the killed JobManager stays down until the test brings the cluster back
        clusters = new Clusters(temp.resolve("data"), maven,
                LocalCluster.Options.defaults().withWatchdogInterval(Duration.ofHours(1)));
        Path work = temp.resolve("work");
        JobLauncher launcher = new JobLauncher(maven, work.resolve("jars"), HttpClient.newHttpClient(),
                SqlRunnerJar.locate(work), work.resolve("job-jars"),
                new io.tributary.secrets.SecretResolver(name -> null, name -> null));
        Operations operations = new Operations(store, launcher, clock, Duration.ofMinutes(2), Duration.ofMillis(100));
        ConfigSource source = ConfigSource.open(new SourceSpec(repo.toString(), null, null), temp.resolve("source"), clock);
        reconciler = new Reconciler(source, new ConfigLoader(), store, clusters, operations, Optional.empty(), clock,
                new Reconciler.Options(Duration.ofSeconds(30), 2));
        dispatcher = new AlertDispatcher(new AlertStore(db, clock),
                () -> reconciler.current().map(Reconciler.Loaded::desired), name -> null, clock,
                new AlertDispatcher.Options(Duration.ofMillis(500), Duration.ofHours(1), 3, Duration.ofMillis(200), 3,
                        null));
        store.onEvent(dispatcher::accept);
        dispatcher.start();
    }

    @AfterEach
    void tearDown() {
        dispatcher.close();
        reconciler.close();
        clusters.close();
        maven.close();
        receiver.stop(0);
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
        return reconciler.current().orElseThrow().desired().all(Cluster.class).stream()
                .filter(c -> c.metadata().name().equals("small")).findFirst().orElseThrow();
    }

    private void passes(int n) {
        for (int i = 0; i < n; i++) {
            reconciler.triggerSync();
            reconciler.reconcileOnce();
        }
    }

    private void reconcileUntil(String what, Duration timeout, BooleanSupplier condition) {
        long deadline = System.nanoTime() + timeout.toNanos();
        while (!condition.getAsBoolean()) {
            assertThat(System.nanoTime()).as(what + "; alerts " + received).isLessThan(deadline);
            reconciler.triggerSync();
            reconciler.reconcileOnce();
            try {
                Thread.sleep(500);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                throw new AssertionError(e);
            }
        }
    }
}
