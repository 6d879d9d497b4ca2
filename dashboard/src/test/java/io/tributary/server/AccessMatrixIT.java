package io.tributary.server;

import static org.assertj.core.api.Assertions.assertThat;

import io.tributary.apply.Overrides;
import io.tributary.flink.JobId;
import io.tributary.apply.TestingClusters;
import io.tributary.flink.TestingFlinkTarget;
import io.tributary.source.Credentials;
import io.tributary.store.AppStatus;
import io.tributary.store.AuditEvent;
import io.tributary.store.Store;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.function.Function;
import java.util.stream.Stream;
import org.eclipse.jgit.api.Git;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.DynamicTest;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestFactory;
import org.junit.jupiter.api.TestInstance;
import org.junit.jupiter.api.io.TempDir;
import tools.jackson.databind.JsonNode;

/**
 * Every kind of caller against every endpoint that changes something, over HTTP with API tokens, on a
 * service whose app really runs (on an in-memory Flink): each answer is exactly what the caller's role
 * allows, a permitted call really happens (a precondition puts the app in a state where it can, e.g. a
 * running job to restart), and every call by a known caller, done or refused, is in the audit log.
 */
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
class AccessMatrixIT {
    private static final String APP = "payments/orders";

    /**
     * The table: one row per endpoint, one column per caller. {@code olga} holds the custom Role
     * {@code operator} (app:view, app:start, app:stop, app:savepoint), {@code loner} is declared but in
     * no team, {@code pam} is a platform admin, {@code gone} made a token and was then removed from Git.
     */
    private static final String MATRIX = """
            endpoint            anonymous loner vera olga dev ada pam gone
            stop                401       403   403  2xx  2xx 2xx 2xx 401
            start               401       403   403  2xx  2xx 2xx 2xx 401
            restart             401       403   403  403  2xx 2xx 2xx 401
            savepoint           401       403   403  2xx  2xx 2xx 2xx 401
            pause-sync          401       403   403  403  2xx 2xx 2xx 401
            resume-sync         401       403   403  403  2xx 2xx 2xx 401
            release-override    401       403   403  403  2xx 2xx 2xx 401
            sync                401       403   403  403  2xx 2xx 2xx 401
            create-token        401       2xx   2xx  2xx  2xx 2xx 2xx 401
            revoke-own-token    401       2xx   2xx  2xx  2xx 2xx 2xx 401
            revoke-member-token 401       403   403  403  403 2xx 2xx 401
            password-link       401       403   403  403  403 403 2xx 401
            streampark-start    401       403   403  2xx  2xx 2xx 2xx 401
            streampark-cancel   401       403   403  2xx  2xx 2xx 2xx 401
            logout              401       2xx   2xx  2xx  2xx 2xx 2xx 401
            """;

    @TempDir
    static Path temp;
    private Service service;
    private ServiceApi admin;
    private Http http;
    private TestingFlinkTarget flink;
    private Overrides setup;
    private long appId;
    private final Map<String, String> tokens = new LinkedHashMap<>();
    private Git git;
    private Path repo;

    @BeforeAll
    void start() throws Exception {
        repo = temp.resolve("config");
        git = Git.init().setDirectory(repo.toFile()).setInitialBranch("main").call();
        Files.writeString(repo.resolve("platform.yaml"), platform(true));
        Files.writeString(repo.resolve("orders.yaml"), """
                apiVersion: tributary.io/v1
                kind: Application
                metadata: {name: orders, team: payments}
                spec:
                  deployment: {mode: standalone-session, cluster: remote}
                  job: {type: sql, sql: {script: "SELECT 1;"}}
                  savepoints: {directory: "file:///tmp/matrix-savepoints"}
                """);
        commit("six users, a custom role, one team, a running app");
        flink = new TestingFlinkTarget(Clock.systemUTC());
        service = Service.start(new ServiceConfig(repo.toString(), "main", null, new Credentials.None(),
                temp.resolve("data"), null, null, null, 0, Duration.ofHours(1), 2,
                Path.of(System.getProperty("user.home"), ".m2", "repository"), ServiceApi.ADMIN_PASSWORD),
                new TestingClusters(flink));
        admin = new ServiceApi(service.port());
        http = new Http(service.port());
        setup = new Overrides(service.reconciler(), Clock.systemUTC());
        awaitRunning();
        appId = service.reconciler().store().appId(APP);
        tokens.put("anonymous", null);
        for (String user : List.of("loner", "vera", "olga", "dev", "ada", "pam", "gone")) {
            tokens.put(user, http.tokenOf(admin, user, user + "-has-a-long-password"));
        }
        Files.writeString(repo.resolve("platform.yaml"), platform(false));
        commit("gone leaves");
        Await.until("gone's token stops working", Duration.ofSeconds(60), () -> {
            service.reconciler().triggerSync();
            return http.get(tokens.get("gone"), "/api/v1/applications").statusCode() == 401;
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

    @TestFactory
    Stream<DynamicTest> everyCallerAgainstEveryMutatingEndpoint() {
        List<String> lines = MATRIX.lines().filter(l -> !l.isBlank()).toList();
        List<String> callers = Arrays.asList(lines.get(0).trim().split("\\s+")).subList(1, 9);
        List<DynamicTest> tests = new ArrayList<>();
        for (String line : lines.subList(1, lines.size())) {
            String[] cells = line.trim().split("\\s+");
            String endpoint = cells[0];
            for (int i = 0; i < callers.size(); i++) {
                String caller = callers.get(i);
                String expected = cells[i + 1];
                tests.add(DynamicTest.dynamicTest(endpoint + " as " + caller + " -> " + expected,
                        () -> check(endpoint, caller, expected)));
            }
        }
        return tests.stream();
    }

    private void check(String endpoint, String caller, String expected) {
        boolean permitted = expected.equals("2xx");
        if (permitted) {
            prepare(endpoint);
        }
        long tokenId = switch (endpoint) {
            case "revoke-own-token" -> tokenIdOf(caller);
            case "revoke-member-token" -> tokenIdOf(caller.equals("dev") ? "vera" : "dev");
            default -> 0;
        };
        long lastAudit = lastAuditId();
        HttpResponse<String> response = permitted ? whenIdle(() -> call(endpoint, caller, tokenId))
                : call(endpoint, caller, tokenId);
        int status = response.statusCode();
        if (permitted) {
            assertThat(status).as("%s as %s: %s", endpoint, caller, response.body()).isBetween(200, 299);
            awaitQuiet();
        } else {
            assertThat(status).as("%s as %s: %s", endpoint, caller, response.body()).isEqualTo(Integer.parseInt(expected));
        }
        if (status != 401) {
            List<AuditEvent> audited = store().auditEvents(50).stream()
                    .filter(e -> e.id() > lastAudit && e.actor().equals(caller)).toList();
            assertThat(audited).as("the audit log has %s's %s (%s)", caller, endpoint, status).isNotEmpty();
            if (status == 403) {
                assertThat(audited).anySatisfy(e -> assertThat(e.action()).startsWith("denied "));
            }
        }
    }

    @Test
    void streamParkListAndGetAnswerInStreamParksShapeWithTheAppsStableId() {
        awaitRunning();
        JsonNode page = Http.json(http.postForm(tokens.get("vera"), "/flink/app/list", "pageNum", "1", "pageSize", "10"),
                200);
        assertThat(page.path("status").asString()).isEqualTo("success");
        assertThat(page.path("code").asInt()).isEqualTo(200);
        JsonNode data = page.path("data");
        assertThat(data.path("total").asLong()).isEqualTo(1);
        assertThat(data.path("current").asInt()).isEqualTo(1);
        assertThat(data.path("size").asInt()).isEqualTo(10);
        assertThat(data.path("pages").asLong()).isEqualTo(1);
        JsonNode record = data.path("records").get(0);
        assertThat(record.path("id").asLong()).isEqualTo(appId);
        assertThat(record.path("jobName").asString()).isEqualTo(APP);
        assertThat(record.path("teamId").asString()).isEqualTo("payments");
        assertThat(record.path("state").asInt()).as("RUNNING").isEqualTo(5);
        assertThat(record.path("executionMode").asInt()).as("REMOTE").isEqualTo(1);
        assertThat(record.path("jobType").asInt()).as("SQL").isEqualTo(2);
        assertThat(admin.detail(APP).path("application").path("id").asLong()).as("the REST API's id").isEqualTo(appId);

        assertThat(Http.json(http.postForm(tokens.get("loner"), "/flink/app/list"), 200).path("data").path("total")
                .asLong()).as("a user in no team sees no app").isZero();
        assertThat(Http.json(http.postForm(tokens.get("vera"), "/flink/app/list", "teamId", "logistics"), 200)
                .path("data").path("total").asLong()).isZero();
        assertThat(Http.json(http.postForm(tokens.get("vera"), "/flink/app/get", "id", Long.toString(appId)), 200)
                .path("data").path("jobName").asString()).isEqualTo(APP);
        JsonNode missing = Http.json(http.postForm(tokens.get("vera"), "/flink/app/get", "id", "987654"), 404);
        assertThat(missing.path("status").asString()).isEqualTo("error");
        assertThat(missing.path("code").asInt()).isEqualTo(404);
        assertThat(Http.json(http.postForm(tokens.get("loner"), "/flink/app/get", "id", Long.toString(appId)), 404)
                .path("message").asString()).contains("no application");
        assertThat(Http.json(http.postForm(tokens.get("vera"), "/flink/app/start", "id", "abc"), 400)
                .path("message").asString()).contains("\"id\" is an app's number");
        HttpResponse<String> bare = Http.send(http.request("/flink/app/list").header("Authorization", tokens.get("vera"))
                .header("Content-Type", "application/x-www-form-urlencoded").POST(Http.form("pageSize", "5")));
        assertThat(bare.statusCode()).as("the token bare, as StreamPark clients send it").isEqualTo(200);
    }

    @Test
    void streamParkCancelAlwaysTakesASavepointAndStartRefusesAnotherPath() {
        awaitQuiet();
        awaitRunning();
        String dev = tokens.get("dev");
        int savepoints = store().savepoints(APP).size();
        JsonNode elsewhere = Http.json(http.postForm(dev, "/flink/app/cancel", "id", Long.toString(appId),
                "savePointed", "true", "savePoint", "hdfs:///somewhere/else"), 400);
        assertThat(elsewhere.path("message").asString()).contains("spec.savepoints.directory");
        JsonNode cancel = Http.json(whenIdle(() -> http.postForm(dev, "/flink/app/cancel", "id", Long.toString(appId),
                "savePointed", "false", "drain", "false")), 200);
        assertThat(cancel.path("message").asString()).contains("with a savepoint first");
        // the stop runs after the answer: its savepoint is what shows it happened
        Await.until("the stop's savepoint is recorded", Duration.ofSeconds(60),
                () -> store().savepoints(APP).size() == savepoints + 1);
        awaitQuiet();
        assertThat(store().override(APP)).hasValueSatisfying(o -> {
            assertThat(o.pinnedState()).isEqualTo("suspended");
            assertThat(o.actor()).isEqualTo("dev");
        });
        assertThat(store().auditEvents(5)).extracting(a -> a.action()).contains("stop (cancel if the savepoint fails)");
        String latest = store().latestRestorable(APP).orElseThrow().path();
        JsonNode other = Http.json(http.postForm(dev, "/flink/app/start", "id", Long.toString(appId),
                "savePointed", "true", "savePoint", "file:///tmp/another-savepoint"), 400);
        assertThat(other.path("message").asString()).contains(latest);
        JsonNode start = Http.json(http.postForm(dev, "/flink/app/start", "id", Long.toString(appId),
                "savePointed", "true", "savePoint", latest, "reason", "back after maintenance"), 200);
        assertThat(start.path("data").asBoolean()).isTrue();
        assertThat(store().override(APP).orElseThrow().reason()).isEqualTo("back after maintenance");
        Await.until(APP + " runs again from " + latest, Duration.ofSeconds(60), () -> {
            service.reconciler().triggerSync();
            return flink.running().stream().anyMatch(j -> latest.equals(j.submission().restoreFrom()));
        });
    }

    /**
     * The answer to {@code call} once it is not "409: an operation of the app is running": the store can
     * show an operation done a moment before the reconciler lets the app take the next one, and the API
     * tells a client to try again then.
     */
    private HttpResponse<String> whenIdle(java.util.function.Supplier<HttpResponse<String>> call) {
        List<HttpResponse<String>> answer = new ArrayList<>();
        Await.until("the call is taken", Duration.ofSeconds(30), () -> {
            HttpResponse<String> response = call.get();
            answer.add(0, response);
            return !(response.statusCode() == 409 && response.body().contains("try again when it has finished"));
        });
        return answer.get(0);
    }

    /** Puts the app where a permitted call can really be done. */
    private void prepare(String endpoint) {
        awaitQuiet();
        switch (endpoint) {
            case "stop", "restart", "savepoint", "streampark-cancel" -> awaitRunning();
            case "resume-sync", "release-override" -> {
                awaitRunning();
                if (!paused()) {
                    setup.pauseSync(APP, "setup", "the matrix needs a paused app");
                }
            }
            case "pause-sync" -> {
                if (paused()) { // a second pause is refused: who paused it and why stay
                    setup.resumeSync(APP, "setup", "the matrix pauses it again");
                }
            }
            default -> {
                // nothing: start and the rest can be done in any state
            }
        }
    }

    private boolean paused() {
        return store().override(APP).filter(o -> o.syncPaused()).isPresent();
    }

    private HttpResponse<String> call(String endpoint, String caller, long tokenId) {
        String token = tokens.get(caller);
        String reason = "{\"reason\":\"the access matrix\"}";
        Function<String, HttpResponse<String>> action = a ->
                http.postJson(token, "/api/v1/applications/" + APP + "/actions/" + a, reason);
        switch (endpoint) {
            case "sync":
                return Http.send(http.as(token, "/api/v1/sync").POST(HttpRequest.BodyPublishers.noBody()));
            case "create-token":
                return http.postJson(token, "/api/v1/tokens", "{\"name\":\"matrix\"}");
            case "revoke-own-token", "revoke-member-token":
                return Http.send(http.as(token, "/api/v1/tokens/" + tokenId).DELETE());
            case "password-link":
                return http.postJson(token, "/api/v1/users/vera/password-link", "");
            case "streampark-start":
                return http.postForm(token, "/flink/app/start", "id", Long.toString(appId), "savePointed", "true");
            case "streampark-cancel":
                return http.postForm(token, "/flink/app/cancel", "id", Long.toString(appId), "savePointed", "true",
                        "drain", "false");
            case "logout":
                return http.send(http.as(token, "/logout").POST(HttpRequest.BodyPublishers.noBody()));
            default:
                return action.apply(endpoint);
        }
    }

    /** A new token of {@code user}, made through the API by the user; a made-up id for callers without one. */
    private long tokenIdOf(String user) {
        String token = tokens.get(user);
        if (token == null || user.equals("gone")) {
            return 1;
        }
        return Http.json(http.postJson(token, "/api/v1/tokens", "{\"name\":\"to-revoke\"}"), 201)
                .path("token").path("id").asLong();
    }

    private void awaitRunning() {
        if (store().override(APP).isPresent()) {
            setup.release(APP, "setup", "the matrix needs the app running");
        }
        Await.until(APP + " runs", Duration.ofSeconds(60), () -> {
            Optional<String> job = store().status(APP).map(AppStatus::jobId);
            boolean running = job.isPresent() && flink.fake(new JobId(job.get()))
                    .map(j -> j.state() == io.tributary.model.JobState.RUNNING).orElse(false);
            if (!running || !idle()) {
                service.reconciler().triggerSync();
                return false;
            }
            return true;
        });
    }

    private void awaitQuiet() {
        Await.until("no operation of " + APP + " runs", Duration.ofSeconds(60), this::idle);
    }

    private boolean idle() {
        return store().openOperations().stream().noneMatch(o -> o.app().equals(APP));
    }

    private long lastAuditId() {
        return store().auditEvents(1).stream().findFirst().map(AuditEvent::id).orElse(0L);
    }

    private Store store() {
        return service.reconciler().store();
    }

    private void commit(String message) throws Exception {
        git.add().addFilepattern(".").call();
        git.commit().setAll(true).setMessage(message).setAuthor("t", "t@example.com").call();
    }

    private static String platform(boolean withGone) {
        StringBuilder yaml = new StringBuilder("""
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
                kind: Role
                metadata: {name: operator}
                spec:
                  permissions: [app:view, app:start, app:stop, app:savepoint, cluster:view]
                ---
                apiVersion: tributary.io/v1
                kind: Team
                metadata: {name: payments}
                spec:
                  members:
                    - {user: vera, role: viewer}
                    - {user: olga, role: operator}
                    - {user: dev, role: developer}
                    - {user: ada, role: admin}
                """);
        if (withGone) {
            yaml.append("    - {user: gone, role: developer}\n");
        }
        List<String> users = new ArrayList<>(List.of("loner", "vera", "olga", "dev", "ada", "pam"));
        if (withGone) {
            users.add("gone");
        }
        for (String user : users) {
            yaml.append("---\napiVersion: tributary.io/v1\nkind: User\nmetadata: {name: ").append(user)
                    .append("}\nspec: {displayName: ").append(user).append(", email: ").append(user)
                    .append("@example.com, platformAdmin: ").append(user.equals("pam")).append("}\n");
        }
        return yaml.toString();
    }
}
