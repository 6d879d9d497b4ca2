package io.tributary.server;

import static org.assertj.core.api.Assertions.assertThat;

import io.tributary.build.Digests;
import io.tributary.source.Credentials;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Optional;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;
import org.junit.jupiter.api.io.TempDir;
import tools.jackson.databind.JsonNode;

/**
 * Builds over real HTTP: a Project (a small plain-Java Maven project in a Git repository, built offline)
 * whose builds, logs and artifacts the API, the open artifact route and the build pages show; a second
 * build of the same commit reuses the jar; a broken commit shows on the app as Degraded with the log's
 * address and a build-failed event. The app is suspended, on a cluster that does not answer: no Flink runs.
 */
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
class BuildsApiIT {
    private static final String BUILDS = "/api/v1/projects/payments/jobs/builds";

    @TempDir
    static Path temp;
    private ConfigRepo jobs;
    private ConfigRepo config;
    private Service service;
    private ServiceApi admin;
    private final HttpClient http = HttpClient.newHttpClient();

    @BeforeAll
    void start() throws Exception {
        jobs = ConfigRepo.empty(temp.resolve("jobs"));
        jobs.copy("projects/plain-jar");
        jobs.commit("the job");
        config = ConfigRepo.empty(temp.resolve("config"));
        config.copy("repos/builds-api");
        config.write("teams/payments/variables.yaml", """
                apiVersion: tributary.io/v1
                kind: Variable
                metadata: {name: jobs_repo, team: payments}
                spec: {value: "%s"}
                """.formatted(jobs.dir().toUri()));
        config.commit("a project and its app");
        service = Service.start(new ServiceConfig(config.dir().toString(), "main", null, new Credentials.None(),
                temp.resolve("data"), null, null, null, 0, Duration.ofSeconds(2), 2,
                Path.of(System.getProperty("user.home"), ".m2", "repository"), ServiceApi.ADMIN_PASSWORD));
        admin = new ServiceApi(service.port());
    }

    @AfterAll
    void stop() throws Exception {
        if (service != null) {
            service.close();
        }
        config.close();
        jobs.close();
    }

    @Test
    void buildsTheirLogsAndArtifactsAreReadableAndAFailedBuildShowsOnTheApp() throws Exception {
        Await.until("the first build succeeded", Duration.ofMinutes(3),
                () -> "succeeded".equals(json(BUILDS).path("items").path(0).path("status").asString()));
        JsonNode first = json(BUILDS).path("items").path(0);
        long firstId = first.path("id").asLong();
        assertThat(first.path("log").isNull()).as("lists leave the log out").isTrue();
        assertThat(first.path("logUrl").asString()).isEqualTo("/projects/payments/jobs/builds/" + firstId);
        JsonNode detail = json(BUILDS + "/" + firstId);
        assertThat(detail.path("log").asString()).contains("Building payments/jobs at main@sha1:");
        assertThat(detail.path("revision").asString()).startsWith("main@sha1:");
        JsonNode artifact = detail.path("artifacts").path(0);
        assertThat(artifact.path("path").asString()).isEqualTo("target/plain.jar");
        String sha = artifact.path("sha256").asString();

        // the jar over the open route, as a pod or YARN container fetches it: no login, named by its digest
        HttpResponse<byte[]> jar = http.send(HttpRequest.newBuilder(uri("/artifacts/" + sha)).build(),
                HttpResponse.BodyHandlers.ofByteArray());
        assertThat(jar.statusCode()).isEqualTo(200);
        assertThat(Digests.sha256(jar.body())).isEqualTo(sha);
        assertThat(jar.headers().firstValue("Content-Type")).hasValue("application/java-archive");
        assertThat(admin.getWithoutLogin("/artifacts/" + "0".repeat(64)).statusCode()).isEqualTo(404);
        assertThat(admin.getWithoutLogin(BUILDS).statusCode()).as("the builds API needs a login").isEqualTo(401);

        // the app has its jar now: it no longer waits for a build (its cluster does not answer, so it is Unknown)
        Await.until("the app no longer waits for its build", Duration.ofMinutes(1), () -> {
            JsonNode status = admin.status("payments/enricher");
            return status.path("message").isString() && !status.path("message").asString().contains("project")
                    && !"Progressing".equals(status.path("health").asString());
        });

        // the same commit again: the artifacts are reused, Maven does not run
        HttpResponse<String> again = admin.post(BUILDS, "");
        assertThat(again.statusCode()).as(again.body()).isEqualTo(202);
        JsonNode reused = ServiceApi.JSON.readTree(again.body());
        assertThat(reused.path("status").asString()).isEqualTo("succeeded");
        assertThat(reused.path("reusedFrom").asLong()).isEqualTo(firstId);
        assertThat(reused.path("artifacts").path(0).path("sha256").asString()).isEqualTo(sha);
        assertThat(json(BUILDS + "/" + reused.path("id").asLong()).path("log").asString())
                .contains("Maven does not run");

        // a broken commit: the build fails with Maven's error, the app shows Degraded with the log's page
        jobs.write("src/main/java/example/Main.java", "package example; public class Main { broken }\n");
        jobs.commit("break it");
        HttpResponse<String> broken = admin.post(BUILDS, "");
        assertThat(broken.statusCode()).as(broken.body()).isEqualTo(202);
        long brokenId = ServiceApi.JSON.readTree(broken.body()).path("id").asLong();
        // the build page's stream: Maven's lines as they come, then the status once it ends
        List<String> streamed = follow("/events/builds/" + brokenId, "failed");
        assertThat(streamed).anySatisfy(l -> assertThat(l).startsWith("event: log"));
        assertThat(String.join("\n", streamed)).contains("COMPILATION ERROR").contains("event: status");
        Await.until("the broken build failed", Duration.ofMinutes(3),
                () -> "failed".equals(json(BUILDS + "/" + brokenId).path("status").asString()));
        JsonNode failed = json(BUILDS + "/" + brokenId);
        assertThat(failed.path("message").asString()).startsWith("Maven exited with 1").contains("Main.java");
        assertThat(failed.path("log").asString()).contains("COMPILATION ERROR");
        Await.until("the app shows the failed build", Duration.ofMinutes(1),
                () -> "Degraded".equals(admin.status("payments/enricher").path("health").asString()));
        assertThat(admin.status("payments/enricher").path("message").asString())
                .contains("build #" + brokenId).contains("/projects/payments/jobs/builds/" + brokenId);
        JsonNode events = json("/api/v1/applications/payments/enricher/events");
        assertThat(events.path("items").toString()).contains("build-failed");

        // the pages: the project lists its builds, the build page shows status and log
        String project = admin.get("/projects/payments/jobs").body();
        assertThat(project).contains("#" + firstId).contains("#" + brokenId).contains("Build now");
        String page = admin.get("/projects/payments/jobs/builds/" + brokenId).body();
        assertThat(page).contains("Build #" + brokenId).contains("failed").contains("COMPILATION ERROR");
        assertThat(admin.get("/apps/payments/enricher").body()).as("the app's page links to the failed build's log")
                .contains("<a href=\"/projects/payments/jobs/builds/" + brokenId + "\">Open the build log</a>");
        assertThat(admin.get("/projects/payments/nothing").statusCode()).isEqualTo(404);
        assertThat(admin.get("/events/builds/999999").statusCode()).isEqualTo(404);

        // a build can be canceled while it runs: it ends canceled and changes nothing
        jobs.write("src/main/java/example/Main.java", "package example; public class Main { }\n");
        jobs.commit("fix it");
        HttpResponse<String> fix = admin.post(BUILDS, "");
        long fixId = ServiceApi.JSON.readTree(fix.body()).path("id").asLong();
        HttpResponse<String> cancel = admin.post(BUILDS + "/" + fixId + "/cancel", "");
        assertThat(cancel.statusCode()).as(cancel.body()).isEqualTo(202);
        Await.until("the build was canceled", Duration.ofMinutes(1),
                () -> "canceled".equals(json(BUILDS + "/" + fixId).path("status").asString()));
        assertThat(json(BUILDS + "/" + fixId).path("artifacts").size()).isZero();
        assertThat(admin.post(BUILDS + "/" + fixId + "/cancel", "").statusCode()).as("not running any more")
                .isEqualTo(409);
        assertThat(json(BUILDS + "/" + fixId).path("message").asString()).isEqualTo("canceled by admin");
        Await.until("the app says its project's newest commit is unbuilt", Duration.ofMinutes(1),
                () -> admin.status("payments/enricher").path("message").asString()
                        .contains("build #" + fixId + " of project payments/jobs at ")
                        && admin.status("payments/enricher").path("message").asString()
                                .contains(" was canceled by admin; the job keeps the jar of build #"));

        // an app that names another jar gets a build for it without anyone pressing Build now: a path the
        // build does not produce fails that build, and the corrected path is built for at once as well
        String apps = Files.readString(config.dir().resolve("teams/payments/jobs.yaml"));
        config.write("teams/payments/jobs.yaml", apps.replace("target/plain.jar", "target/missing.jar"));
        config.commit("name a jar the project does not build");
        admin.triggerSync();
        Await.until("a build for the new path failed", Duration.ofMinutes(3),
                () -> latestBuild(fixId).filter(b -> "failed".equals(b.path("status").asString())).isPresent());
        JsonNode missing = latestBuild(fixId).orElseThrow();
        assertThat(missing.path("trigger").asString()).isEqualTo("new artifact path target/missing.jar");
        assertThat(missing.path("wanted").toString()).isEqualTo("[\"target/missing.jar\"]");
        assertThat(missing.path("message").asString()).contains("produced no target/missing.jar");
        Await.until("the app shows why its jar is missing", Duration.ofMinutes(1),
                () -> admin.status("payments/enricher").path("message").asString()
                        .contains("build #" + missing.path("id").asLong()));

        config.write("teams/payments/jobs.yaml", apps.replace("target/plain.jar", "target/*.jar"));
        config.commit("name the jar by a pattern");
        admin.triggerSync();
        long missingId = missing.path("id").asLong();
        Await.until("a build for the corrected path succeeded", Duration.ofMinutes(3),
                () -> latestBuild(missingId).filter(b -> "succeeded".equals(b.path("status").asString())).isPresent());
        JsonNode found = latestBuild(missingId).orElseThrow();
        assertThat(found.path("artifacts").path(0).path("path").asString()).isEqualTo("target/*.jar");
        Await.until("the app no longer waits for a jar", Duration.ofMinutes(1),
                () -> !admin.status("payments/enricher").path("message").asString().contains("build #"));
    }

    /** The newest build after {@code after}, if there is one. */
    private Optional<JsonNode> latestBuild(long after) {
        JsonNode newest = json(BUILDS).path("items").path(0);
        return newest.path("id").asLong() > after ? Optional.of(newest) : Optional.empty();
    }

    /** Reads a Server-Sent Events stream until a status event mentions {@code until}; its lines. */
    private List<String> follow(String path, String until) throws Exception {
        ServiceApi.Login login = admin.login("admin", ServiceApi.ADMIN_PASSWORD);
        HttpRequest request = HttpRequest.newBuilder(uri(path)).header("Cookie", login.cookie())
                .header("Accept", "text/event-stream").build();
        List<String> lines = new java.util.concurrent.CopyOnWriteArrayList<>();
        java.util.concurrent.CompletableFuture<Void> done = http.sendAsync(request, HttpResponse.BodyHandlers.ofLines())
                .thenAccept(response -> {
                    assertThat(response.statusCode()).isEqualTo(200);
                    String event = "";
                    try (java.util.stream.Stream<String> body = response.body()) {
                        for (java.util.Iterator<String> it = body.iterator(); it.hasNext();) {
                            String line = it.next();
                            lines.add(line);
                            if (line.startsWith("event:")) {
                                event = line;
                            } else if (event.contains("status") && line.startsWith("data:") && line.contains(until)) {
                                return;
                            }
                        }
                    }
                });
        done.get(3, java.util.concurrent.TimeUnit.MINUTES);
        return lines;
    }

    private JsonNode json(String path) {
        HttpResponse<String> response = admin.get(path);
        assertThat(response.statusCode()).as("GET %s: %s", path, response.body()).isEqualTo(200);
        return ServiceApi.JSON.readTree(response.body());
    }

    private URI uri(String path) {
        return URI.create("http://localhost:" + service.port() + path);
    }
}
