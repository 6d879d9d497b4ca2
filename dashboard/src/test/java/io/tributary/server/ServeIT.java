package io.tributary.server;

import static org.assertj.core.api.Assertions.assertThat;

import io.tributary.source.Credentials;
import io.tributary.store.SavepointRecord;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.OptionalLong;
import java.util.function.BooleanSupplier;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Stream;
import org.eclipse.jgit.api.Git;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.MethodOrderer;
import org.junit.jupiter.api.Order;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;
import org.junit.jupiter.api.TestMethodOrder;
import tools.jackson.databind.JsonNode;
import tools.jackson.databind.json.JsonMapper;

/**
 * The service end to end: a Git repository served to {@code serve}, a real local Flink 1.20
 * cluster, the embedded PostgreSQL and the HTTP API. Each commit is a step of one SQL app's life.
 */
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
@TestMethodOrder(MethodOrderer.OrderAnnotation.class)
class ServeIT {
    private static final String APP = "streams/counter";
    private static final Duration STEP = Duration.ofMinutes(3);
    private static final JsonMapper JSON = JsonMapper.builder().build();

    private Path temp;
    private Path repoDir;
    private Git git;
    private Service service;
    private final HttpClient http = HttpClient.newHttpClient();
    private long countBeforeUpgrade;

    @BeforeAll
    void start() throws Exception {
        temp = Files.createTempDirectory("serve-it");
        repoDir = temp.resolve("config");
        git = Git.init().setDirectory(repoDir.toFile()).setInitialBranch("main").call();
        write("platform/platform.yaml", """
                apiVersion: tributary.io/v1
                kind: FlinkVersion
                metadata: {name: flink-1.20}
                spec: {version: 1.20.1, default: true}
                ---
                apiVersion: tributary.io/v1
                kind: Cluster
                metadata: {name: local}
                spec:
                  mode: standalone
                  managed: true
                  standalone: {taskManagers: 1, slotsPerTaskManager: 2}
                  flinkConfiguration:
                    jobmanager.memory.process.size: 1g
                    taskmanager.memory.process.size: 1g
                ---
                apiVersion: tributary.io/v1
                kind: User
                metadata: {name: alice}
                spec: {displayName: Alice, email: alice@example.com}
                ---
                apiVersion: tributary.io/v1
                kind: Team
                metadata: {name: streams}
                spec:
                  members: [{user: alice, role: admin}]
                """);
        writeApp("running");
        writeSql("count-v1");
        commit("a counting SQL app");
        service = Service.start(new ServiceConfig(repoDir.toString(), "main", null, new Credentials.None(),
                temp.resolve("data"), null, null, null, 0, Duration.ofSeconds(2), 2,
                Path.of(System.getProperty("user.home"), ".m2", "repository")));
    }

    @AfterAll
    void stop() {
        if (service != null) {
            service.close();
        }
        git.close();
    }

    @Test
    @Order(1)
    void aCommittedSqlAppRuns() {
        await("the app runs", () -> "RUNNING".equals(status().path("jobState").asString(null))
                && "Healthy".equals(status().path("health").asString(null)));
        await("the job counts", () -> latestCount("count-v1").orElse(0) > 20);
        assertThat(sync().path("condition").asString()).isEqualTo("Ready");
        assertThat(sync().path("appliedRevision").asString()).startsWith("main@sha1:");
    }

    @Test
    @Order(2)
    void changedSqlIsUpgradedWithASavepointAndTheCountGoesOn() throws Exception {
        String before = status().path("jobId").asString();
        writeSql("count-v2");
        commit("print under a new name");
        triggerSync();
        await("a new job runs", () -> !before.equals(status().path("jobId").asString(before))
                && "RUNNING".equals(status().path("jobState").asString(null)));
        countBeforeUpgrade = latestCount("count-v1").orElseThrow();
        await("the new job counts", () -> firstCount("count-v2").isPresent());
        assertThat(firstCount("count-v2").orElseThrow())
                .as("the count continues from the savepoint instead of starting again")
                .isGreaterThan(countBeforeUpgrade - 40).isGreaterThan(20);
        List<SavepointRecord> savepoints = service.reconciler().store().savepoints(APP);
        assertThat(savepoints).singleElement().extracting(SavepointRecord::jobId).isEqualTo(before);
        assertThat(detail().path("deployments").get(0).path("restoredFrom").asString())
                .isEqualTo(savepoints.get(0).path());
    }

    @Test
    @Order(3)
    void suspendedStopsWithARecordedSavepoint() throws Exception {
        writeApp("suspended");
        commit("suspend");
        triggerSync();
        await("the app is suspended", () -> "Suspended".equals(status().path("health").asString(null)));
        assertThat(status().path("jobId").isNull()).isTrue();
        assertThat(service.reconciler().store().savepoints(APP)).hasSize(2);
        assertThat(detail().path("application").path("lastSavepoint").path("path").asString())
                .isEqualTo(service.reconciler().store().savepoints(APP).get(0).path());
    }

    @Test
    @Order(4)
    void runningAgainResumesFromThatSavepoint() throws Exception {
        String savepoint = service.reconciler().store().savepoints(APP).get(0).path();
        writeApp("running");
        commit("resume");
        triggerSync();
        await("the app runs again", () -> "RUNNING".equals(status().path("jobState").asString(null)));
        assertThat(detail().path("deployments").get(0).path("restoredFrom").asString()).isEqualTo(savepoint);
    }

    @Test
    @Order(5)
    void deletingTheFileTakesAFinalSavepointAndKeepsTheRecords() throws Exception {
        Files.delete(repoDir.resolve("teams/streams/counter.yaml"));
        git.rm().addFilepattern("teams/streams/counter.yaml").call();
        commit("remove the app");
        triggerSync();
        await("the app is gone", () -> get("/api/v1/applications/" + APP).statusCode() == 404);
        List<SavepointRecord> savepoints = service.reconciler().store().savepoints(APP);
        assertThat(savepoints).hasSize(3).first().extracting(SavepointRecord::kind).isEqualTo("final");
        assertThat(service.reconciler().store().deployments(APP, 10)).hasSize(3)
                .allSatisfy(d -> assertThat(d.endedAt()).isNotNull());
    }

    @Test
    @Order(6)
    void anInvalidCommitChangesNothingAndShowsItsErrorAtItsLine() throws Exception {
        String applied = sync().path("appliedRevision").asString();
        write("platform/broken.yaml", """
                apiVersion: tributary.io/v1
                kind: Cluster
                metadata: {name: broken}
                spec:
                  mode: standalone
                  managed: maybe
                """);
        commit("a broken cluster");
        triggerSync();
        await("the sync shows the error", () -> sync().path("errors").size() > 0);
        JsonNode sync = sync();
        assertThat(sync.path("condition").asString()).isEqualTo("Stalled");
        assertThat(sync.path("appliedRevision").asString()).isEqualTo(applied);
        assertThat(sync.path("errors").get(0).asString()).startsWith("platform/broken.yaml:6:");
    }

    // ---- the repository

    private void writeApp(String state) throws IOException {
        write("teams/streams/counter.yaml", """
                apiVersion: tributary.io/v1
                kind: Application
                metadata: {name: counter, team: streams}
                spec:
                  deployment: {mode: standalone-session, cluster: local}
                  job:
                    type: sql
                    sql: {file: sql/counter.sql}
                  state: %s
                  checkpoints: {interval: 5s}
                """.formatted(state));
    }

    private void writeSql(String printName) throws IOException {
        write("sql/counter.sql", """
                CREATE TABLE numbers (id BIGINT) WITH ('connector' = 'datagen', 'rows-per-second' = '20');
                CREATE TABLE counts (n BIGINT) WITH ('connector' = 'print', 'print-identifier' = '%s');
                INSERT INTO counts SELECT COUNT(*) FROM numbers;
                """.formatted(printName));
    }

    private void write(String file, String text) throws IOException {
        Path path = repoDir.resolve(file);
        Files.createDirectories(path.getParent());
        Files.writeString(path, text);
    }

    private void commit(String message) throws Exception {
        git.add().addFilepattern(".").call();
        git.commit().setMessage(message).setAuthor("test", "test@example.com").call();
    }

    // ---- the service's API

    private HttpResponse<String> get(String path) {
        try {
            return http.send(HttpRequest.newBuilder(URI.create("http://localhost:" + service.port() + path)).build(),
                    HttpResponse.BodyHandlers.ofString());
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException(e);
        }
    }

    private void triggerSync() throws Exception {
        HttpResponse<String> response = http.send(HttpRequest.newBuilder(
                URI.create("http://localhost:" + service.port() + "/api/v1/sync"))
                .POST(HttpRequest.BodyPublishers.noBody()).build(), HttpResponse.BodyHandlers.ofString());
        assertThat(response.statusCode()).isEqualTo(202);
    }

    private JsonNode sync() {
        return JSON.readTree(get("/api/v1/sync").body());
    }

    private JsonNode detail() {
        return JSON.readTree(get("/api/v1/applications/" + APP).body());
    }

    private JsonNode status() {
        HttpResponse<String> response = get("/api/v1/applications/" + APP);
        if (response.statusCode() != 200) {
            return JSON.createObjectNode();
        }
        return JSON.readTree(response.body()).path("application").path("status");
    }

    // ---- what the job printed (the TaskManager's stdout)

    private List<Long> counts(String printName) {
        Pattern line = Pattern.compile(Pattern.quote(printName) + "(?::\\d+)?> [+-][IU]\\[(\\d+)]");
        List<Long> counts = new ArrayList<>();
        try (Stream<Path> files = Files.walk(temp.resolve("data/clusters"))) {
            for (Path out : files.filter(p -> p.getFileName().toString().endsWith(".out")).toList()) {
                for (String text : Files.readAllLines(out)) {
                    Matcher m = line.matcher(text);
                    if (m.find()) {
                        counts.add(Long.parseLong(m.group(1)));
                    }
                }
            }
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        return counts;
    }

    private OptionalLong latestCount(String printName) {
        List<Long> counts = counts(printName);
        return counts.isEmpty() ? OptionalLong.empty() : OptionalLong.of(counts.get(counts.size() - 1));
    }

    private OptionalLong firstCount(String printName) {
        List<Long> counts = counts(printName);
        return counts.isEmpty() ? OptionalLong.empty() : OptionalLong.of(counts.get(0));
    }

    private static void await(String what, BooleanSupplier condition) {
        long deadline = System.nanoTime() + STEP.toNanos();
        while (!condition.getAsBoolean()) {
            if (System.nanoTime() > deadline) {
                throw new AssertionError("timed out after " + STEP + " waiting until " + what);
            }
            try {
                Thread.sleep(500);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                throw new AssertionError(e);
            }
        }
    }
}
