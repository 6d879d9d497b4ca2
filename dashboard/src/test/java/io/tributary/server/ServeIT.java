package io.tributary.server;

import static io.tributary.server.ConfigRepo.APP;
import static org.assertj.core.api.Assertions.assertThat;

import io.tributary.source.Credentials;
import io.tributary.store.Deployment;
import io.tributary.store.SavepointRecord;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.OptionalLong;
import java.util.function.BooleanSupplier;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Stream;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.MethodOrderer;
import org.junit.jupiter.api.Order;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;
import org.junit.jupiter.api.TestMethodOrder;
import org.junit.jupiter.api.io.TempDir;
import tools.jackson.databind.JsonNode;

/**
 * The service end to end: a Git repository served to {@code serve}, a real local Flink 1.20
 * cluster, the embedded PostgreSQL and the HTTP API. Each commit is a step of one SQL app's life.
 */
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
@TestMethodOrder(MethodOrderer.OrderAnnotation.class)
class ServeIT {
    private static final Duration STEP = Duration.ofMinutes(3);

    /** Static: JUnit fills a static temp dir before {@code @BeforeAll}, an instance one only per test. */
    @TempDir
    static Path temp;
    private ConfigRepo repo;
    private Service service;
    private ServiceApi api;
    private long countBeforeUpgrade;

    @BeforeAll
    void start() throws Exception {
        repo = ConfigRepo.withCountingApp(temp.resolve("config"), "count-v1");
        startService();
    }

    private void startService() {
        service = Service.start(new ServiceConfig(repo.dir().toString(), "main", null, new Credentials.None(),
                temp.resolve("data"), null, null, null, 0, Duration.ofSeconds(2), 2,
                Path.of(System.getProperty("user.home"), ".m2", "repository"), ServiceApi.ADMIN_PASSWORD));
        api = new ServiceApi(service.port());
    }

    @AfterAll
    void stop() {
        if (service != null) {
            service.close();
        }
        repo.close();
    }

    @Test
    @Order(1)
    void aCommittedSqlAppRuns() {
        await("the app runs", () -> "RUNNING".equals(status().path("jobState").asString(null))
                && "Healthy".equals(status().path("health").asString(null)));
        await("the job counts", () -> latestCount("count-v1").orElse(0) > 20);
        assertThat(api.sync().path("condition").asString()).isEqualTo("Ready");
        assertThat(api.sync().path("appliedRevision").asString()).startsWith("main@sha1:");
    }

    @Test
    @Order(2)
    void changedSqlIsUpgradedWithASavepointAndTheCountGoesOn() throws Exception {
        String before = status().path("jobId").asString();
        repo.writeSql("count-v2");
        repo.commit("print under a new name");
        api.triggerSync();
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
        List<Deployment> history = service.reconciler().store().deployments(APP, 2);
        assertThat(history.get(1).endedAt()).as("the old job's end in the history, before its successor's start")
                .isBefore(history.get(0).startedAt());
    }

    @Test
    @Order(3)
    void suspendedStopsWithARecordedSavepoint() throws Exception {
        repo.writeApp("suspended");
        repo.commit("suspend");
        api.triggerSync();
        await("the app is suspended", () -> "Suspended".equals(status().path("health").asString(null)));
        assertThat(status().path("jobId").isNull()).isTrue();
        assertThat(service.reconciler().store().savepoints(APP)).hasSize(2);
        assertThat(detail().path("application").path("lastSavepoint").path("path").asString())
                .isEqualTo(service.reconciler().store().savepoints(APP).get(0).path());

        // a StreamPark script waiting for the stop sees how the job ended, not "never ran" (0)
        ServiceApi.Login admin = api.login("admin", ServiceApi.ADMIN_PASSWORD);
        HttpResponse<String> got = api.postWithoutLogin("/flink/app/get", Map.of("Cookie", admin.cookie(),
                "X-CSRF-Token", admin.csrfToken(), "Content-Type", "application/x-www-form-urlencoded"),
                ("id=" + service.reconciler().store().appId(APP)).getBytes(StandardCharsets.UTF_8));
        assertThat(ServiceApi.JSON.readTree(got.body()).path("data").path("state").asInt()).as(got.body())
                .isEqualTo(10);
    }

    @Test
    @Order(4)
    void runningAgainResumesFromThatSavepoint() throws Exception {
        String savepoint = service.reconciler().store().savepoints(APP).get(0).path();
        repo.writeApp("running");
        repo.commit("resume");
        api.triggerSync();
        await("the app runs again", () -> "RUNNING".equals(status().path("jobState").asString(null)));
        assertThat(detail().path("deployments").get(0).path("restoredFrom").asString()).isEqualTo(savepoint);
        assertThat(ServiceApi.flinkGet(api.flinkRestUrl(APP).orElseThrow(), "/jars").path("files"))
                .as("the JobManager keeps one upload of the SQL job jar for all three submits, not one per submit")
                .hasSize(1);
    }

    @Test
    @Order(5)
    void aServiceStoppedOnPurposeSuspendsTheJobOfItsLocalClusterAndResumesItFromThatSavepoint() {
        String before = status().path("jobId").asString();
        service.close();
        int printed = counts("count-v2").size();
        long lastCount = latestCount("count-v2").orElseThrow();

        startService();
        await("the app runs again", () -> !before.equals(status().path("jobId").asString(before))
                && "RUNNING".equals(status().path("jobState").asString(null)));
        List<SavepointRecord> savepoints = service.reconciler().store().savepoints(APP);
        assertThat(savepoints).as("the stop took a savepoint of the running job").hasSize(3).first()
                .satisfies(s -> assertThat(s.jobId()).isEqualTo(before))
                .satisfies(s -> assertThat(s.kind()).isEqualTo("savepoint"));
        assertThat(detail().path("deployments").get(0).path("restoredFrom").asString())
                .as("resumed from the savepoint of the stop, not restarted from a checkpoint")
                .isEqualTo(savepoints.get(0).path());
        assertThat(status().path("message").asString()).doesNotContain("restart");
        await("the resumed job counts", () -> counts("count-v2").size() > printed + 2);
        List<Long> counts = counts("count-v2");
        assertThat(counts.subList(printed, counts.size())).as("the count goes on from where the stop left it")
                .allSatisfy(count -> assertThat(count).isGreaterThanOrEqualTo(lastCount - 1));
    }

    @Test
    @Order(6)
    void deletingTheFileTakesAFinalSavepointAndKeepsTheRecords() throws Exception {
        repo.delete(ConfigRepo.APP_FILE);
        repo.commit("remove the app");
        api.triggerSync();
        await("the app is gone", () -> api.get("/api/v1/applications/" + APP).statusCode() == 404);
        List<SavepointRecord> savepoints = service.reconciler().store().savepoints(APP);
        assertThat(savepoints).hasSize(4).first().extracting(SavepointRecord::kind).isEqualTo("final");
        assertThat(service.reconciler().store().deployments(APP, 10)).hasSize(4)
                .allSatisfy(d -> assertThat(d.endedAt()).isNotNull());
    }

    @Test
    @Order(7)
    void anInvalidCommitChangesNothingAndShowsItsErrorAtItsLine() throws Exception {
        String applied = api.sync().path("appliedRevision").asString();
        repo.write("platform/broken.yaml", """
                apiVersion: tributary.io/v1
                kind: Cluster
                metadata: {name: broken}
                spec:
                  mode: standalone
                  managed: maybe
                """);
        repo.commit("a broken cluster");
        api.triggerSync();
        await("the sync shows the error", () -> api.sync().path("errors").size() > 0);
        JsonNode sync = api.sync();
        assertThat(sync.path("condition").asString()).isEqualTo("Stalled");
        assertThat(sync.path("appliedRevision").asString()).isEqualTo(applied);
        assertThat(sync.path("errors").get(0).asString()).startsWith("platform/broken.yaml:6:");
        assertThat(sync.path("fetchedMessage").asString()).as("which commit broke it").isEqualTo("a broken cluster");
        assertThat(api.get("/sync").body()).contains("a broken cluster");
        assertThat(api.get("/").body()).as("every page tells that Git is not applied")
                .contains("Git is not applied: revision ").contains("stays in force")
                .contains("<a href=\"/sync\">");
    }

    // ---- the service's API

    private JsonNode detail() {
        return api.detail(APP);
    }

    private JsonNode status() {
        return api.status(APP);
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
        Await.until(what, STEP, condition);
    }
}
