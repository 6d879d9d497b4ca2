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

    @Test
    void aPushToAJobRepositoryFetchesTheProjectsWhoseBranchItMovedAndNotTheConfigRepository() throws Exception {
        WebhookSecret secret = WebhookSecret.of("s3cret", "test");
        java.util.List<String> fetchedProjects = new java.util.concurrent.CopyOnWriteArrayList<>();
        // one project, built from acme/jobs at main, as ProjectBuilds.pushed answers for it
        start(Optional.of(secret), Optional.of("release"), (urls, moved) -> {
            if (urls.contains("https://git.example.com/acme/jobs.git") && moved.test("main")) {
                fetchedProjects.add("payments/jobs");
                return 1;
            }
            return 0;
        });
        String toMain = "{\"ref\": \"refs/heads/main\", \"repository\": \"https://git.example.com/acme/jobs.git\"}";
        HttpResponse<String> built = post("generic", "X-Tributary-Event", "push", toMain, "X-Tributary-Signature",
                Signatures.sign(secret.bytes(), toMain.getBytes(StandardCharsets.UTF_8)));
        assertThat(built.statusCode()).isEqualTo(202);
        assertThat(built.body()).contains("\"projects\":1");
        assertThat(fetchedProjects).containsExactly("payments/jobs");
        assertThat(fetches).as("the config repository follows release: not fetched").hasValue(0);

        String toFeature = toMain.replace("refs/heads/main", "refs/heads/feature");
        HttpResponse<String> ignored = post("generic", "X-Tributary-Event", "push", toFeature, "X-Tributary-Signature",
                Signatures.sign(secret.bytes(), toFeature.getBytes(StandardCharsets.UTF_8)));
        assertThat(ignored.statusCode()).as("a push to another branch of the job repository").isEqualTo(204);
        assertThat(fetchedProjects).hasSize(1);
        assertThat(fetches).hasValue(0);
    }

    private void start(Optional<WebhookSecret> secret, Optional<String> watched) {
        start(secret, watched, (urls, moved) -> 0);
    }

    private void start(Optional<WebhookSecret> secret, Optional<String> watched,
            java.util.function.BiFunction<java.util.List<String>, java.util.function.Predicate<String>, Integer> projects) {
        WebhookHandler handler = new WebhookHandler(secret, () -> watched, fetches::incrementAndGet, projects, meters);
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
