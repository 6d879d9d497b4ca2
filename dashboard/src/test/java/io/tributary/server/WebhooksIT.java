package io.tributary.server;

import static org.assertj.core.api.Assertions.assertThat;

import ch.qos.logback.classic.Level;
import ch.qos.logback.classic.Logger;
import ch.qos.logback.classic.spi.ILoggingEvent;
import ch.qos.logback.core.read.ListAppender;
import io.tributary.server.webhooks.WebhookHandler;
import io.tributary.server.webhooks.WebhookSecret;
import io.tributary.source.Credentials;
import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.security.GeneralSecurityException;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.HexFormat;
import java.util.List;
import java.util.Map;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import javax.crypto.Mac;
import javax.crypto.spec.SecretKeySpec;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.MethodOrderer;
import org.junit.jupiter.api.Order;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;
import org.junit.jupiter.api.TestMethodOrder;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;
import org.slf4j.LoggerFactory;
import tools.jackson.databind.JsonNode;

/**
 * Webhooks and {@code /metrics} of a real running service: a Git repository, the embedded PostgreSQL,
 * a poll interval of an hour (so only a webhook makes it fetch), and deliveries signed as each
 * provider signs them, without any login (the signature is the authentication; {@code /metrics} is open
 * too). The config needs no Flink cluster.
 */
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
@TestMethodOrder(MethodOrderer.OrderAnnotation.class)
class WebhooksIT {
    private static final String SECRET = "correct horse battery staple";
    private static final Duration STEP = Duration.ofSeconds(30);

    @TempDir
    static Path temp;
    private ConfigRepo repo;
    private Service service;
    private ServiceApi api;
    private final ListAppender<ILoggingEvent> log = new ListAppender<>();
    private int edits;

    @BeforeAll
    void start() throws Exception {
        log.start();
        ((Logger) LoggerFactory.getLogger(WebhookHandler.class)).addAppender(log);
        repo = ConfigRepo.withoutFlink(temp.resolve("config"));
        // no branch: the remote's default, which webhooks learn from the first fetch
        service = Service.start(new ServiceConfig(repo.dir().toString(), null, null, new Credentials.None(),
                temp.resolve("data"), null, null, null, 0, Duration.ofHours(1), 2,
                Path.of(System.getProperty("user.home"), ".m2", "repository"), ServiceApi.ADMIN_PASSWORD,
                WebhookSecret.of(SECRET, "test")));
        api = new ServiceApi(service.port());
        Await.until("the first revision is applied", STEP, () -> api.sync().path("appliedRevision").isString());
    }

    @AfterAll
    void stop() {
        ((Logger) LoggerFactory.getLogger(WebhookHandler.class)).detachAppender(log);
        if (service != null) {
            service.close();
        }
        repo.close();
    }

    @ParameterizedTest
    @ValueSource(strings = {"github", "gitlab", "gitea", "bitbucket", "generic"})
    @Order(1)
    void aSignedPushToTheFollowedBranchIsFetchedAtOnce(String provider) throws Exception {
        String commit = commitAChange();
        HttpResponse<String> response = deliver(provider, push(provider, "main"), SECRET);
        assertThat(response.statusCode()).as(response.body()).isEqualTo(202);
        assertThat(ServiceApi.JSON.readTree(response.body()).path("triggered").asBoolean()).isTrue();
        Await.until("the pushed commit is applied", STEP,
                () -> ("main@sha1:" + commit).equals(api.sync().path("appliedRevision").asString(null)));
    }

    @ParameterizedTest
    @ValueSource(strings = {"github", "gitlab", "gitea", "bitbucket", "generic"})
    @Order(2)
    void aPushToAnotherBranchIsAnsweredButNotFetched(String provider) throws Exception {
        JsonNode before = api.sync();
        commitAChange();
        HttpResponse<String> response = deliver(provider, push(provider, "feature/other"), SECRET);
        assertThat(response.statusCode()).as(response.body()).isEqualTo(204);
        // a fetch would follow within milliseconds of a trigger; give it ample time to show if it happened
        Thread.sleep(1_500);
        JsonNode after = api.sync();
        assertThat(after.path("lastAttempt").asString()).isEqualTo(before.path("lastAttempt").asString());
        assertThat(after.path("appliedRevision").asString()).isEqualTo(before.path("appliedRevision").asString());
    }

    @Test
    @Order(3)
    void pingsTagsAndOtherEventsChangeNothing() {
        assertThat(deliver("github", new Delivery(Map.of("X-GitHub-Event", "ping"), payload("github-ping.json")),
                SECRET).statusCode()).isEqualTo(204);
        byte[] tag = "{\"object_kind\": \"tag_push\", \"ref\": \"refs/tags/v1.0\"}".getBytes(StandardCharsets.UTF_8);
        assertThat(deliver("gitlab", new Delivery(Map.of("X-Gitlab-Event", "Tag Push Hook"), tag), SECRET)
                .statusCode()).isEqualTo(204);
        assertThat(deliver("gitea", new Delivery(Map.of("X-Gitea-Event", "issues"), "{}".getBytes(StandardCharsets.UTF_8)),
                SECRET).statusCode()).isEqualTo(204);
        assertThat(deliver("bitbucket", new Delivery(Map.of("X-Event-Key", "diagnostics:ping"), new byte[0]), SECRET)
                .statusCode()).isEqualTo(204);
    }

    @ParameterizedTest
    @ValueSource(strings = {"github", "gitlab", "gitea", "bitbucket", "generic"})
    @Order(4)
    void aWrongOrMissingSignatureIsRefusedAndLogged(String provider) {
        log.list.clear();
        HttpResponse<String> wrong = deliver(provider, push(provider, "main"), "not the secret");
        assertThat(wrong.statusCode()).isEqualTo(401);
        assertThat(wrong.headers().firstValue("Content-Type")).hasValueSatisfying(
                t -> assertThat(t).startsWith("application/problem+json"));
        assertThat(ServiceApi.JSON.readTree(wrong.body()).path("detail").asString()).contains("secret");
        assertThat(ServiceApi.JSON.readTree(wrong.body()).path("instance").asString())
                .as("a problem like the rest of the API's").isEqualTo("/api/v1/webhooks/" + provider);

        Delivery unsigned = push(provider, "main");
        HttpResponse<String> missing = api.postWithoutLogin("/api/v1/webhooks/" + provider, unsigned.headers(),
                unsigned.body());
        assertThat(missing.statusCode()).isEqualTo(401);
        assertThat(ServiceApi.JSON.readTree(missing.body()).path("detail").asString()).startsWith("no X-");

        assertThat(log.list).hasSize(2).allSatisfy(event -> {
            assertThat(event.getLevel()).isEqualTo(Level.WARN);
            assertThat(event.getFormattedMessage()).contains("provider=" + provider).contains("remote=")
                    .contains("reason=").doesNotContain(SECRET).doesNotContain("not the secret");
        });
    }

    @Test
    @Order(5)
    void anUnknownProviderIsNotFoundAndSaysWhichExist() {
        HttpResponse<String> response = deliver("gogs", push("github", "main"), SECRET);
        assertThat(response.statusCode()).isEqualTo(404);
        assertThat(response.body()).contains("github, gitlab, gitea, bitbucket, generic");
    }

    @Test
    @Order(6)
    void metricsShowTheLoopTheAppsTheDeliveriesAndTheRequests() {
        JsonNode yarnApp = api.detail(ConfigRepo.YARN_APP).path("application");
        assertThat(yarnApp.path("status").path("health").asString()).isEqualTo("Degraded");
        assertThat(yarnApp.path("status").path("message").asString())
                .contains("spec.deployment.yarn.hadoopConfDir /etc/hadoop/conf").contains("HADOOP_CONF_DIR");
        HttpResponse<String> response = api.getWithoutLogin("/metrics");
        assertThat(response.statusCode()).isEqualTo(200);
        assertThat(response.headers().firstValue("Content-Type")).hasValueSatisfying(
                t -> assertThat(t).startsWith("text/plain; version=0.0.4"));
        List<Sample> samples = Sample.parse(response.body());
        assertThat(samples).isNotEmpty().allSatisfy(s -> assertThat(s.name()).startsWith("tributary_"));

        assertThat(value(samples, "tributary_reconcile_pass_seconds_count", Map.of())).isGreaterThanOrEqualTo(6);
        assertThat(value(samples, "tributary_reconcile_pass_seconds_sum", Map.of())).isPositive();
        assertThat(value(samples, "tributary_apps_by_health", Map.of("health", "Unknown"))).isZero();
        assertThat(value(samples, "tributary_apps_by_health", Map.of("health", "Degraded")))
                .as("the YARN app, which has no Hadoop configuration here").isEqualTo(1);
        assertThat(value(samples, "tributary_apps_by_sync", Map.of("sync", "OutOfSync"))).isEqualTo(1);
        assertThat(value(samples, "tributary_apps_by_sync", Map.of("sync", "Synced"))).isZero();
        assertThat(value(samples, "tributary_source_condition", Map.of("condition", "Ready"))).isEqualTo(1);
        assertThat(value(samples, "tributary_leader", Map.of())).isEqualTo(1);
        assertThat(value(samples, "tributary_source_last_fetch_timestamp_seconds", Map.of()))
                .isGreaterThan(1.7e9);

        for (String provider : List.of("github", "gitlab", "gitea", "bitbucket", "generic")) {
            assertThat(value(samples, "tributary_webhook_deliveries_total",
                    Map.of("provider", provider, "outcome", "accepted"))).isEqualTo(1);
            assertThat(value(samples, "tributary_webhook_deliveries_total",
                    Map.of("provider", provider, "outcome", "unauthorized"))).isEqualTo(2);
        }
        assertThat(value(samples, "tributary_webhook_deliveries_total",
                Map.of("provider", "github", "outcome", "ignored"))).isEqualTo(2);
        assertThat(value(samples, "tributary_webhook_deliveries_total",
                Map.of("provider", "unknown", "outcome", "unknown_provider"))).isEqualTo(1);

        assertThat(value(samples, "tributary_http_server_requests_seconds_count",
                Map.of("route", "/api/v1/webhooks/{provider}", "method", "POST", "status", "202"))).isEqualTo(5);
        assertThat(value(samples, "tributary_http_server_requests_seconds_count",
                Map.of("route", "/api/v1/applications/{team}/{name}", "method", "GET", "status", "200")))
                .isGreaterThanOrEqualTo(1);
        assertThat(samples).as("route templates, never raw paths")
                .noneMatch(s -> s.labels().getOrDefault("route", "").contains("streams/ledger"));
        assertThat(value(samples, "tributary_jvm_memory_used_bytes", Map.of("area", "heap")))
                .as("the JVM's meters carry the prefix too").isGreaterThanOrEqualTo(0);
    }

    // ---- deliveries as each provider sends them

    private record Delivery(Map<String, String> headers, byte[] body) {}

    /** A push of {@code branch} in {@code provider}'s format, with its event header, unsigned. */
    private static Delivery push(String provider, String branch) {
        byte[] body = new String(payload(provider + "-push.json"), StandardCharsets.UTF_8)
                .replace("refs/heads/main", "refs/heads/" + branch)
                .replace("\"displayId\": \"main\"", "\"displayId\": \"" + branch + "\"")
                .getBytes(StandardCharsets.UTF_8);
        Map<String, String> headers = new HashMap<>(Map.of("Content-Type", "application/json"));
        switch (provider) {
            case "github" -> headers.put("X-GitHub-Event", "push");
            case "gitlab" -> headers.put("X-Gitlab-Event", "Push Hook");
            case "gitea" -> headers.put("X-Gitea-Event", "push");
            case "bitbucket" -> headers.put("X-Event-Key", "repo:refs_changed");
            default -> { }
        }
        return new Delivery(headers, body);
    }

    /** Sends {@code delivery} signed with {@code secret} the way {@code provider} signs. */
    private HttpResponse<String> deliver(String provider, Delivery delivery, String secret) {
        Map<String, String> headers = new HashMap<>(delivery.headers());
        String hex = hmacSha256Hex(secret, delivery.body());
        switch (provider) {
            case "github" -> headers.put("X-Hub-Signature-256", "sha256=" + hex);
            case "gitlab" -> headers.put("X-Gitlab-Token", secret);
            case "gitea" -> headers.put("X-Gitea-Signature", hex);
            case "bitbucket" -> headers.put("X-Hub-Signature", "sha256=" + hex);
            default -> headers.put("X-Tributary-Signature", "sha256=" + hex);
        }
        return api.postWithoutLogin("/api/v1/webhooks/" + provider, headers, delivery.body());
    }

    private static String hmacSha256Hex(String secret, byte[] body) {
        try {
            Mac mac = Mac.getInstance("HmacSHA256");
            mac.init(new SecretKeySpec(secret.getBytes(StandardCharsets.UTF_8), "HmacSHA256"));
            return HexFormat.of().formatHex(mac.doFinal(body));
        } catch (GeneralSecurityException e) {
            throw new IllegalStateException(e);
        }
    }

    private static byte[] payload(String name) {
        try (InputStream in = WebhooksIT.class.getResourceAsStream("/webhooks/" + name)) {
            return in.readAllBytes();
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    /** A new commit on main that changes the app's SQL; returns its hash. */
    private String commitAChange() throws Exception {
        repo.writeSql("ledger-" + (++edits));
        return repo.commit("edit " + edits);
    }

    // ---- the Prometheus text format, as a scraper reads it

    private record Sample(String name, Map<String, String> labels, double value) {
        private static final Pattern LINE = Pattern.compile("^([a-zA-Z_:][a-zA-Z0-9_:]*)(?:\\{(.*)})? (\\S+)$");
        private static final Pattern LABEL = Pattern.compile("([a-zA-Z_][a-zA-Z0-9_]*)=\"((?:[^\"\\\\]|\\\\.)*)\"");

        static List<Sample> parse(String text) {
            List<Sample> samples = new ArrayList<>();
            for (String line : text.split("\n")) {
                if (line.isBlank() || line.startsWith("#")) {
                    continue;
                }
                Matcher m = LINE.matcher(line);
                assertThat(m.matches()).as("a Prometheus sample line: %s", line).isTrue();
                Map<String, String> labels = new HashMap<>();
                if (m.group(2) != null) {
                    Matcher l = LABEL.matcher(m.group(2));
                    while (l.find()) {
                        labels.put(l.group(1), l.group(2));
                    }
                }
                samples.add(new Sample(m.group(1), labels, Double.parseDouble(m.group(3))));
            }
            return samples;
        }
    }

    private static double value(List<Sample> samples, String name, Map<String, String> labels) {
        return samples.stream()
                .filter(s -> s.name().equals(name) && s.labels().entrySet().containsAll(labels.entrySet()))
                .mapToDouble(Sample::value).findFirst()
                .orElseThrow(() -> new AssertionError("no sample " + name + labels + " in /metrics"));
    }
}
