package io.tributary.server;

import static org.assertj.core.api.Assertions.assertThat;

import java.net.URI;
import java.net.URLEncoder;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import tools.jackson.databind.JsonNode;

/** Plain HTTP calls to a service as any caller would make them: anonymous, with a token, with a form. */
final class Http {
    private static final HttpClient CLIENT = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(2)).build();

    private final URI base;

    Http(int port) {
        this.base = URI.create("http://localhost:" + port);
    }

    HttpRequest.Builder request(String path) {
        return HttpRequest.newBuilder(base.resolve(path)).timeout(Duration.ofSeconds(20));
    }

    /** {@code request(path)} with {@code Authorization: Bearer token}, or anonymous when token is null. */
    HttpRequest.Builder as(String token, String path) {
        HttpRequest.Builder request = request(path);
        return token == null ? request : request.header("Authorization", "Bearer " + token);
    }

    HttpResponse<String> postJson(String token, String path, String json) {
        return send(as(token, path).header("Content-Type", "application/json")
                .POST(HttpRequest.BodyPublishers.ofString(json)));
    }

    HttpResponse<String> postForm(String token, String path, String... keysAndValues) {
        return send(as(token, path).header("Content-Type", "application/x-www-form-urlencoded").POST(form(keysAndValues)));
    }

    HttpResponse<String> get(String token, String path) {
        return send(as(token, path).GET());
    }

    static HttpRequest.BodyPublisher form(String... keysAndValues) {
        StringBuilder body = new StringBuilder();
        for (int i = 0; i < keysAndValues.length; i += 2) {
            body.append(i == 0 ? "" : "&").append(keysAndValues[i]).append('=')
                    .append(URLEncoder.encode(keysAndValues[i + 1], StandardCharsets.UTF_8));
        }
        return HttpRequest.BodyPublishers.ofString(body.toString());
    }

    static JsonNode json(HttpResponse<String> response, int status) {
        assertThat(response.statusCode()).as("%s %s: %s", response.request().method(), response.uri(), response.body())
                .isEqualTo(status);
        return ServiceApi.JSON.readTree(response.body());
    }

    static HttpResponse<String> send(HttpRequest.Builder request) {
        try {
            return CLIENT.send(request.build(), HttpResponse.BodyHandlers.ofString());
        } catch (Exception e) {
            throw new IllegalStateException(e);
        }
    }

    /**
     * Gives {@code user} (declared in Git) a password through a first-login link the admin asks for,
     * logs them in and returns a new API token of theirs.
     */
    String tokenOf(ServiceApi admin, String user, String password) {
        String path = json(admin.post("/api/v1/users/" + user + "/password-link", ""), 201).path("path").asString();
        assertThat(send(request(path).header("Content-Type", "application/json")
                .POST(HttpRequest.BodyPublishers.ofString("{\"password\":\"" + password + "\"}"))).statusCode())
                .isEqualTo(200);
        ServiceApi.Login login = admin.login(user, password);
        HttpResponse<String> created = send(request("/api/v1/tokens").header("Cookie", login.cookie())
                .header("X-CSRF-Token", login.csrfToken()).header("Content-Type", "application/json")
                .POST(HttpRequest.BodyPublishers.ofString("{\"name\":\"" + user + "-script\"}")));
        return json(created, 201).path("secret").asString();
    }
}
