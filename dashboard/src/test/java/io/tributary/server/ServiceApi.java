package io.tributary.server;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.util.Optional;
import tools.jackson.databind.JsonNode;
import tools.jackson.databind.json.JsonMapper;

/**
 * The HTTP API of one running service, as a client (the dashboard, curl) sees it: logged in as the
 * bootstrap admin, whose password the tests' services are started with.
 */
final class ServiceApi {
    static final JsonMapper JSON = JsonMapper.builder().build();
    static final String ADMIN_PASSWORD = "admin-password-of-the-tests";
    private static final HttpClient HTTP = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(2)).build();

    private final URI base;
    private volatile Login login;

    /** The session cookie and the CSRF token that writes of that session carry. */
    record Login(String cookie, String csrfToken) {}

    ServiceApi(int port) {
        this.base = URI.create("http://localhost:" + port);
    }

    HttpResponse<String> get(String path) {
        return authenticated(HttpRequest.newBuilder(base.resolve(path)).timeout(Duration.ofSeconds(10)).GET());
    }

    /** {@code POST} of a JSON body as the admin. */
    HttpResponse<String> post(String path, String json) {
        return authenticated(HttpRequest.newBuilder(base.resolve(path)).timeout(Duration.ofSeconds(10))
                .header("Content-Type", "application/json").POST(HttpRequest.BodyPublishers.ofString(json)));
    }

    /** {@code DELETE} as the admin. */
    HttpResponse<String> delete(String path) {
        return authenticated(HttpRequest.newBuilder(base.resolve(path)).timeout(Duration.ofSeconds(10)).DELETE());
    }

    /** {@code POST /api/v1/login}: the session of {@code user}, or the refusal as an exception. */
    Login login(String user, String password) {
        HttpResponse<String> response = send(HttpRequest.newBuilder(base.resolve("/api/v1/login"))
                .timeout(Duration.ofSeconds(10)).header("Content-Type", "application/json")
                .POST(HttpRequest.BodyPublishers.ofString(JSON.createObjectNode().put("user", user)
                        .put("password", password).toString())).build());
        assertThat(response.statusCode()).as("login of %s: %s", user, response.body()).isEqualTo(200);
        String cookie = response.headers().allValues("Set-Cookie").stream()
                .filter(c -> c.startsWith("tributary_session="))
                .map(c -> c.substring(0, c.indexOf(';')))
                .findFirst().orElseThrow(() -> new AssertionError("no session cookie in " + response.headers()));
        return new Login(cookie, JSON.readTree(response.body()).path("csrfToken").asString());
    }

    /** Sends as the admin; logs in first, and again once if the session is gone (a new database). */
    private HttpResponse<String> authenticated(HttpRequest.Builder request) {
        if (login == null) {
            login = login("admin", ADMIN_PASSWORD);
        }
        HttpResponse<String> response = send(withLogin(request, login));
        if (response.statusCode() == 401) {
            login = login("admin", ADMIN_PASSWORD);
            response = send(withLogin(request, login));
        }
        return response;
    }

    private static HttpRequest withLogin(HttpRequest.Builder request, Login login) {
        return request.copy().header("Cookie", login.cookie()).header("X-CSRF-Token", login.csrfToken()).build();
    }

    /** A POST with these headers and this body and no login, as a Git server sends a webhook delivery. */
    HttpResponse<String> postWithoutLogin(String path, java.util.Map<String, String> headers, byte[] body) {
        HttpRequest.Builder request = HttpRequest.newBuilder(base.resolve(path)).timeout(Duration.ofSeconds(10))
                .POST(HttpRequest.BodyPublishers.ofByteArray(body));
        headers.forEach(request::header);
        return send(request.build());
    }

    /** A GET with no login, as Prometheus scrapes {@code /metrics}. */
    HttpResponse<String> getWithoutLogin(String path) {
        return send(HttpRequest.newBuilder(base.resolve(path)).timeout(Duration.ofSeconds(10)).GET().build());
    }

    /** True when {@code /healthz} answers: the service is up (whether or not it leads). */
    boolean answers() {
        try {
            return send(HttpRequest.newBuilder(base.resolve("/healthz")).timeout(Duration.ofSeconds(10)).GET().build())
                    .statusCode() == 200;
        } catch (UncheckedIOException e) {
            return false;
        }
    }

    /** {@code GET /api/v1/sync}: the source's condition, the applied revision, and whether this replica leads. */
    JsonNode sync() {
        return JSON.readTree(get("/api/v1/sync").body());
    }

    /** {@code POST /api/v1/sync}: fetch and reconcile now. */
    void triggerSync() {
        HttpResponse<String> response = post("/api/v1/sync", "");
        assertThat(response.statusCode()).as("POST /api/v1/sync").isEqualTo(202);
    }

    /** {@code GET /api/v1/applications/{team}/{name}}: the app with its deployments, savepoints, events and operations. */
    JsonNode detail(String app) {
        HttpResponse<String> response = get("/api/v1/applications/" + app);
        assertThat(response.statusCode()).as("GET /api/v1/applications/%s: %s", app, response.body()).isEqualTo(200);
        return JSON.readTree(response.body());
    }

    /** The app's live status, or an empty object while the service does not know the app. */
    JsonNode status(String app) {
        HttpResponse<String> response = get("/api/v1/applications/" + app);
        if (response.statusCode() != 200) {
            return JSON.createObjectNode();
        }
        return JSON.readTree(response.body()).path("application").path("status");
    }

    /** The REST address of the Flink cluster the app runs on, from the web UI link the API gives. */
    Optional<URI> flinkRestUrl(String app) {
        JsonNode webUi = detail(app).path("application").path("flinkWebUi");
        if (!webUi.isString()) {
            return Optional.empty();
        }
        URI ui = URI.create(webUi.asString());
        return Optional.of(URI.create(ui.getScheme() + "://" + ui.getAuthority()));
    }

    /** A GET of Flink's own REST API at {@code flink} (see {@link #flinkRestUrl}), read as JSON. */
    static JsonNode flinkGet(URI flink, String path) {
        HttpResponse<String> response = send(HttpRequest.newBuilder(flink.resolve(path)).GET().build());
        if (response.statusCode() != 200) {
            throw new IllegalStateException("GET " + flink.resolve(path) + ": " + response.statusCode() + " " + response.body());
        }
        return JSON.readTree(response.body());
    }

    private static HttpResponse<String> send(HttpRequest request) {
        try {
            return HTTP.send(request, HttpResponse.BodyHandlers.ofString());
        } catch (IOException e) {
            throw new UncheckedIOException(request.method() + " " + request.uri() + ": " + e, e);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException("interrupted: " + request.uri(), e);
        }
    }

    @Override
    public String toString() {
        return base.toString();
    }
}
