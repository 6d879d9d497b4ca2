package io.tributary.apply;

import static org.assertj.core.api.Assertions.assertThat;

import com.sun.net.httpserver.HttpServer;
import io.tributary.alert.AlertDispatcher;
import io.tributary.config.ConfigLoader;
import io.tributary.config.TestRepos;
import io.tributary.flink.DeploymentTarget;
import io.tributary.flink.FlinkRest.CheckpointStats;
import io.tributary.flink.FlinkTestSupport;
import io.tributary.flink.JobId;
import io.tributary.flink.LocalCluster;
import io.tributary.flink.SqlRunnerJar;
import io.tributary.model.Cluster;
import io.tributary.model.JobState;
import io.tributary.source.ConfigSource;
import io.tributary.source.SourceSpec;
import io.tributary.store.AlertStore;
import io.tributary.store.AppStatus;
import io.tributary.store.Database;
import io.tributary.store.Operation;
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
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import tools.jackson.databind.JsonNode;
import tools.jackson.databind.json.JsonMapper;

/**
 * A real SQL job on a real local Flink cluster whose checkpoints start failing (each next
 * checkpoint's directory is taken by a plain file, so Flink cannot create it): after the rule's count
 * of failures the policy's {@code checkpoint-failures} alert goes out, and with {@code action:
 * restart} the job is restarted from its last completed checkpoint, which the alert says; once the
 * new job completes a checkpoint, a resolved notice follows.
 */
class CheckpointFailuresIT {
    private static final String APP = "payments/orders";
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
    private Path checkpoints;

    @BeforeEach
    void setUp() throws IOException {
        receiver = HttpServer.create(new InetSocketAddress("127.0.0.1", 0), 0);
        receiver.createContext("/hook", exchange -> {
            received.add(JSON.readTree(new String(exchange.getRequestBody().readAllBytes(), StandardCharsets.UTF_8)));
            exchange.sendResponseHeaders(204, -1);
            exchange.close();
        });
        receiver.start();
        checkpoints = Files.createDirectories(temp.resolve("checkpoints"));
        Path repo = temp.resolve("repo");
        TestRepos.copyTree(TestRepos.BASE, repo);
        Files.writeString(repo.resolve("teams/payments/apps.yaml"), """
                apiVersion: tributary.io/v1
                kind: Application
                metadata: {name: orders, team: payments}
                spec:
                  deployment: {mode: standalone-session, cluster: local}
                  job:
                    type: sql
                    sql: {file: sql/orders.sql}
                  checkpoints: {interval: 1s, directory: "%s"}
                  flinkConfiguration:
                    # failed checkpoints do not fail the job: what Tributary does about them is the point
                    execution.checkpointing.tolerable-failed-checkpoints: 100000
                  alertPolicies: [payments-default]
                """.formatted(checkpoints.toUri()));
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
                    - event: checkpoint-failures
                      count: 3
                      within: 10m
                      action: restart
                """.formatted(receiver.getAddress().getPort()));
        Clock clock = Clock.systemUTC();
        Database db = TestDatabase.fresh();
        store = new Store(db, clock);
        maven = new MavenRepositories(FlinkTestSupport.sharedRepository().localRepository());
        clusters = new Clusters(temp.resolve("data"), maven, LocalCluster.Options.defaults());
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
    void checkpointsThatKeepFailingAlertAndRestartTheJobFromItsLastCompletedCheckpoint() throws IOException {
        reconcileUntil("the job runs", Duration.ofMinutes(4), () -> store.status(APP).map(AppStatus::jobState)
                .filter(JobState.RUNNING.name()::equals).isPresent());
        String job = store.status(APP).orElseThrow().jobId();
        DeploymentTarget flink = target();
        reconcileUntil("a first checkpoint completes", Duration.ofMinutes(2),
                () -> flink.checkpoints(new JobId(job)).latestCompleted().isPresent());

        // every next checkpoint directory of this job is a plain file now: Flink cannot create it
        CheckpointStats before = flink.checkpoints(new JobId(job));
        long next = before.latestCompleted().orElseThrow().id() + before.inProgress() + 1;
        Path jobDir = checkpoints.resolve(job);
        for (long id = next; id < next + 2_000; id++) {
            Path chk = jobDir.resolve("chk-" + id);
            try {
                if (!Files.exists(chk)) {
                    Files.writeString(chk, "in the way");
                }
            } catch (IOException e) {
                // Flink made this one a directory meanwhile: that checkpoint may complete, the next ones cannot
            }
        }

        reconcileUntil("the checkpoint-failures alert goes out", Duration.ofMinutes(2), () -> !received.isEmpty());
        JsonNode alert = received.get(0);
        assertThat(alert.path("event").asString()).isEqualTo("checkpoint-failures");
        assertThat(alert.path("status").asString()).isEqualTo("firing");
        assertThat(alert.path("app").asString()).isEqualTo(APP);
        assertThat(alert.path("message").asString()).contains("checkpoint(s) of job " + job + " failed within 10m")
                .contains("action restart: restarting the job from its last completed checkpoint file:");
        assertThat(alert.path("action").asString()).contains("restart");

        reconcileUntil("a new job runs", Duration.ofMinutes(3), () -> store.status(APP)
                .filter(s -> !job.equals(s.jobId()) && JobState.RUNNING.name().equals(s.jobState())).isPresent());
        Operation restart = store.operations(APP, 10).stream().filter(o -> o.kind().equals("upgrade")).findFirst()
                .orElseThrow();
        assertThat(restart.status()).isEqualTo(Operation.DONE);
        assertThat(restart.oldJobId()).isEqualTo(job);
        assertThat(restart.restoreFrom()).as("restored from the last completed checkpoint").contains(job + "/chk-");
        assertThat(alert.path("message").asString()).contains(restart.restoreFrom());

        reconcileUntil("the resolved notice goes out once the new job checkpoints", Duration.ofMinutes(2),
                () -> received.size() >= 2);
        assertThat(received.get(1).path("status").asString()).isEqualTo("resolved");
        assertThat(received.get(1).path("event").asString()).isEqualTo("checkpoint-failures");
        assertThat(received).hasSize(2);
    }

    private DeploymentTarget target() {
        Cluster local = reconciler.current().orElseThrow().desired().all(Cluster.class).stream()
                .filter(c -> c.metadata().name().equals("local")).findFirst().orElseThrow();
        return clusters.target(local).orElseThrow();
    }

    private void reconcileUntil(String what, Duration timeout, BooleanSupplier condition) {
        long deadline = System.nanoTime() + timeout.toNanos();
        while (!condition.getAsBoolean()) {
            assertThat(System.nanoTime()).as(what + "; status " + store.status(APP) + ", alerts " + received)
                    .isLessThan(deadline);
            reconciler.triggerSync();
            reconciler.reconcileOnce();
            try {
                Thread.sleep(1_000);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                throw new AssertionError(e);
            }
        }
    }
}
