package io.tributary.cli;

import static org.assertj.core.api.Assertions.assertThat;

import com.sun.net.httpserver.HttpServer;
import io.tributary.cli.PlanCommandTest.Run;
import io.tributary.config.ConfigLoader;
import io.tributary.model.Application;
import io.tributary.model.DesiredState;
import io.tributary.plan.SpecHash;
import java.io.OutputStream;
import java.net.InetSocketAddress;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import org.eclipse.jgit.revwalk.RevCommit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * {@code tributary plan --server} for an app whose jar a Project builds: Git is unchanged but the
 * service built a new jar, so the plan says "artifact changed"; with the jar the job runs, nothing.
 */
class PlanServerArtifactTest {
    private static final Path OVERLAY = Path.of("src/test/resources/plan-server/project-overlay");
    private static final String APP = "payments/sequence";
    private static final String RUNNING = "1".repeat(64);
    private static final String REBUILT = "2".repeat(64);

    @TempDir
    Path temp;

    private HttpServer server;
    private ConfigRepo repo;
    private volatile String projects;
    private String applications;

    @BeforeEach
    void serviceRunsTheJobFromAnEarlierBuild() throws Exception {
        repo = ConfigRepo.init(temp.resolve("config"));
        RevCommit deployed = repo.tree(OVERLAY).commit("a project and its app");
        DesiredState state = new ConfigLoader().load(repo.dir).state();
        Application app = state.applications().stream().filter(a -> a.id().qualifiedName().equals(APP)).findFirst()
                .orElseThrow();
        applications = """
                {"items": [{"id": 1, "team": "payments", "name": "sequence", "inGit": true, "mode": "standalone-session",
                  "cluster": "local", "desiredState": "running", "upgradeMode": "savepoint", "prune": true,
                  "status": {"jobId": "a1a1a1a1a1a1a1a1a1a1a1a1a1a1a1a1", "jobState": "RUNNING", "health": "Healthy",
                    "sync": "Synced", "message": "job RUNNING", "revision": "main@sha1:%s", "specHash": "%s",
                    "updatedAt": "2026-11-26T11:58:02.117Z"},
                  "override": null, "lastSavepoint": null, "flinkWebUi": null}],
                 "total": 1, "limit": 500, "offset": 0}
                """.formatted(deployed.name(), SpecHash.of(app.withProjectArtifact(RUNNING), state));
        server = HttpServer.create(new InetSocketAddress("127.0.0.1", 0), 0);
        server.createContext("/api/v1/applications", exchange -> answer(exchange, applications));
        server.createContext("/api/v1/projects", exchange -> answer(exchange, projects));
        server.start();
    }

    private static void answer(com.sun.net.httpserver.HttpExchange exchange, String body) throws java.io.IOException {
        byte[] bytes = body.getBytes(StandardCharsets.UTF_8);
        exchange.getResponseHeaders().add("Content-Type", "application/json");
        exchange.sendResponseHeaders(200, bytes.length);
        try (OutputStream out = exchange.getResponseBody()) {
            out.write(bytes);
        }
    }

    private void serviceSays(String specJar) {
        projects = """
                {"items": [{"team": "payments", "name": "jobs", "applications": [
                  {"app": "%s", "artifact": "target/job.jar", "sha256": "%s", "runningSha256": "%s"}]}],
                 "total": 1, "limit": 500, "offset": 0}
                """.formatted(APP, specJar, RUNNING);
    }

    @AfterEach
    void stop() {
        server.stop(0);
        repo.close();
    }

    private Run plan() {
        return PlanCommandTest.run("--server", "http://127.0.0.1:" + server.getAddress().getPort(), "--repo",
                repo.dir.toString());
    }

    @Test
    void aRebuiltJarIsPlannedAsArtifactChanged() {
        serviceSays(REBUILT);
        Run run = plan();
        assertThat(run.exitCode()).as(run.err()).isZero();
        assertThat(run.out()).contains(APP).contains("artifact changed");
    }

    @Test
    void theJarTheJobRunsIsNoChange() {
        serviceSays(RUNNING);
        Run run = plan();
        assertThat(run.exitCode()).as(run.err()).isZero();
        assertThat(run.out()).doesNotContain("artifact changed").doesNotContain("upgrade " + APP);
    }
}
