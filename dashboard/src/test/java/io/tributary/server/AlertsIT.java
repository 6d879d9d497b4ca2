package io.tributary.server;

import static org.assertj.core.api.Assertions.assertThat;

import com.sun.net.httpserver.HttpServer;
import io.tributary.source.Credentials;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;
import org.junit.jupiter.api.io.TempDir;
import tools.jackson.databind.JsonNode;

/**
 * Alerts through the running service, over real HTTP: the cluster of the two-teams repository does
 * not answer, so its apps' policy sends one cluster-down alert to a local webhook; the history and
 * the channels through the API and on the page; the test alert through the API and the page's
 * button, with the permission model (alert:view, alert:test per team); a channel that keeps failing
 * shown as such.
 */
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
class AlertsIT {
    @TempDir
    static Path temp;
    private ConfigRepo repo;
    private Service service;
    private ServiceApi admin;
    private HttpServer receiver;
    private final List<JsonNode> received = new CopyOnWriteArrayList<>();
    private final HttpClient http = HttpClient.newHttpClient();

    @BeforeAll
    void start() throws Exception {
        receiver = HttpServer.create(new InetSocketAddress("127.0.0.1", 0), 0);
        receiver.createContext("/hook", exchange -> {
            received.add(ServiceApi.JSON.readTree(new String(exchange.getRequestBody().readAllBytes(),
                    StandardCharsets.UTF_8)));
            exchange.sendResponseHeaders(200, -1);
            exchange.close();
        });
        receiver.start();
        int closed;
        try (ServerSocket s = new ServerSocket(0)) {
            closed = s.getLocalPort();
        }
        repo = ConfigRepo.empty(temp.resolve("config"));
        repo.copy("repos/two-teams");
        repo.write("teams/payments/alerts.yaml", """
                apiVersion: tributary.io/v1
                kind: AlertChannel
                metadata: {name: hook, team: payments}
                spec:
                  type: webhook
                  webhook: {url: "http://127.0.0.1:%d/hook"}
                ---
                apiVersion: tributary.io/v1
                kind: AlertChannel
                metadata: {name: down, team: payments}
                spec:
                  type: webhook
                  webhook: {url: "http://127.0.0.1:%d/nobody"}
                ---
                apiVersion: tributary.io/v1
                kind: Variable
                metadata: {name: chat_url, team: payments}
                spec:
                  secret: {env: TRIBUTARY_ALERTS_IT_UNSET_CHAT_URL}
                ---
                apiVersion: tributary.io/v1
                kind: AlertChannel
                metadata: {name: chat, team: payments}
                spec:
                  type: slack
                  slack: {webhookUrl: "${chat_url}"}
                ---
                apiVersion: tributary.io/v1
                kind: AlertPolicy
                metadata: {name: payments-default, team: payments}
                spec:
                  channels: [hook]
                  rules:
                    - event: cluster-down
                    - event: job-failed
                """.formatted(receiver.getAddress().getPort(), closed));
        Path apps = repo.dir().resolve("teams/payments/apps.yaml");
        repo.write("teams/payments/apps.yaml", Files.readString(apps).replaceAll("(?m)^  state: (\\w+)$",
                "  state: $1\n  alertPolicies: [payments-default]"));
        repo.commit("two teams with alerts");
        service = Service.start(new ServiceConfig(repo.dir().toString(), "main", null, new Credentials.None(),
                temp.resolve("data"), null, null, null, 0, Duration.ofSeconds(2), 2,
                Path.of(System.getProperty("user.home"), ".m2", "repository"), ServiceApi.ADMIN_PASSWORD));
        admin = new ServiceApi(service.port());
    }

    @AfterAll
    void stop() {
        if (service != null) {
            service.close();
        }
        receiver.stop(0);
        repo.close();
    }

    @Test
    void theUnreachableClusterIsOneAlertInTheHistoryTheApiAndThePage() {
        Await.until("the webhook receives the cluster-down alert", Duration.ofMinutes(2), () -> !received.isEmpty());
        JsonNode alert = received.get(0);
        assertThat(alert.path("event").asString()).isEqualTo("cluster-down");
        assertThat(alert.path("subject").asString()).isEqualTo("cluster:remote");
        assertThat(alert.path("apps").toString()).as("every app on the cluster")
                .isEqualTo("[\"logistics/tracking\",\"payments/orders\",\"payments/payouts\",\"payments/refunds\"]");

        JsonNode list = Http.json(admin.get("/api/v1/alerts"), 200);
        assertThat(list.path("total").asInt()).isEqualTo(1);
        JsonNode item = list.path("items").get(0);
        assertThat(item.path("subject").asString()).isEqualTo("cluster:remote");
        assertThat(item.path("status").asString()).isEqualTo("open");
        Await.until("the delivery is recorded", Duration.ofSeconds(30), () -> Http.json(admin.get("/api/v1/alerts"), 200)
                .path("items").get(0).path("deliveries").size() == 1);
        JsonNode delivery = Http.json(admin.get("/api/v1/alerts"), 200).path("items").get(0).path("deliveries").get(0);
        assertThat(delivery.path("channel").asString()).isEqualTo("payments/hook");
        assertThat(delivery.path("ok").asBoolean()).isTrue();
        assertThat(Http.json(admin.get("/api/v1/alerts?app=payments/orders"), 200).path("total").asInt())
                .as("the cluster's alert is not one of an app").isZero();
        assertThat(admin.get("/api/v1/alerts?app=payments").statusCode()).isEqualTo(400);

        String page = admin.get("/alerts").body();
        assertThat(page).contains("cluster:remote").contains("cluster-down").contains("payments/hook")
                .contains("Send test alert");
    }

    @Test
    void aTestAlertNeedsAlertTestInTheChannelsTeam() throws Exception {
        JsonNode ok = Http.json(admin.post("/api/v1/alert-channels/payments/hook/test", ""), 200);
        assertThat(ok.path("ok").asBoolean()).isTrue();
        Await.until("the test alert arrives", Duration.ofSeconds(30),
                () -> received.stream().anyMatch(r -> "test".equals(r.path("status").asString())));

        assertThat(admin.post("/api/v1/alert-channels/payments/nothing/test", "").statusCode()).isEqualTo(404);
        HttpResponse<String> anonymous = Http.send(HttpRequest.newBuilder(URI.create("http://localhost:"
                + service.port() + "/api/v1/alert-channels/payments/hook/test")).POST(HttpRequest.BodyPublishers.noBody()));
        assertThat(anonymous.statusCode()).isEqualTo(401);

        ServiceApi.Login bob = loginAs("bob"); // operator in payments: no alert:view, no alert:test
        assertThat(as(bob, "POST", "/api/v1/alert-channels/payments/hook/test").statusCode()).isEqualTo(404);
        assertThat(Http.json(as(bob, "GET", "/api/v1/alerts"), 200).path("total").asInt()).isZero();
        ServiceApi.Login carol = loginAs("carol"); // developer in logistics: sees logistics only
        assertThat(as(carol, "POST", "/api/v1/alert-channels/payments/hook/test").statusCode()).isEqualTo(404);
        assertThat(Http.json(as(carol, "GET", "/api/v1/alert-channels"), 200).path("items").size()).isZero();
        ServiceApi.Login alice = loginAs("alice"); // admin of payments
        assertThat(Http.json(as(alice, "POST", "/api/v1/alert-channels/payments/hook/test"), 200).path("ok")
                .asBoolean()).isTrue();
        assertThat(Http.json(as(alice, "GET", "/api/v1/alert-channels"), 200).path("items")
                .findValuesAsString("channel")).containsExactly("payments/chat", "payments/down", "payments/hook");

        // the page's button: a form post with the CSRF token, answered with a redirect and the outcome
        int before = received.size();
        HttpResponse<String> button = Http.send(HttpRequest.newBuilder(URI.create("http://localhost:" + service.port()
                + "/alerts/channels/payments/hook/test")).header("Cookie", alice.cookie())
                .header("Content-Type", "application/x-www-form-urlencoded")
                .POST(Http.form("_csrf", alice.csrfToken())));
        assertThat(button.statusCode()).isEqualTo(303);
        assertThat(received.size()).isEqualTo(before + 1);

        // a channel nobody listens on: after three failed attempts it shows as failing
        for (int i = 0; i < 3; i++) {
            JsonNode failed = Http.json(admin.post("/api/v1/alert-channels/payments/down/test", ""), 200);
            assertThat(failed.path("ok").asBoolean()).isFalse();
            assertThat(failed.path("detail").asString()).contains("cannot be reached");
        }
        JsonNode firstPage = Http.json(admin.get("/api/v1/alert-channels?limit=1"), 200);
        assertThat(firstPage.path("items")).hasSize(1);
        assertThat(firstPage.path("total").asInt()).as("a page, as every list of the API").isEqualTo(3);
        assertThat(admin.get("/api/v1/tokens?limit=0").statusCode()).isEqualTo(400);
        JsonNode channels = Http.json(admin.get("/api/v1/alert-channels"), 200);
        JsonNode down = channels.path("items").get(1);
        assertThat(down.path("channel").asString()).isEqualTo("payments/down");
        assertThat(down.path("failing").asBoolean()).isTrue();
        assertThat(down.path("unusable").isNull()).as("it could send; nobody answers").isTrue();
        assertThat(admin.get("/alerts").body()).contains("Channels that cannot deliver");

        // a channel whose secret cannot be read is unusable at once, not retrying: nothing is sent to it
        JsonNode chat = channels.path("items").get(0);
        assertThat(chat.path("channel").asString()).isEqualTo("payments/chat");
        assertThat(chat.path("failing").asBoolean()).isFalse();
        assertThat(chat.path("unusable").asString()).contains("TRIBUTARY_ALERTS_IT_UNSET_CHAT_URL")
                .contains("spec.slack.webhookUrl");
        assertThat(admin.get("/alerts").body()).contains("payments/chat</strong> (slack) cannot be used as declared");
        assertThat(service.reconciler().store().auditEvents(100)).anyMatch(a -> a.action().equals("test-alert")
                && a.actor().equals("alice"));
    }

    private ServiceApi.Login loginAs(String user) {
        HttpResponse<String> link = admin.post("/api/v1/users/" + user + "/password-link", "");
        assertThat(link.statusCode()).as(link.body()).isEqualTo(201);
        String password = user + "-password-of-the-tests";
        HttpResponse<String> set = Http.send(HttpRequest.newBuilder(URI.create("http://localhost:" + service.port())
                .resolve(ServiceApi.JSON.readTree(link.body()).path("path").asString()))
                .header("Content-Type", "application/json").POST(HttpRequest.BodyPublishers.ofString(
                        ServiceApi.JSON.createObjectNode().put("password", password).toString())));
        assertThat(set.statusCode()).as(set.body()).isEqualTo(200);
        return admin.login(user, password);
    }

    private HttpResponse<String> as(ServiceApi.Login login, String method, String path) {
        return Http.send(HttpRequest.newBuilder(URI.create("http://localhost:" + service.port() + path))
                .header("Cookie", login.cookie()).header("X-CSRF-Token", login.csrfToken())
                .method(method, HttpRequest.BodyPublishers.noBody()));
    }
}
