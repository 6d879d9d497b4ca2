package io.tributary.bench;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import tools.jackson.databind.JsonNode;
import tools.jackson.databind.json.JsonMapper;

/**
 * An API token of the bootstrap admin, made as a script would: one login, then a token, so the
 * measured requests carry a bearer token and not a bcrypt check each.
 */
final class AdminToken {
    private AdminToken() {}

    static String create(HttpClient http, URI service, String adminPassword, String tokenName) {
        try {
            HttpResponse<String> login = http.send(HttpRequest.newBuilder(service.resolve("/api/v1/login"))
                    .header("Content-Type", "application/json")
                    .POST(HttpRequest.BodyPublishers.ofString(
                            "{\"user\":\"admin\",\"password\":\"" + adminPassword + "\"}"))
                    .build(), HttpResponse.BodyHandlers.ofString());
            JsonNode session = expect(login, 200, "POST /api/v1/login");
            String cookie = login.headers().firstValue("Set-Cookie").orElseThrow().split(";", 2)[0];
            HttpResponse<String> created = http.send(HttpRequest.newBuilder(service.resolve("/api/v1/tokens"))
                    .header("Content-Type", "application/json").header("Cookie", cookie)
                    .header("X-CSRF-Token", session.path("csrfToken").asString())
                    .POST(HttpRequest.BodyPublishers.ofString("{\"name\":\"" + tokenName + "\"}")).build(),
                    HttpResponse.BodyHandlers.ofString());
            return expect(created, 201, "POST /api/v1/tokens").path("secret").asString();
        } catch (IOException e) {
            throw new UncheckedIOException("could not reach the service at " + service, e);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException("interrupted", e);
        }
    }

    private static JsonNode expect(HttpResponse<String> response, int status, String what) {
        if (response.statusCode() != status) {
            throw new IllegalStateException(what + ": HTTP " + response.statusCode() + " " + response.body());
        }
        return JsonMapper.shared().readTree(response.body());
    }
}
