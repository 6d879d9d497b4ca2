package io.tributary.cli;

import static org.assertj.core.api.Assertions.assertThat;

import com.sun.net.httpserver.HttpExchange;
import com.sun.net.httpserver.HttpServer;
import io.tributary.cli.PlanCommandTest.Run;
import io.tributary.config.ConfigLoader;
import io.tributary.config.TestRepos;
import io.tributary.model.Application;
import io.tributary.model.DesiredState;
import io.tributary.plan.SpecHash;
import java.io.IOException;
import java.io.OutputStream;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import org.eclipse.jgit.revwalk.RevCommit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import tools.jackson.databind.JsonNode;
import tools.jackson.databind.json.JsonMapper;

/**
 * {@code tributary plan --server}: a real HTTP server answers {@code /api/v1/applications} with
 * the JSON the service gives (the shape of the dashboard's ApplicationsApi, kept in
 * {@code src/test/resources/plan-server/applications.json}) for the pull-request case's base as
 * deployed; the head is the working tree or a revision of a real Git repository.
 */
class PlanServerTest {
    private static final Path CASE = PlanPreviewTest.CASES.resolve("pull-request");
    private static final Path TEMPLATE = Path.of("src/test/resources/plan-server/applications.json");

    @TempDir
    Path temp;

    private HttpServer server;
    private String url;
    private volatile String applications;
    private volatile String sync;
    private volatile String requiredToken;
    private final List<String> authorizations = new CopyOnWriteArrayList<>();
    private ConfigRepo repo;
    private RevCommit deployed;

    @BeforeEach
    void serviceRunsTheBaseAndTheWorkingTreeHoldsTheHead() throws Exception {
        repo = ConfigRepo.init(temp.resolve("config"));
        deployed = repo.tree(CASE.resolve("base")).commit("Payments apps");
        repo.tree(CASE.resolve("head"));
        applications = liveJson("main@sha1:" + deployed.name());
        sync = "{\"condition\":\"Ready\",\"appliedRevision\":\"main@sha1:" + deployed.name() + "\"}";
        server = HttpServer.create(new InetSocketAddress("127.0.0.1", 0), 0);
        server.createContext("/api/v1/applications", exchange -> answer(exchange, applications));
        server.createContext("/api/v1/sync", exchange -> answer(exchange, sync));
        server.start();
        url = "http://127.0.0.1:" + server.getAddress().getPort();
    }

    @AfterEach
    void stop() {
        server.stop(0);
        repo.close();
    }

    private void answer(HttpExchange exchange, String body) throws IOException {
        String auth = exchange.getRequestHeaders().getFirst("Authorization");
        authorizations.add(String.valueOf(auth));
        int status = body == null ? 404 : 200;
        if (requiredToken != null && !("Bearer " + requiredToken).equals(auth)) {
            status = 401;
            body = "{\"title\":\"Unauthorized\"}";
        }
        byte[] bytes = (body == null ? "{\"title\":\"Not found\"}" : body).getBytes(StandardCharsets.UTF_8);
        exchange.getResponseHeaders().add("Content-Type", "application/json");
        exchange.sendResponseHeaders(status, bytes.length);
        try (OutputStream out = exchange.getResponseBody()) {
            out.write(bytes);
        }
    }

    /** The canned answer with the base's real spec hashes and the revision its jobs were deployed from. */
    private String liveJson(String revision) throws IOException {
        DesiredState base = new ConfigLoader().load(TestRepos.baseWith(CASE.resolve("base"),
                Files.createTempDirectory(temp, "base"))).state();
        String json = Files.readString(TEMPLATE).replace("@revision@", revision);
        for (Application app : base.applications()) {
            json = json.replace("@hash:" + app.id().qualifiedName() + "@", SpecHash.of(app, base));
        }
        assertThat(json).doesNotContain("@hash:");
        return json;
    }

    private String expectedBody() throws IOException {
        String expected = Files.readString(CASE.resolve("expected.txt"));
        return expected.substring(expected.indexOf('\n'));
    }

    @Test
    void workingTreeIsComparedWithWhatTheServiceRuns() throws Exception {
        Run run = PlanCommandTest.run("--server", url, "--repo", repo.dir.toString());
        assertThat(run.err()).isEmpty();
        assertThat(run.exitCode()).isZero();
        assertThat(run.out()).isEqualTo("Plan: " + url + " (applied main@sha1:" + deployed.name().substring(0, 7)
                + ") -> working tree" + expectedBody());
    }

    @Test
    void aServiceThatAnswersInPagesIsReadToTheLastPage() throws Exception {
        tools.jackson.databind.JsonNode all = tools.jackson.databind.json.JsonMapper.shared().readTree(applications);
        int pageSize = 2;
        assertThat(all.path("items").size()).isGreaterThan(pageSize);
        server.removeContext("/api/v1/applications");
        List<String> queries = new CopyOnWriteArrayList<>();
        server.createContext("/api/v1/applications", exchange -> {
            String query = String.valueOf(exchange.getRequestURI().getQuery());
            queries.add(query);
            int offset = Integer.parseInt(query.replaceAll(".*offset=(\\d+).*", "$1"));
            tools.jackson.databind.node.ObjectNode page = (tools.jackson.databind.node.ObjectNode) all.deepCopy();
            tools.jackson.databind.node.ArrayNode items = page.putArray("items");
            for (int i = offset; i < Math.min(offset + pageSize, all.path("items").size()); i++) {
                items.add(all.path("items").get(i));
            }
            page.put("limit", pageSize).put("offset", offset);
            answer(exchange, page.toString());
        });
        Run run = PlanCommandTest.run("--server", url, "--repo", repo.dir.toString());
        assertThat(run.exitCode()).as(run.err()).isZero();
        assertThat(run.out()).endsWith(expectedBody());
        assertThat(queries).hasSize((all.path("items").size() + pageSize - 1) / pageSize).first().asString()
                .contains("offset=0");
    }

    @Test
    void aHeadRevisionEqualToWhatRunsChangesNothing() throws Exception {
        Run run = PlanCommandTest.run("--server", url + "/", "--repo", repo.dir.toString(), "--head", "main");
        assertThat(run.exitCode()).isZero();
        assertThat(run.out()).endsWith("No changes.\n"
                + "0 to create, 0 to upgrade, 0 to suspend, 0 to resume, 0 to delete, 5 unchanged\n");
    }

    @Test
    void withoutTheDeployedRevisionTheReasonNamesIt() throws Exception {
        String unknown = "main@sha1:" + "0123456789".repeat(4);
        applications = liveJson(unknown);
        sync = null;
        Run run = PlanCommandTest.run("--server", url, "--repo", repo.dir.toString());
        assertThat(run.exitCode()).isZero();
        assertThat(run.out()).startsWith("Plan: " + url + " -> working tree\n")
                .contains("~ payments/orders   upgrade (savepoint): spec differs from the one its job was deployed"
                        + " with (main@sha1:0123456)\n")
                .contains("~ payments/refunds  upgrade (savepoint): spec differs from the one its job was deployed"
                        + " with (main@sha1:0123456)\n")
                .contains("- payments/legacy   delete (final savepoint first): removed from Git\n");
    }

    @Test
    void tokenIsSentAsBearer() {
        requiredToken = "s3cret";
        Run refused = PlanCommandTest.run("--server", url, "--repo", repo.dir.toString());
        assertThat(refused.exitCode()).isEqualTo(2);
        assertThat(refused.err()).contains("refused the request (HTTP 401)", "--token or TRIBUTARY_TOKEN");

        Run run = PlanCommandTest.run("--server", url, "--repo", repo.dir.toString(), "--token", "s3cret");
        assertThat(run.exitCode()).isZero();
        assertThat(authorizations).contains("Bearer s3cret");
    }

    @Test
    void jsonNamesTheServer() {
        Run run = PlanCommandTest.run("--server", url, "--repo", repo.dir.toString(), "--format", "json");
        JsonNode json = JsonMapper.shared().readTree(run.out());
        assertThat(json.get("server").asString()).isEqualTo(url);
        assertThat(json.at("/revisions/base").asString()).isEqualTo(url + " (applied main@sha1:" + deployed.name() + ")");
        assertThat(json.at("/revisions/head").asString()).isEqualTo("working tree");
        assertThat(json.at("/summary/upgrade").asInt()).isEqualTo(2);
    }

    @Test
    void unreachableServiceIsAnError() throws Exception {
        int closed;
        try (ServerSocket socket = new ServerSocket(0)) {
            closed = socket.getLocalPort();
        }
        Run run = PlanCommandTest.run("--server", "http://127.0.0.1:" + closed, "--repo", repo.dir.toString());
        assertThat(run.exitCode()).isEqualTo(2);
        assertThat(run.err()).startsWith("tributary plan: cannot reach http://127.0.0.1:" + closed);
    }

    @Test
    void somethingElseThanTheServiceIsAnError() {
        applications = "<html>hello</html>";
        Run run = PlanCommandTest.run("--server", url, "--repo", repo.dir.toString());
        assertThat(run.exitCode()).isEqualTo(2);
        assertThat(run.err()).contains("did not answer JSON; is " + url + " a Tributary service?");
    }

    @Test
    void invalidWorkingTreeExitsOneBeforeAskingTheService() throws Exception {
        repo.tree(Path.of("src/test/resources/repos/invalid/unknown-cluster"));
        Run run = PlanCommandTest.run("--server", url, "--repo", repo.dir.toString());
        assertThat(run.exitCode()).isEqualTo(1);
        assertThat(run.out()).startsWith("The head revision working tree is invalid; nothing was planned.\n"
                + "teams/payments/case.yaml:7:14: spec.deployment.cluster: cluster \"lcoal\" does not exist");
        assertThat(authorizations).isEmpty();
    }
}
