package io.tributary.server;

import static org.assertj.core.api.Assertions.assertThat;

import io.tributary.apply.TestingClusters;
import io.tributary.flink.TestingFlinkTarget;
import io.tributary.server.auth.Authenticator;
import io.tributary.server.webhooks.WebhookSecret;
import io.tributary.source.Credentials;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import org.assertj.core.api.SoftAssertions;
import org.eclipse.jgit.api.Git;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;
import org.junit.jupiter.api.io.TempDir;
import tools.jackson.databind.JsonNode;

/**
 * What an attacker tries, over HTTP, against every route the service registers: no, bad, revoked and
 * expired credentials; webhooks without a valid signature; a forged form post; reading secrets back;
 * path traversal and injection in path and query parameters.
 */
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
class SecurityIT {
    private static final String SECRET_VALUE = "kafka-secret-value-7f3a9c";
    private static final String VERA_PASSWORD = "vera-has-a-long-password";
    private static final String WEBHOOK_SECRET = "webhook-secret-of-the-security-test";
    /** What anyone may reach without logging in (Authenticator's open paths). */
    private static final List<String> OPEN = List.of("/healthz", "/readyz", "/metrics", "/login", "/password/",
            "/assets/", "/webjars/", "/favicon", "/api/v1/webhooks/", "/api/v1/openapi.json", "/api/v1/login",
            "/api/docs", "/artifacts/");
    /** Path parameters filled with values that exist, so that a route answers for real. */
    private static final Map<String, String> REAL = Map.of("{team}", "payments", "{name}", "orders",
            "{action}", "savepoint", "{id}", "1", "{user}", "vera", "{token}", "x", "{provider}", "github",
            "{app}", "payments/orders");
    private static final List<String> HOSTILE = List.of("..%2F..%2Fetc%2Fpasswd", "%2e%2e%2f%2e%2e%2f", "..",
            "%27%20OR%20%271%27%3D%271", "orders%3BDROP%20TABLE%20apps", "%3Cscript%3Ealert(1)%3C%2Fscript%3E",
            "%00", "%25%32%65%25%32%65");

    @TempDir
    static Path temp;
    private Service service;
    private ServiceApi admin;
    private Http http;
    private String vera;
    private final List<String> secrets = new ArrayList<>();

    @BeforeAll
    void start() throws Exception {
        Path secretFile = temp.resolve("kafka-password");
        Files.writeString(secretFile, SECRET_VALUE);
        Path repo = temp.resolve("config");
        try (Git git = Git.init().setDirectory(repo.toFile()).setInitialBranch("main").call()) {
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
                    kind: User
                    metadata: {name: vera}
                    spec: {displayName: Vera, email: vera@example.com}
                    ---
                    apiVersion: tributary.io/v1
                    kind: Team
                    metadata: {name: payments}
                    spec:
                      members: [{user: vera, role: developer}]
                    ---
                    apiVersion: tributary.io/v1
                    kind: Variable
                    metadata: {name: kafka_password, team: payments}
                    spec:
                      secret: {file: "%s"}
                    ---
                    apiVersion: tributary.io/v1
                    kind: Application
                    metadata: {name: orders, team: payments}
                    spec:
                      deployment: {mode: standalone-session, cluster: remote}
                      job: {type: sql, sql: {script: "SELECT 1;"}}
                      savepoints: {directory: "file:///tmp/security-savepoints"}
                    """.formatted(secretFile));
            git.add().addFilepattern(".").call();
            git.commit().setMessage("a user, a secret variable, a running app").setAuthor("t", "t@example.com").call();
        }
        service = Service.start(new ServiceConfig(repo.toString(), "main", null, new Credentials.None(),
                temp.resolve("data"), null, null, null, 0, Duration.ofHours(1), 2,
                Path.of(System.getProperty("user.home"), ".m2", "repository"), ServiceApi.ADMIN_PASSWORD,
                WebhookSecret.of(WEBHOOK_SECRET, "the test")),
                new TestingClusters(new TestingFlinkTarget(Clock.systemUTC())));
        admin = new ServiceApi(service.port());
        http = new Http(service.port());
        Await.until("the app runs", Duration.ofSeconds(60), () -> {
            service.reconciler().triggerSync();
            return admin.status("payments/orders").path("jobState").asString("").equals("RUNNING");
        });
        vera = http.tokenOf(admin, "vera", VERA_PASSWORD);
        secrets.addAll(List.of(SECRET_VALUE, ServiceApi.ADMIN_PASSWORD, VERA_PASSWORD, vera, WEBHOOK_SECRET));
    }

    @AfterAll
    void stop() {
        if (service != null) {
            service.close();
        }
    }

    @Test
    void everyGuardedRouteRefusesNoBadRevokedAndExpiredCredentials() {
        String revoked = createdToken(null);
        long revokedId = tokenId(revoked);
        assertThat(http.send(http.as(vera, "/api/v1/tokens/" + revokedId).DELETE()).statusCode()).isEqualTo(204);
        String expiring = createdToken(Instant.now().plusSeconds(2));
        Await.until("the token expires", Duration.ofSeconds(30),
                () -> http.get(expiring, "/api/v1/applications").statusCode() == 401);

        SoftAssertions soft = new SoftAssertions();
        for (String route : guardedRoutes()) {
            String method = route.substring(0, route.indexOf(' '));
            String path = fill(route.substring(route.indexOf(' ') + 1), REAL);
            boolean page = method.equals("GET") && !path.startsWith("/api/") && !path.startsWith("/flink/");
            HttpResponse<String> anonymous = call(method, path, null);
            if (page) {
                soft.assertThat(anonymous.statusCode()).as("anonymous %s", route).isEqualTo(302);
                soft.assertThat(anonymous.headers().firstValue("Location").orElse("")).startsWith("/login");
            } else {
                soft.assertThat(anonymous.statusCode()).as("anonymous %s: %s", route, anonymous.body()).isEqualTo(401);
            }
            for (String[] credential : List.of(new String[] {"made-up", "Bearer trb_made-up-token"},
                    new String[] {"not a token", "' OR '1'='1"}, new String[] {"revoked", "Bearer " + revoked},
                    new String[] {"expired", expiring}, new String[] {"basic", "Basic YWRtaW46YWRtaW4="})) {
                HttpResponse<String> refused = Http.send(builder(method, path).header("Authorization", credential[1]));
                soft.assertThat(refused.statusCode()).as("%s token on %s: %s", credential[0], route, refused.body())
                        .isEqualTo(401);
                soft.assertThat(refused.body()).as("%s token on %s", credential[0], route).doesNotContain("\tat ");
            }
        }
        soft.assertAll();
    }

    @Test
    void aWebhookWithoutOrWithAWrongSignatureIsRefused() {
        String push = "{\"ref\":\"refs/heads/main\",\"after\":\"0123456789abcdef0123456789abcdef01234567\"}";
        for (String[] signature : List.of(new String[0], new String[] {"X-Hub-Signature-256", "sha256=00ff"},
                new String[] {"X-Hub-Signature-256", "sha256=" + "ab".repeat(32)},
                new String[] {"Authorization", "Bearer " + vera})) {
            HttpRequest.Builder request = http.request("/api/v1/webhooks/github").header("X-GitHub-Event", "push")
                    .header("Content-Type", "application/json").POST(HttpRequest.BodyPublishers.ofString(push));
            if (signature.length == 2) {
                request.header(signature[0], signature[1]);
            }
            HttpResponse<String> answer = Http.send(request);
            assertThat(answer.statusCode()).as("%s: %s", List.of(signature), answer.body()).isEqualTo(401);
            assertThat(answer.body()).doesNotContain(WEBHOOK_SECRET).doesNotContain("\tat ");
        }
    }

    @Test
    void aFormPostWithoutTheSessionsCsrfTokenIsRefused() {
        ServiceApi.Login login = admin.login("vera", VERA_PASSWORD);
        long id = service.reconciler().store().appId("payments/orders");
        HttpResponse<String> forged = Http.send(http.request("/flink/app/start").header("Cookie", login.cookie())
                .header("Content-Type", "application/x-www-form-urlencoded").POST(Http.form("id", Long.toString(id))));
        assertThat(forged.statusCode()).as(forged.body()).isEqualTo(403);
        assertThat(forged.body()).contains("CSRF");
        HttpResponse<String> stale = Http.send(http.request("/flink/app/start").header("Cookie", login.cookie())
                .header("Content-Type", "application/x-www-form-urlencoded")
                .POST(Http.form("id", Long.toString(id), "_csrf", "a-token-from-another-session")));
        assertThat(stale.statusCode()).isEqualTo(403);
        HttpResponse<String> logout = Http.send(http.request("/logout").header("Cookie", login.cookie())
                .header("Content-Type", "application/x-www-form-urlencoded").POST(Http.form("x", "y")));
        assertThat(logout.statusCode()).as("a forged logout is refused too").isEqualTo(403);
        HttpResponse<String> real = Http.send(http.request("/flink/app/start").header("Cookie", login.cookie())
                .header("Content-Type", "application/x-www-form-urlencoded")
                .POST(Http.form("id", Long.toString(id), "_csrf", login.csrfToken())));
        assertThat(real.statusCode()).as(real.body()).isEqualTo(200);
        assertThat(Http.json(real, 200).path("status").asString()).isEqualTo("success");
    }

    @Test
    void aPagesLiveUpdatesEndWhenItsSessionIsLoggedOut() throws Exception {
        ServiceApi.Login login = admin.login("vera", VERA_PASSWORD);
        HttpResponse<java.util.stream.Stream<String>> stream = liveUpdates(login);
        assertThat(stream.statusCode()).isEqualTo(200);
        CompletableFuture<Long> ended = CompletableFuture.supplyAsync(() -> stream.body().count());
        Thread.sleep(3_000); // a push or two while the session is open: the stream stays
        assertThat(ended).as("the stream of a logged-in page stays open").isNotDone();

        HttpResponse<String> logout = Http.send(http.request("/logout").header("Cookie", login.cookie())
                .header(Authenticator.CSRF_HEADER, login.csrfToken()).POST(HttpRequest.BodyPublishers.noBody()));
        assertThat(logout.statusCode()).isEqualTo(204);

        assertThat(ended.get(15, TimeUnit.SECONDS)).as("the stream ended after the logout").isNotNegative();
    }

    @Test
    void anIdleLiveStreamSendsACommentBeforeAProxyWouldCloseIt() throws Exception {
        HttpResponse<java.util.stream.Stream<String>> stream = liveUpdates(admin.login("vera", VERA_PASSWORD));
        CompletableFuture<String> comment = CompletableFuture.supplyAsync(
                () -> stream.body().filter(line -> line.startsWith(":")).findFirst().orElseThrow());
        // nothing changes meanwhile: without the comment the stream stays silent, and a proxy closes it at 60 s
        assertThat(comment.get(40, TimeUnit.SECONDS)).as("an SSE comment line").startsWith(":");
        stream.body().close();
    }

    /** A page's live updates stream, opened as the browser opens it. */
    private HttpResponse<java.util.stream.Stream<String>> liveUpdates(ServiceApi.Login login) throws Exception {
        return HttpClient.newHttpClient().send(http.request("/events/apps").header("Cookie", login.cookie())
                .header("Accept", "text/event-stream").GET().build(), HttpResponse.BodyHandlers.ofLines());
    }

    @Test
    void noSecretIsInAnyAnswer() {
        JsonNode created = Http.json(http.postJson(vera, "/api/v1/tokens", "{\"name\":\"shown-once\"}"), 201);
        secrets.add(created.path("secret").asString());
        String link = Http.json(admin.post("/api/v1/users/vera/password-link", ""), 201).path("path").asString();
        secrets.add(link.substring(link.lastIndexOf('/') + 1));
        ServiceApi.Login login = admin.login("vera", VERA_PASSWORD);
        secrets.add(login.cookie().substring(login.cookie().indexOf('=') + 1));

        SoftAssertions soft = new SoftAssertions();
        List<HttpResponse<String>> answers = new ArrayList<>();
        for (String route : service.routes()) {
            if (route.startsWith("GET ")) {
                String path = fill(route.substring(4), REAL);
                answers.add(admin.get(path));
                answers.add(http.get(vera, path));
            }
        }
        long id = service.reconciler().store().appId("payments/orders");
        answers.add(http.postForm(vera, "/flink/app/list", "pageSize", "100"));
        answers.add(http.postForm(vera, "/flink/app/get", "id", Long.toString(id)));
        answers.add(http.get(vera, "/api/v1/tokens"));
        for (HttpResponse<String> answer : answers) {
            for (String secret : secrets) {
                soft.assertThat(answer.body()).as("%s %s", answer.request().method(), answer.uri())
                        .doesNotContain(secret);
            }
            soft.assertThat(answer.body()).as("no password hash in %s", answer.uri())
                    .doesNotContainPattern("\\$2[aby]\\$\\d\\d\\$");
        }
        soft.assertAll();
        assertThat(answers).as("the walk reached real answers").anySatisfy(a -> assertThat(a.statusCode()).isEqualTo(200));
    }

    @Test
    void traversalAndInjectionInParametersAnswerCleanly() {
        // as a platform admin, whom no permission check stops before the parameters are read
        String pam = Http.json(admin.post("/api/v1/tokens", "{\"name\":\"prober\"}"), 201).path("secret").asString();
        SoftAssertions soft = new SoftAssertions();
        for (String route : service.routes()) {
            String method = route.substring(0, route.indexOf(' '));
            String template = route.substring(route.indexOf(' ') + 1);
            if (!template.contains("{") || template.startsWith("/password/") || template.startsWith("/api/v1/webhooks/")) {
                continue;
            }
            for (String hostile : HOSTILE) {
                for (String param : REAL.keySet()) {
                    if (!template.contains(param)) {
                        continue;
                    }
                    String path = fill(template.replace(param, hostile), REAL);
                    HttpResponse<String> answer = raw(method, path, pam);
                    soft.assertThat(answer.statusCode()).as("%s %s: %s", method, path, answer.body()).isIn(400, 404);
                    clean(soft, answer, method + " " + path);
                }
            }
        }
        for (String hostile : HOSTILE) {
            for (String path : List.of("/api/v1/applications?team=" + hostile, "/api/v1/applications/payments/orders?x="
                    + hostile, "/api/v1/sync?revision=" + hostile)) {
                HttpResponse<String> answer = raw("GET", path, pam);
                soft.assertThat(answer.statusCode()).as("GET %s", path).isIn(200, 400, 404);
                clean(soft, answer, "GET " + path);
            }
            HttpResponse<String> form = Http.send(http.as(vera, "/flink/app/cancel")
                    .header("Content-Type", "application/x-www-form-urlencoded")
                    .POST(HttpRequest.BodyPublishers.ofString("id=" + hostile + "&savePointed=" + hostile)));
            soft.assertThat(form.statusCode()).as("POST /flink/app/cancel id=%s", hostile).isEqualTo(400);
            clean(soft, form, "POST /flink/app/cancel id=" + hostile);
            HttpResponse<String> list = http.postForm(vera, "/flink/app/list", "teamId", hostile, "jobName", hostile);
            soft.assertThat(list.statusCode()).isEqualTo(200);
            soft.assertThat(Http.json(list, 200).path("data").path("total").asLong(-1)).isZero();
        }
        soft.assertThat(service.reconciler().store().status("payments/orders")).as("the app is still there").isPresent();
        soft.assertAll();
    }

    private static void clean(SoftAssertions soft, HttpResponse<String> answer, String what) {
        soft.assertThat(answer.statusCode()).as("%s is no server error", what).isLessThan(500);
        soft.assertThat(answer.body()).as("%s shows no stack trace", what).doesNotContain("\tat ")
                .doesNotContain("Exception").doesNotContain("org.postgresql");
        boolean html = answer.headers().firstValue("Content-Type").orElse("").contains("html");
        if (html) {
            soft.assertThat(answer.body()).as("%s reflects no markup", what).doesNotContain("<script>alert(1)");
        }
    }

    private List<String> guardedRoutes() {
        return service.routes().stream()
                .filter(r -> OPEN.stream().noneMatch(open -> r.substring(r.indexOf(' ') + 1).startsWith(open)))
                .filter(r -> !r.equals("GET /"))
                .toList();
    }

    private String createdToken(Instant expiresAt) {
        String body = expiresAt == null ? "{\"name\":\"doomed\"}" : "{\"name\":\"brief\",\"expiresAt\":\"" + expiresAt + "\"}";
        return Http.json(http.postJson(vera, "/api/v1/tokens", body), 201).path("secret").asString();
    }

    private long tokenId(String secret) {
        for (JsonNode t : Http.json(http.get(vera, "/api/v1/tokens"), 200).path("items")) {
            if (secret.startsWith(t.path("prefix").asString()) && t.path("revokedAt").isNull()) {
                return t.path("id").asLong();
            }
        }
        throw new AssertionError("no token " + secret.substring(0, 12));
    }

    private HttpResponse<String> call(String method, String path, String token) {
        HttpRequest.Builder request = builder(method, path);
        return Http.send(token == null ? request : request.header("Authorization", "Bearer " + token));
    }

    private HttpRequest.Builder builder(String method, String path) {
        HttpRequest.Builder request = http.request(path);
        return switch (method) {
            case "GET" -> request.GET();
            case "DELETE" -> request.DELETE();
            default -> request.header("Content-Type", "application/json")
                    .method(method, HttpRequest.BodyPublishers.ofString("{\"reason\":\"probe\"}"));
        };
    }

    /** Sends {@code path} as written, without the client normalizing {@code ..} away. */
    private HttpResponse<String> raw(String method, String path, String token) {
        URI uri = URI.create("http://localhost:" + service.port() + path);
        HttpRequest.Builder request = HttpRequest.newBuilder(uri).timeout(Duration.ofSeconds(20))
                .header("Authorization", "Bearer " + token);
        HttpRequest built = (switch (method) {
            case "GET" -> request.GET();
            case "DELETE" -> request.DELETE();
            default -> request.header("Content-Type", "application/json")
                    .method(method, HttpRequest.BodyPublishers.ofString("{\"reason\":\"probe\"}"));
        }).build();
        // a connection of its own per probe: Jetty may close one after refusing a hostile request, and a
        // POST sent on a pooled connection the server just closed fails without being the server's answer
        HttpClient fresh = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(5)).build();
        try {
            return fresh.send(built, HttpResponse.BodyHandlers.ofString());
        } catch (Exception e) {
            throw new IllegalStateException(method + " " + path + ": " + e, e);
        }
    }

    private static String fill(String template, Map<String, String> values) {
        String path = template;
        for (Map.Entry<String, String> e : values.entrySet()) {
            path = path.replace(e.getKey(), e.getValue());
        }
        return path.replaceAll("\\{[^}]*}|<[^>]*>", "x");
    }
}
