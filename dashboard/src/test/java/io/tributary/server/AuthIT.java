package io.tributary.server;

import static org.assertj.core.api.Assertions.assertThat;

import io.tributary.source.Credentials;
import java.net.URI;
import java.net.URLEncoder;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import org.eclipse.jgit.api.Git;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;
import org.junit.jupiter.api.io.TempDir;
import tools.jackson.databind.JsonNode;

/**
 * Logging in and being let in, over real HTTP against a running service: passwords, sessions and
 * their CSRF tokens, API tokens, the bootstrap admin, first-login links, throttling, and the
 * permission check of an action. The apps are suspended on an external cluster, so no Flink runs.
 */
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
class AuthIT {
    private static final HttpClient HTTP = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(2)).build();
    private static final String ALICE_PASSWORD = "alice-has-a-long-password";

    @TempDir
    static Path temp;
    private ServiceConfig config;
    private Service service;
    private ServiceApi admin;
    private URI base;

    @BeforeAll
    void start() throws Exception {
        Path repo = temp.resolve("config");
        try (Git git = Git.init().setDirectory(repo.toFile()).setInitialBranch("main").call()) {
            java.nio.file.Files.createDirectories(repo.resolve("teams"));
            java.nio.file.Files.writeString(repo.resolve("platform.yaml"), """
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
                    metadata: {name: alice}
                    spec: {displayName: Alice, email: alice@example.com}
                    ---
                    apiVersion: tributary.io/v1
                    kind: User
                    metadata: {name: bob}
                    spec: {displayName: Bob, email: bob@example.com}
                    ---
                    apiVersion: tributary.io/v1
                    kind: User
                    metadata: {name: dora}
                    spec: {displayName: Dora, email: dora@example.com}
                    ---
                    apiVersion: tributary.io/v1
                    kind: User
                    metadata: {name: ezra}
                    spec: {displayName: Ezra, email: ezra@example.com}
                    ---
                    apiVersion: tributary.io/v1
                    kind: User
                    metadata: {name: finn}
                    spec: {displayName: Finn, email: finn@example.com}
                    ---
                    apiVersion: tributary.io/v1
                    kind: Team
                    metadata: {name: payments}
                    spec:
                      members: [{user: alice, role: admin}, {user: bob, role: viewer}]
                    """);
            java.nio.file.Files.writeString(repo.resolve("teams/orders.yaml"), """
                    apiVersion: tributary.io/v1
                    kind: Application
                    metadata: {name: orders, team: payments}
                    spec:
                      deployment: {mode: standalone-session, cluster: remote}
                      job: {type: sql, sql: {script: "SELECT 1;"}}
                      state: suspended
                    """);
            git.add().addFilepattern(".").call();
            git.commit().setMessage("two users, one team, a suspended app").setAuthor("t", "t@example.com").call();
        }
        config = new ServiceConfig(repo.toString(), "main", null, new Credentials.None(),
                temp.resolve("data"), null, null, null, 0, Duration.ofHours(1), 2,
                Path.of(System.getProperty("user.home"), ".m2", "repository"), ServiceApi.ADMIN_PASSWORD);
        service = Service.start(config);
        base = URI.create("http://localhost:" + service.port());
        admin = new ServiceApi(service.port());
        Await.until("the revision is applied", Duration.ofSeconds(60),
                () -> admin.get("/api/v1/applications").body().contains("payments"));
        JsonNode link = json(admin.post("/api/v1/users/alice/password-link", ""), 201);
        HttpResponse<String> set = send(request(link.path("path").asString())
                .header("Content-Type", "application/x-www-form-urlencoded")
                .POST(form("password", ALICE_PASSWORD)));
        assertThat(set.statusCode()).as(set.body()).isEqualTo(302);
    }

    @AfterAll
    void stop() {
        if (service != null) {
            service.close();
        }
    }

    @Test
    void anonymousCallersAreTurnedAwayButHealthAndLoginAreOpen() {
        assertThat(send(request("/api/v1/applications").GET()).statusCode()).isEqualTo(401);
        HttpResponse<String> page = send(request("/").GET());
        assertThat(page.statusCode()).isEqualTo(302);
        assertThat(page.headers().firstValue("Location")).hasValue("/login?next=%2F");
        assertThat(send(request("/?team=payments&status=Degraded").GET()).headers().firstValue("Location"))
                .as("the login comes back to the filtered overview")
                .hasValue("/login?next=%2F%3Fteam%3Dpayments%26status%3DDegraded");
        assertThat(send(request("/healthz").GET()).statusCode()).isEqualTo(200);
        assertThat(send(request("/api/v1/applications/payments/orders/actions/stop")
                .POST(HttpRequest.BodyPublishers.ofString("{\"reason\":\"x\"}"))).statusCode()).isEqualTo(401);
    }

    @Test
    void everyAnswerCarriesTheSecurityHeaders() {
        HttpResponse<String> response = send(request("/healthz").GET());
        assertThat(response.headers().firstValue("Content-Security-Policy")).hasValueSatisfying(
                csp -> assertThat(csp).contains("frame-ancestors 'none'").contains("script-src 'self'"));
        assertThat(response.headers().firstValue("X-Content-Type-Options")).hasValue("nosniff");
    }

    @Test
    void aSessionCookieIsHttpOnlySameSiteAndSecure() {
        HttpResponse<String> login = send(request("/api/v1/login").header("Content-Type", "application/json")
                .POST(HttpRequest.BodyPublishers.ofString("{\"user\":\"alice\",\"password\":\"" + ALICE_PASSWORD + "\"}")));
        assertThat(login.statusCode()).as(login.body()).isEqualTo(200);
        String cookie = login.headers().firstValue("Set-Cookie").orElseThrow();
        assertThat(cookie).startsWith("tributary_session=").containsIgnoringCase("HttpOnly")
                .containsIgnoringCase("SameSite=Lax").containsIgnoringCase("Secure");
    }

    @Test
    void theLoginFormSendsBackToTheLoginPageOnAWrongPassword() {
        HttpResponse<String> wrong = send(request("/login").header("Content-Type", "application/x-www-form-urlencoded")
                .POST(form("user", "alice", "password", "not-her-password", "next", "/apps/payments/orders")));
        assertThat(wrong.statusCode()).isEqualTo(302);
        assertThat(wrong.headers().firstValue("Location").orElseThrow()).startsWith("/login?error=1");
        HttpResponse<String> right = send(request("/login").header("Content-Type", "application/x-www-form-urlencoded")
                .POST(form("user", "alice", "password", ALICE_PASSWORD, "next", "https://evil.example.com/")));
        assertThat(right.statusCode()).isEqualTo(302);
        assertThat(right.headers().firstValue("Location")).as("no redirect off-site").hasValue("/");
    }

    @Test
    void cookieAuthenticatedWritesNeedTheCsrfToken() {
        ServiceApi.Login alice = admin.login("alice", ALICE_PASSWORD);
        HttpResponse<String> without = send(request("/api/v1/sync").header("Cookie", alice.cookie())
                .POST(HttpRequest.BodyPublishers.noBody()));
        assertThat(without.statusCode()).isEqualTo(403);
        HttpResponse<String> forged = send(request("/api/v1/sync").header("Cookie", alice.cookie())
                .header("X-CSRF-Token", "guessed").POST(HttpRequest.BodyPublishers.noBody()));
        assertThat(forged.statusCode()).isEqualTo(403);
        HttpResponse<String> with = send(request("/api/v1/sync").header("Cookie", alice.cookie())
                .header("X-CSRF-Token", alice.csrfToken()).POST(HttpRequest.BodyPublishers.noBody()));
        assertThat(with.statusCode()).isEqualTo(202);
    }

    @Test
    void anApiTokenIsShownOnceWorksAsBearerOrRawAndStopsWhenRevoked() {
        JsonNode created = json(admin.post("/api/v1/tokens", "{\"name\":\"ci\"}"), 201);
        String secret = created.path("secret").asString();
        assertThat(secret).startsWith("trb_").hasSize(47);
        assertThat(created.path("token").path("prefix").asString()).isEqualTo(secret.substring(0, 12));

        assertThat(send(request("/api/v1/applications").header("Authorization", "Bearer " + secret).GET())
                .statusCode()).isEqualTo(200);
        assertThat(send(request("/api/v1/applications").header("Authorization", secret).GET()).statusCode())
                .as("StreamPark clients send the bare token").isEqualTo(200);
        String listed = admin.get("/api/v1/tokens").body();
        assertThat(listed).contains(secret.substring(0, 12)).doesNotContain(secret);

        long id = created.path("token").path("id").asLong();
        assertThat(admin.delete("/api/v1/tokens/" + id).statusCode()).isEqualTo(204);
        assertThat(send(request("/api/v1/applications").header("Authorization", "Bearer " + secret).GET())
                .statusCode()).isEqualTo(401);
        assertThat(send(request("/api/v1/applications").header("Authorization", "Bearer trb_made-up").GET())
                .statusCode()).isEqualTo(401);
    }

    @Test
    void aBrowserSessionOutlivesARestartWithTheSameAdminPasswordInTheEnvironment() {
        ServiceApi.Login login = admin.login("admin", ServiceApi.ADMIN_PASSWORD);
        service.close();
        service = Service.start(config);
        base = URI.create("http://localhost:" + service.port());
        admin = new ServiceApi(service.port());
        assertThat(send(request("/api/v1/applications").header("Cookie", login.cookie()).GET()).statusCode())
                .as("the environment's password, unchanged, is not set again (which logs everyone out)").isEqualTo(200);
    }

    @Test
    void aMisspeltFieldIsRefusedNotDropped() {
        HttpResponse<String> answer = admin.post("/api/v1/tokens", "{\"name\":\"meant-to-expire\",\"expiresInDays\":30}");
        assertThat(answer.statusCode()).as("a token meant to expire must not be made one that never does")
                .isEqualTo(400);
        assertThat(answer.body()).contains("unknown field \\\"expiresInDays\\\"").contains("expiresAt");
        assertThat(admin.get("/api/v1/tokens").body()).doesNotContain("meant-to-expire");
    }

    @Test
    void aTeamAdminRevokesAMembersTokenFromTheTokensPageButAViewerCannotRevokeTheirs() {
        String bobSecret = tokenOf("bob", "bob-has-a-long-password");
        String bobPrefix = bobSecret.substring(0, 12);
        ServiceApi.Login alice = admin.login("alice", ALICE_PASSWORD);
        String aliceToken = json(send(request("/api/v1/tokens").header("Cookie", alice.cookie())
                .header("X-CSRF-Token", alice.csrfToken()).header("Content-Type", "application/json")
                .POST(HttpRequest.BodyPublishers.ofString("{\"name\":\"alice-script\"}"))), 201)
                .path("token").path("id").asString();

        String page = send(request("/tokens").header("Cookie", alice.cookie()).GET()).body();
        assertThat(page).as("a team admin sees the members' tokens with their owner").contains(bobPrefix)
                .contains("<td>bob</td>");
        long bobTokenId = json(send(request("/api/v1/tokens").header("Cookie", alice.cookie()).GET()), 200)
                .path("items").valueStream().filter(t -> t.path("prefix").asString().equals(bobPrefix))
                .findFirst().orElseThrow().path("id").asLong();

        ServiceApi.Login bob = admin.login("bob", "bob-has-a-long-password");
        HttpResponse<String> refused = send(request("/tokens/" + aliceToken + "/revoke").header("Cookie", bob.cookie())
                .header("Content-Type", "application/x-www-form-urlencoded").POST(form("_csrf", bob.csrfToken())));
        assertThat(refused.statusCode()).as("a viewer may not revoke a team admin's token").isEqualTo(403);

        HttpResponse<String> revoked = send(request("/tokens/" + bobTokenId + "/revoke")
                .header("Cookie", alice.cookie()).header("Content-Type", "application/x-www-form-urlencoded")
                .POST(form("_csrf", alice.csrfToken())));
        assertThat(revoked.statusCode()).isEqualTo(303);
        assertThat(send(request("/api/v1/applications").header("Authorization", "Bearer " + bobSecret).GET())
                .statusCode()).isEqualTo(401);
        assertThat(service.reconciler().store().auditEvents(50)).anySatisfy(e -> {
            assertThat(e.actor()).isEqualTo("alice");
            assertThat(e.action()).isEqualTo("revoke-token");
        }).anySatisfy(e -> {
            assertThat(e.actor()).isEqualTo("bob");
            assertThat(e.action()).isEqualTo("denied revoke-token");
        });
    }

    @Test
    void anExpiredTokenIsRefused() {
        Instant soon = Instant.now().plusSeconds(2);
        String secret = json(admin.post("/api/v1/tokens", "{\"name\":\"short\",\"expiresAt\":\"" + soon + "\"}"), 201)
                .path("secret").asString();
        Await.until("the token expires", Duration.ofSeconds(20), () -> send(request("/api/v1/applications")
                .header("Authorization", "Bearer " + secret).GET()).statusCode() == 401);
        assertThat(admin.post("/api/v1/tokens", "{\"name\":\"past\",\"expiresAt\":\"2020-01-01T00:00:00Z\"}")
                .statusCode()).isEqualTo(400);
    }

    @Test
    void aViewerMayLookButNotStopAndTheRefusalIsAudited() throws Exception {
        String bobSecret = tokenOf("bob", "bob-has-a-long-password");
        HttpResponse<String> look = send(request("/api/v1/applications/payments/orders")
                .header("Authorization", "Bearer " + bobSecret).GET());
        assertThat(look.statusCode()).isEqualTo(200);
        HttpResponse<String> stop = send(request("/api/v1/applications/payments/orders/actions/stop")
                .header("Authorization", "Bearer " + bobSecret).header("Content-Type", "application/json")
                .POST(HttpRequest.BodyPublishers.ofString("{\"reason\":\"curious\"}")));
        assertThat(stop.statusCode()).isEqualTo(403);
        assertThat(service.reconciler().store().auditEvents(20)).anySatisfy(e -> {
            assertThat(e.actor()).isEqualTo("bob");
            assertThat(e.action()).isEqualTo("denied stop");
        });
    }

    @Test
    void aPageActionOnAnotherTeamsAppIsNotFoundAndAudited() {
        tokenOf("finn", "finn-has-a-long-password");
        ServiceApi.Login finn = admin.login("finn", "finn-has-a-long-password");
        HttpResponse<String> stop = send(request("/apps/payments/orders/actions/stop").header("Cookie", finn.cookie())
                .header("Content-Type", "application/x-www-form-urlencoded")
                .POST(form("_csrf", finn.csrfToken(), "reason", "not my team")));
        assertThat(stop.statusCode()).as("the page does not say whether another team's app exists").isEqualTo(404);
        assertThat(service.reconciler().store().auditEvents(20)).anySatisfy(e -> {
            assertThat(e.actor()).isEqualTo("finn");
            assertThat(e.action()).isEqualTo("denied stop");
            assertThat(e.target()).isEqualTo("application payments/orders");
        });
    }

    @Test
    void aTeamAdminStopsWithAReasonAndTheOverrideNamesThem() {
        ServiceApi.Login alice = admin.login("alice", ALICE_PASSWORD);
        HttpResponse<String> noReason = send(request("/api/v1/applications/payments/orders/actions/stop")
                .header("Cookie", alice.cookie()).header("X-CSRF-Token", alice.csrfToken())
                .header("Content-Type", "application/json").POST(HttpRequest.BodyPublishers.ofString("{}")));
        assertThat(noReason.statusCode()).isEqualTo(400);
        HttpResponse<String> tooShort = send(request("/api/v1/applications/payments/orders/actions/stop")
                .header("Cookie", alice.cookie()).header("X-CSRF-Token", alice.csrfToken())
                .header("Content-Type", "application/json").POST(HttpRequest.BodyPublishers.ofString("{\"reason\":\"x\"}")));
        assertThat(tooShort.statusCode()).as("a reason must say something, as the dashboard's form asks").isEqualTo(400);
        HttpResponse<String> stop = send(request("/api/v1/applications/payments/orders/actions/stop")
                .header("Cookie", alice.cookie()).header("X-CSRF-Token", alice.csrfToken())
                .header("Content-Type", "application/json")
                .POST(HttpRequest.BodyPublishers.ofString("{\"reason\":\"maintenance window\"}")));
        assertThat(stop.statusCode()).as(stop.body()).isEqualTo(202);
        JsonNode override = admin.detail("payments/orders").path("application").path("override");
        assertThat(override.path("actor").asString()).isEqualTo("alice");
        assertThat(override.path("reason").asString()).isEqualTo("maintenance window");
        assertThat(override.path("pinnedState").asString()).isEqualTo("suspended");
    }

    @Test
    void repeatedWrongPasswordsAreThrottled() {
        for (int i = 0; i < 5; i++) {
            assertThat(login("nobody", "wrong-password-" + i).statusCode()).isEqualTo(401);
        }
        HttpResponse<String> throttled = login("nobody", "wrong-password-5");
        assertThat(throttled.statusCode()).isEqualTo(429);
        assertThat(throttled.headers().firstValue("Retry-After")).isPresent();
    }

    @Test
    void aFirstLoginLinkWorksOnce() {
        String path = json(admin.post("/api/v1/users/bob/password-link", ""), 201).path("path").asString();
        HttpResponse<String> tooShort = send(request(path).header("Content-Type", "application/json")
                .POST(HttpRequest.BodyPublishers.ofString("{\"password\":\"short\"}")));
        assertThat(tooShort.statusCode()).isEqualTo(400);
        HttpResponse<String> set = send(request(path).header("Content-Type", "application/json")
                .POST(HttpRequest.BodyPublishers.ofString("{\"password\":\"bob-chose-this-one\"}")));
        assertThat(set.statusCode()).isEqualTo(200);
        HttpResponse<String> again = send(request(path).header("Content-Type", "application/json")
                .POST(HttpRequest.BodyPublishers.ofString("{\"password\":\"bob-chose-another\"}")));
        assertThat(again.statusCode()).isEqualTo(410);
        assertThat(login("bob", "bob-chose-this-one").statusCode()).isEqualTo(200);
        assertThat(admin.post("/api/v1/users/nobody/password-link", "").statusCode()).isEqualTo(404);
    }

    @Test
    void aFirstLoginLinkOpenedInABrowserShowsAFormThatSetsThePassword() {
        String path = json(admin.post("/api/v1/users/dora/password-link", ""), 201).path("path").asString();
        HttpResponse<String> page = send(request(path).GET());
        assertThat(page.statusCode()).isEqualTo(200);
        assertThat(page.body()).contains("<form method=\"post\" action=\"" + path + "\">", "name=\"confirm\"");

        HttpResponse<String> differ = send(request(path).header("Content-Type", "application/x-www-form-urlencoded")
                .POST(form("password", "dora-chose-this-one", "confirm", "dora-chose-another")));
        assertThat(differ.statusCode()).isEqualTo(302);
        String back = differ.headers().firstValue("Location").orElseThrow();
        assertThat(back).isEqualTo(path + "?error=differ");
        assertThat(send(request(back).GET()).body()).contains("The two passwords differ.");
        assertThat(send(request(path + "?error=Call+555-0100+now").GET()).body()).doesNotContain("555");

        HttpResponse<String> set = send(request(path).header("Content-Type", "application/x-www-form-urlencoded")
                .POST(form("password", "dora-chose-this-one", "confirm", "dora-chose-this-one")));
        assertThat(set.headers().firstValue("Location")).hasValue("/login?password=set");
        assertThat(send(request("/login?password=set").GET()).body()).contains("Your password is set");
        assertThat(login("dora", "dora-chose-this-one").statusCode()).isEqualTo(200);
        assertThat(send(request(path).GET()).body()).as("the spent link says so before anything is typed")
                .contains("This link was used already or has expired.");
    }

    @Test
    void aTokenWhoseOwnerLeftGitIsRefusedAndShownSo() throws Exception {
        String secret = tokenOf("ezra", "ezra-has-a-long-password");
        Path repo = temp.resolve("config");
        Path platform = repo.resolve("platform.yaml");
        java.nio.file.Files.writeString(platform, java.nio.file.Files.readString(platform).replace("""
                apiVersion: tributary.io/v1
                kind: User
                metadata: {name: ezra}
                spec: {displayName: Ezra, email: ezra@example.com}
                ---
                """, ""));
        try (Git git = Git.open(repo.toFile())) {
            git.commit().setAll(true).setMessage("ezra leaves").setAuthor("t", "t@example.com").call();
        }
        admin.triggerSync();
        Await.until("ezra's token is refused", Duration.ofSeconds(60), () -> send(request("/api/v1/applications")
                .header("Authorization", "Bearer " + secret).GET()).statusCode() == 401);
        assertThat(admin.get("/tokens").body()).contains("owner left Git");
    }

    /** Sets the user's password through a first-login link, logs in, and makes an API token. */
    private String tokenOf(String user, String password) {
        String path = json(admin.post("/api/v1/users/" + user + "/password-link", ""), 201).path("path").asString();
        send(request(path).header("Content-Type", "application/json")
                .POST(HttpRequest.BodyPublishers.ofString("{\"password\":\"" + password + "\"}")));
        ServiceApi.Login login = admin.login(user, password);
        HttpResponse<String> created = send(request("/api/v1/tokens").header("Cookie", login.cookie())
                .header("X-CSRF-Token", login.csrfToken()).header("Content-Type", "application/json")
                .POST(HttpRequest.BodyPublishers.ofString("{\"name\":\"" + user + "-script\"}")));
        return json(created, 201).path("secret").asString();
    }

    private HttpResponse<String> login(String user, String password) {
        return send(request("/api/v1/login").header("Content-Type", "application/json")
                .POST(HttpRequest.BodyPublishers.ofString("{\"user\":\"" + user + "\",\"password\":\"" + password + "\"}")));
    }

    private HttpRequest.Builder request(String path) {
        return HttpRequest.newBuilder(base.resolve(path)).timeout(Duration.ofSeconds(10));
    }

    private static HttpRequest.BodyPublisher form(String... keysAndValues) {
        StringBuilder body = new StringBuilder();
        for (int i = 0; i < keysAndValues.length; i += 2) {
            body.append(i == 0 ? "" : "&").append(keysAndValues[i]).append('=')
                    .append(URLEncoder.encode(keysAndValues[i + 1], StandardCharsets.UTF_8));
        }
        return HttpRequest.BodyPublishers.ofString(body.toString());
    }

    private static JsonNode json(HttpResponse<String> response, int status) {
        assertThat(response.statusCode()).as(response.body()).isEqualTo(status);
        return ServiceApi.JSON.readTree(response.body());
    }

    private static HttpResponse<String> send(HttpRequest.Builder request) {
        try {
            return HTTP.send(request.build(), HttpResponse.BodyHandlers.ofString());
        } catch (Exception e) {
            throw new IllegalStateException(e);
        }
    }
}
