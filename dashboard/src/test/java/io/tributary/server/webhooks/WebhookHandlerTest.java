package io.tributary.server.webhooks;

import static org.assertj.core.api.Assertions.assertThat;

import io.javalin.Javalin;
import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import java.io.IOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.util.Optional;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/** The webhook route alone over real HTTP: what a Git server sees when the service cannot or need not fetch. */
class WebhookHandlerTest {
    private static final HttpClient HTTP = HttpClient.newHttpClient();
    private final AtomicInteger fetches = new AtomicInteger();
    private final SimpleMeterRegistry meters = new SimpleMeterRegistry();
    private Javalin app;

    @AfterEach
    void stop() {
        if (app != null) {
            app.stop();
        }
    }

    @Test
    void withoutASecretWebhooksAreNotFoundAndSayHowToTurnThemOn() throws Exception {
        start(Optional.empty(), Optional.of("main"));
        HttpResponse<String> response = post("github", "X-GitHub-Event", "push", "{\"ref\": \"refs/heads/main\"}");
        assertThat(response.statusCode()).isEqualTo(404);
        assertThat(response.headers().firstValue("Content-Type")).hasValueSatisfying(
                t -> assertThat(t).startsWith("application/problem+json"));
        assertThat(response.body()).contains("Webhooks are not enabled").contains("--webhook-secret-file")
                .contains("TRIBUTARY_WEBHOOK_SECRET");
        assertThat(fetches).hasValue(0);
        assertThat(meters.get("tributary.webhook.deliveries").tags("provider", "github", "outcome", "disabled")
                .counter().count()).isEqualTo(1);
    }

    @Test
    void beforeTheFollowedBranchIsKnownAnySignedPushFetches() throws Exception {
        WebhookSecret secret = WebhookSecret.of("s3cret", "test");
        start(Optional.of(secret), Optional.empty());
        String body = "{\"ref\": \"refs/heads/whatever\"}";
        HttpResponse<String> response = post("gitea", "X-Gitea-Event", "push", body,
                "X-Gitea-Signature", Signatures.sign(secret.bytes(), body.getBytes(StandardCharsets.UTF_8))
                        .substring("sha256=".length()));
        assertThat(response.statusCode()).isEqualTo(202);
        assertThat(fetches).hasValue(1);
    }

    @Test
    void aSignedPushThatIsNotJsonIsABadRequest() throws Exception {
        WebhookSecret secret = WebhookSecret.of("s3cret", "test");
        start(Optional.of(secret), Optional.of("main"));
        String body = "ref=refs/heads/main";
        HttpResponse<String> response = post("generic", "X-Tributary-Event", "push", body,
                "X-Tributary-Signature", Signatures.sign(secret.bytes(), body.getBytes(StandardCharsets.UTF_8)));
        assertThat(response.statusCode()).isEqualTo(400);
        assertThat(response.body()).contains("not JSON");
        assertThat(fetches).hasValue(0);
    }

    private void start(Optional<WebhookSecret> secret, Optional<String> watched) {
        WebhookHandler handler = new WebhookHandler(secret, () -> watched, fetches::incrementAndGet, meters);
        app = Javalin.create(config -> {
            config.startup.showJavalinBanner = false;
            config.jetty.port = 0;
            config.routes.post("/api/v1/webhooks/{provider}", handler::handle);
        }).start();
    }

    private HttpResponse<String> post(String provider, String... headersThenBody) throws IOException,
            InterruptedException {
        HttpRequest.Builder request = HttpRequest.newBuilder(
                URI.create("http://localhost:" + app.port() + "/api/v1/webhooks/" + provider));
        request.header(headersThenBody[0], headersThenBody[1]);
        for (int i = 3; i + 1 < headersThenBody.length; i += 2) {
            request.header(headersThenBody[i], headersThenBody[i + 1]);
        }
        request.POST(HttpRequest.BodyPublishers.ofString(headersThenBody[2]));
        return HTTP.send(request.build(), HttpResponse.BodyHandlers.ofString());
    }
}
