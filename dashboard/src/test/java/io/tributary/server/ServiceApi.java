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

/** The HTTP API of one running service, as a client (the dashboard, curl) sees it. */
final class ServiceApi {
    static final JsonMapper JSON = JsonMapper.builder().build();
    private static final HttpClient HTTP = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(2)).build();

    private final URI base;

    ServiceApi(int port) {
        this.base = URI.create("http://localhost:" + port);
    }

    HttpResponse<String> get(String path) {
        return send(HttpRequest.newBuilder(base.resolve(path)).timeout(Duration.ofSeconds(10)).GET().build());
    }

    /** A POST with these headers and this body, as a Git server's webhook delivery is sent. */
    HttpResponse<String> post(String path, java.util.Map<String, String> headers, byte[] body) {
        HttpRequest.Builder request = HttpRequest.newBuilder(base.resolve(path)).timeout(Duration.ofSeconds(10))
                .POST(HttpRequest.BodyPublishers.ofByteArray(body));
        headers.forEach(request::header);
        return send(request.build());
    }

    /** True when {@code /healthz} answers: the service is up (whether or not it leads). */
    boolean answers() {
        try {
            return get("/healthz").statusCode() == 200;
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
        HttpResponse<String> response = send(HttpRequest.newBuilder(base.resolve("/api/v1/sync"))
                .timeout(Duration.ofSeconds(10)).POST(HttpRequest.BodyPublishers.noBody()).build());
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
