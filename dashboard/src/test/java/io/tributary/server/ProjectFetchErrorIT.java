package io.tributary.server;

import static org.assertj.core.api.Assertions.assertThat;

import io.tributary.source.Credentials;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;
import org.junit.jupiter.api.io.TempDir;
import tools.jackson.databind.JsonNode;

/**
 * A Project whose Git remote does not exist: the projects page and the projects API say it cannot be
 * fetched, with Git's message and when it was tried, instead of leaving it to the service log.
 */
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
class ProjectFetchErrorIT {
    @TempDir
    static Path temp;
    private ConfigRepo config;
    private Service service;
    private ServiceApi admin;
    private Path missing;

    @BeforeAll
    void start() throws Exception {
        missing = temp.resolve("no-such-repo");
        config = ConfigRepo.empty(temp.resolve("config"));
        config.write("platform/platform.yaml", """
                apiVersion: tributary.io/v1
                kind: FlinkVersion
                metadata: {name: flink-1.20}
                spec: {version: 1.20.1, default: true}
                ---
                apiVersion: tributary.io/v1
                kind: Team
                metadata: {name: payments}
                spec: {description: Payment pipelines}
                """);
        config.write("teams/payments/jobs.yaml", """
                apiVersion: tributary.io/v1
                kind: Project
                metadata: {name: gone, team: payments}
                spec:
                  git: {url: "%s", ref: main}
                """.formatted(missing.toUri()));
        config.commit("a project whose remote does not exist");
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
    }

    @Test
    void aRemoteThatDoesNotExistIsShownWithItsMessageAndTime() throws Exception {
        Instant before = Instant.now();
        Await.until("the fetch failed", Duration.ofMinutes(1),
                () -> project().path("fetchError").isString());
        JsonNode project = project();
        assertThat(project.path("fetchError").asString()).contains(missing.getFileName().toString());
        assertThat(Instant.parse(project.path("lastFetch").asString())).isAfterOrEqualTo(before.minusSeconds(60));

        JsonNode listed = ServiceApi.JSON.readTree(admin.get("/api/v1/projects").body()).path("items").path(0);
        assertThat(listed.path("name").asString()).isEqualTo("gone");
        assertThat(listed.path("fetchError").asString()).isEqualTo(project.path("fetchError").asString());

        String page = admin.get("/projects").body();
        assertThat(page).contains("payments/gone").contains("cannot fetch").contains("class=\"sub fetch-error\"")
                .contains(missing.getFileName().toString()).contains("(tried ");
    }

    private JsonNode project() {
        return ServiceApi.JSON.readTree(admin.get("/api/v1/projects/payments/gone").body());
    }
}
