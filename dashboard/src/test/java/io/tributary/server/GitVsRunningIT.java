package io.tributary.server;

import static org.assertj.core.api.Assertions.assertThat;

import io.tributary.apply.TestingClusters;
import io.tributary.flink.JobId;
import io.tributary.flink.TestingFlinkTarget;
import io.tributary.model.JobState;
import io.tributary.source.Credentials;
import io.tributary.store.AppStatus;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import org.eclipse.jgit.api.Git;
import org.eclipse.jgit.revwalk.RevCommit;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;
import org.junit.jupiter.api.io.TempDir;
import tools.jackson.databind.JsonNode;

/**
 * "Git vs running" over HTTP on a service whose app runs on an in-memory Flink: the app is deployed,
 * its syncing paused through the API, then parallelism, SQL and a Flink option change in Git. The
 * new revision is applied but the job keeps running the old spec, and both the API's app detail and
 * the app's page list what changed, field by field, naming the two revisions.
 */
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
class GitVsRunningIT {
    private static final String APP = "payments/orders";

    @TempDir
    static Path temp;
    private Service service;
    private ServiceApi admin;
    private TestingFlinkTarget flink;
    private Git git;
    private Path repo;
    private String deployedRevision;
    private String changedRevision;

    @BeforeAll
    void deployThenChangeGitWhileSyncIsPaused() throws Exception {
        repo = temp.resolve("config");
        git = Git.init().setDirectory(repo.toFile()).setInitialBranch("main").call();
        Files.writeString(repo.resolve("platform.yaml"), """
                apiVersion: tributary.io/v1
                kind: FlinkVersion
                metadata: {name: flink-1.20}
                spec: {version: 1.20.1, default: true}
                ---
                apiVersion: tributary.io/v1
                kind: Cluster
                metadata: {name: remote}
                spec: {mode: standalone, managed: false, standalone: {address: "http://127.0.0.1:9"}}
                ---
                apiVersion: tributary.io/v1
                kind: Team
                metadata: {name: payments}
                spec:
                  members: []
                """);
        Files.writeString(repo.resolve("orders.sql"), """
                CREATE TABLE orders (id BIGINT) WITH ('connector' = 'datagen');
                CREATE TABLE sink (id BIGINT) WITH ('connector' = 'blackhole');
                INSERT INTO sink SELECT id FROM orders;
                """);
        Files.writeString(repo.resolve("orders.yaml"), app(1, "2"));
        deployedRevision = "main@sha1:" + commit("orders at parallelism 1").name();
        flink = new TestingFlinkTarget(Clock.systemUTC());
        service = Service.start(new ServiceConfig(repo.toString(), "main", null, new Credentials.None(),
                temp.resolve("data"), null, null, null, 0, Duration.ofHours(1), 2,
                Path.of(System.getProperty("user.home"), ".m2", "repository"), ServiceApi.ADMIN_PASSWORD),
                new TestingClusters(flink));
        admin = new ServiceApi(service.port());
        awaitRunning();

        HttpResponse<String> paused = admin.post("/api/v1/applications/" + APP + "/actions/pause-sync",
                "{\"reason\": \"hold the upgrade until the incident is over\"}");
        assertThat(paused.statusCode()).as("pause-sync: %s", paused.body()).isBetween(200, 299);

        Files.writeString(repo.resolve("orders.yaml"), app(3, "4"));
        Files.writeString(repo.resolve("orders.sql"), """
                CREATE TABLE orders (id BIGINT) WITH ('connector' = 'datagen');
                CREATE TABLE sink (id BIGINT) WITH ('connector' = 'blackhole');
                INSERT INTO sink SELECT id FROM orders WHERE id > 0;
                """);
        changedRevision = "main@sha1:" + commit("orders at parallelism 3, filtered").name();
        Await.until("the changed revision is applied", Duration.ofSeconds(60), () -> {
            admin.triggerSync();
            return changedRevision.equals(admin.sync().path("appliedRevision").asString(null));
        });
    }

    @AfterAll
    void stop() {
        if (service != null) {
            service.close();
        }
        if (git != null) {
            git.close();
        }
    }

    @Test
    void theApiDetailListsEachChangedFieldBetweenTheDeployedRevisionAndGit() {
        JsonNode drift = settledDrift();

        assertThat(drift.path("differs").asBoolean()).isTrue();
        assertThat(drift.path("runningRevision").asString()).isEqualTo(deployedRevision);
        assertThat(drift.path("gitRevision").asString()).isEqualTo(changedRevision);
        assertThat(drift.path("explanation").asString()).contains("once syncing is resumed");
        assertThat(summaries(drift)).containsExactly(
                "job.sql: 1 line added, 1 removed",
                "parallelism: 1 -> 3",
                "flinkConfiguration.taskmanager.numberOfTaskSlots: 2 -> 4");
        JsonNode parallelism = drift.path("changes").get(1);
        assertThat(parallelism.path("field").asString()).isEqualTo("parallelism");
        assertThat(parallelism.path("before").asString()).isEqualTo("1");
        assertThat(parallelism.path("after").asString()).isEqualTo("3");
        assertThat(drift.path("changesUnavailable").isNull()).isTrue();
    }

    @Test
    void theAppPageShowsTheSameListUnderGitVsRunning() {
        settledDrift();
        HttpResponse<String> page = admin.get("/apps/" + APP);

        assertThat(page.statusCode()).isEqualTo(200);
        String html = page.body();
        String section = html.substring(html.indexOf("<section id=\"drift\""), html.indexOf("<section id=\"deployments\""))
                .replace("&gt;", ">"); // as a browser shows it
        assertThat(section)
                .contains("differs")
                .contains("job.sql: 1 line added, 1 removed")
                .contains("parallelism: 1 -> 3")
                .contains("flinkConfiguration.taskmanager.numberOfTaskSlots: 2 -> 4")
                .contains(shortName(deployedRevision))
                .contains(shortName(changedRevision));
    }

    @Test
    void theRunningJobStillHasTheDeployedSpecWhileSyncIsPaused() {
        Optional<AppStatus> status = service.reconciler().store().status(APP);
        assertThat(status.map(AppStatus::revision)).contains(deployedRevision);
        assertThat(flink.fake(new JobId(status.get().jobId())).map(j -> j.state())).contains(JobState.RUNNING);
    }

    /** The detail's drift once the deployed revision was read (the first request may find it still being read). */
    private JsonNode settledDrift() {
        JsonNode[] drift = new JsonNode[1];
        Await.until("the deployed revision is read", Duration.ofSeconds(30), () -> {
            drift[0] = admin.detail(APP).path("drift");
            return !drift[0].path("changesPending").asBoolean();
        });
        return drift[0];
    }

    /** {@code main@ab12cd3}, as the page names a revision. */
    private static String shortName(String revision) {
        return "main@" + revision.substring("main@sha1:".length(), "main@sha1:".length() + 7);
    }

    private static List<String> summaries(JsonNode drift) {
        List<String> summaries = new ArrayList<>();
        drift.path("changes").forEach(c -> summaries.add(c.path("summary").asString()));
        return summaries;
    }

    private void awaitRunning() {
        Await.until(APP + " runs", Duration.ofSeconds(60), () -> {
            Optional<String> job = service.reconciler().store().status(APP).map(AppStatus::jobId);
            boolean running = job.isPresent() && flink.fake(new JobId(job.get()))
                    .map(j -> j.state() == JobState.RUNNING).orElse(false);
            if (!running) {
                service.reconciler().triggerSync();
            }
            return running;
        });
    }

    private RevCommit commit(String message) throws Exception {
        git.add().addFilepattern(".").call();
        return git.commit().setAll(true).setMessage(message).setAuthor("t", "t@example.com").call();
    }

    private static String app(int parallelism, String slots) {
        return """
                apiVersion: tributary.io/v1
                kind: Application
                metadata: {name: orders, team: payments}
                spec:
                  deployment: {mode: standalone-session, cluster: remote}
                  job: {type: sql, sql: {file: orders.sql}}
                  parallelism: %d
                  savepoints: {directory: "file:///tmp/git-vs-running-savepoints"}
                  flinkConfiguration: {taskmanager.numberOfTaskSlots: "%s"}
                """.formatted(parallelism, slots);
    }
}
