package io.tributary.alert;

import static org.assertj.core.api.Assertions.assertThat;

import com.icegreen.greenmail.junit5.GreenMailExtension;
import com.icegreen.greenmail.util.GreenMailUtil;
import com.icegreen.greenmail.util.ServerSetupTest;
import io.tributary.config.ConfigLoader;
import io.tributary.config.TestRepos;
import io.tributary.model.DesiredState;
import io.tributary.store.AlertDelivery;
import io.tributary.store.AlertRecord;
import io.tributary.store.AlertStore;
import io.tributary.store.AppEvent;
import io.tributary.store.ChannelHealth;
import io.tributary.store.Database;
import io.tributary.store.Store;
import io.tributary.store.TestDatabase;
import jakarta.mail.internet.MimeMessage;
import java.io.IOException;
import java.net.ServerSocket;
import java.net.URLDecoder;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Duration;
import java.util.Base64;
import java.util.HexFormat;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.stream.Collectors;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.junit.jupiter.api.io.TempDir;
import tools.jackson.databind.JsonNode;

/**
 * Every channel type delivering to a real receiver: email through GreenMail, the generic webhook,
 * Slack, DingTalk, WeCom and Lark through local HTTP servers that check the payload each service
 * documents and the signatures; plus throttling, resolved notices, digests, retries, a channel
 * that keeps failing, and the test alert.
 */
class AlertChannelsIT {
    private static final String APP = "payments/orders";
    private static final String WEBHOOK_SECRET = "webhook-secret-4711";
    private static final String DINGTALK_SECRET = "SECdingtalk0815";
    private static final String LARK_SECRET = "lark-secret-42";

    @RegisterExtension
    static final GreenMailExtension MAIL = new GreenMailExtension(ServerSetupTest.SMTP.dynamicPort());

    @TempDir
    Path temp;

    private Receivers receivers;
    private Store store;
    private AlertStore alerts;
    private AlertDispatcher dispatcher;

    @BeforeEach
    void setUp() throws IOException {
        receivers = new Receivers("/webhook", "/slack", "/dingtalk", "/wecom", "/lark", "/flaky");
        Database db = TestDatabase.fresh();
        store = new Store(db, Clock.systemUTC());
        alerts = new AlertStore(db, Clock.systemUTC());
    }

    @AfterEach
    void tearDown() {
        if (dispatcher != null) {
            dispatcher.close();
        }
        receivers.close();
    }

    private void start(int digestThreshold) throws IOException {
        start(digestThreshold, Duration.ofMillis(50));
    }

    private void start(int digestThreshold, Duration retryBackoff) throws IOException {
        DesiredState desired = load();
        dispatcher = new AlertDispatcher(alerts, () -> Optional.of(desired), name -> null, Clock.systemUTC(),
                new AlertDispatcher.Options(Duration.ofMillis(300), Duration.ofHours(1), 3, retryBackoff,
                        digestThreshold, null));
        store.onEvent(dispatcher::accept);
        dispatcher.start();
    }

    private DesiredState load() throws IOException {
        Path repo = temp.resolve("repo");
        TestRepos.copyTree(TestRepos.BASE, repo);
        Path secrets = Files.createDirectories(temp.resolve("secrets"));
        Files.writeString(secrets.resolve("webhook"), WEBHOOK_SECRET + "\n");
        Files.writeString(secrets.resolve("dingtalk"), DINGTALK_SECRET);
        Files.writeString(secrets.resolve("lark"), LARK_SECRET);
        Files.writeString(secrets.resolve("wecom-key"), "k3y\n");
        Files.writeString(secrets.resolve("garbled-url"), "not a url, a secret");
        int closedPort;
        try (ServerSocket s = new ServerSocket(0)) {
            closedPort = s.getLocalPort();
        }
        Files.writeString(repo.resolve("platform/settings.yaml"), """
                apiVersion: tributary.io/v1
                kind: Settings
                metadata: {name: platform}
                spec:
                  smtp: {host: 127.0.0.1, port: %d, from: flink@example.com}
                  dashboardUrl: https://tributary.example.com/
                """.formatted(MAIL.getSmtp().getPort()));
        Files.writeString(repo.resolve("teams/payments/alerts.yaml"), """
                apiVersion: tributary.io/v1
                kind: AlertChannel
                metadata: {name: oncall, team: payments}
                spec:
                  type: email
                  email: {to: [oncall@example.com], cc: [lead@example.com]}
                ---
                apiVersion: tributary.io/v1
                kind: AlertChannel
                metadata: {name: hook, team: payments}
                spec:
                  type: webhook
                  webhook:
                    url: %s
                    headers: {X-Token: team-token}
                    secret: {file: %s}
                ---
                apiVersion: tributary.io/v1
                kind: AlertChannel
                metadata: {name: slack, team: payments}
                spec:
                  type: slack
                  slack: {webhookUrl: %s}
                ---
                apiVersion: tributary.io/v1
                kind: AlertChannel
                metadata: {name: dingtalk, team: payments}
                spec:
                  type: dingtalk
                  dingtalk: {webhookUrl: "%s?access_token=t0k3n", secret: {file: %s}}
                ---
                apiVersion: tributary.io/v1
                kind: AlertChannel
                metadata: {name: wecom, team: payments}
                spec:
                  type: wecom
                  wecom: {webhookUrl: "%s?key=${wecom_key}"}
                ---
                apiVersion: tributary.io/v1
                kind: Variable
                metadata: {name: wecom_key, team: payments}
                spec: {secret: {file: %s}}
                ---
                apiVersion: tributary.io/v1
                kind: AlertChannel
                metadata: {name: unset, team: payments}
                spec:
                  type: slack
                  slack: {webhookUrl: "${missing_hook}"}
                ---
                apiVersion: tributary.io/v1
                kind: Variable
                metadata: {name: missing_hook, team: payments}
                spec: {secret: {file: %s}}
                ---
                apiVersion: tributary.io/v1
                kind: AlertChannel
                metadata: {name: garbled, team: payments}
                spec:
                  type: webhook
                  webhook: {url: "${garbled_url}"}
                ---
                apiVersion: tributary.io/v1
                kind: Variable
                metadata: {name: garbled_url, team: payments}
                spec: {secret: {file: %s}}
                ---
                apiVersion: tributary.io/v1
                kind: AlertChannel
                metadata: {name: lark, team: payments}
                spec:
                  type: lark
                  lark: {webhookUrl: %s, secret: {file: %s}}
                ---
                apiVersion: tributary.io/v1
                kind: AlertChannel
                metadata: {name: flaky, team: payments}
                spec:
                  type: webhook
                  webhook: {url: %s}
                ---
                apiVersion: tributary.io/v1
                kind: AlertChannel
                metadata: {name: down, team: payments}
                spec:
                  type: webhook
                  webhook: {url: "http://127.0.0.1:%d/nobody-listens"}
                ---
                apiVersion: tributary.io/v1
                kind: AlertPolicy
                metadata: {name: payments-default, team: payments}
                spec:
                  channels: [hook, slack, dingtalk, wecom, lark, flaky, down]
                  rules:
                    - event: job-failed
                    - event: upgrade-failed
                    - event: restarts-exceeded
                    - event: checkpoint-failures
                      count: 3
                      within: 10m
                ---
                apiVersion: tributary.io/v1
                kind: AlertPolicy
                metadata: {name: payments-mail, team: payments}
                spec:
                  channels: [oncall]
                  rules:
                    - event: job-failed
                  template: |
                    [{{severity}}] {{app}} in {{team}}: {{event}} at {{time}} ({{status}}) {{message}} {{dashboardUrl}}
                """.formatted(receivers.url("/webhook"), secrets.resolve("webhook"), receivers.url("/slack"),
                receivers.url("/dingtalk"), secrets.resolve("dingtalk"), receivers.url("/wecom"),
                secrets.resolve("wecom-key"), secrets.resolve("no-such-file"), secrets.resolve("garbled-url"),
                receivers.url("/lark"), secrets.resolve("lark"), receivers.url("/flaky"), closedPort));
        Path apps = repo.resolve("teams/payments/apps.yaml");
        Files.writeString(apps, Files.readString(apps).replace("alertPolicies: [payments-default]",
                "alertPolicies: [payments-default, payments-mail]"));
        ConfigLoader.Result result = new ConfigLoader().load(repo);
        assertThat(result.errors()).as("the test's config repository is valid").isEmpty();
        return result.state();
    }

    private void event(String type, String severity, String message) {
        store.event(new AppEvent(0, null, APP, type, severity, message, "main@sha1:0123456789abcdef"));
    }

    @Test
    void aFailedJobAlertsEveryChannelInItsFormatOnceAndSaysWhenItIsResolved() throws Exception {
        receivers.failFirst("/flaky", 2);
        start(10);

        event("job-failed", "error", "job 42 FAILED: java.lang.ArithmeticException: / by zero");
        event("job-failed", "error", "job 42 FAILED again"); // the same condition: counted, not sent again

        // generic webhook: the alert's fields as JSON, signed with HMAC-SHA256 of the body
        Receivers.Request hook = receivers.await("/webhook", 1).get(0);
        JsonNode json = hook.json();
        assertThat(json.path("event").asString()).isEqualTo("job-failed");
        assertThat(json.path("status").asString()).isEqualTo("firing");
        assertThat(json.path("severity").asString()).isEqualTo("error");
        assertThat(json.path("app").asString()).isEqualTo(APP);
        assertThat(json.path("team").asString()).isEqualTo("payments");
        assertThat(json.path("cluster").asString()).isEqualTo("local");
        assertThat(json.path("message").asString()).contains("/ by zero");
        assertThat(json.path("url").asString()).isEqualTo("https://tributary.example.com/apps/" + APP);
        assertThat(json.path("title").asString()).isEqualTo("job-failed on " + APP);
        assertThat(hook.header("X-Token")).isEqualTo("team-token");
        assertThat(hook.header("X-Tributary-Signature")).isEqualTo("sha256=" + HexFormat.of().formatHex(
                HttpSender.hmac(WEBHOOK_SECRET.getBytes(StandardCharsets.UTF_8), hook.body().getBytes(StandardCharsets.UTF_8))));

        // Slack incoming webhook: {"text": mrkdwn}
        JsonNode slack = receivers.await("/slack", 1).get(0).json();
        assertThat(slack.path("text").asString()).contains("*job-failed*").contains("`" + APP + "`")
                .contains("/ by zero").contains("<https://tributary.example.com/apps/" + APP + "|");

        // DingTalk robot: markdown; timestamp (ms) and sign in the query, sign = Base64(HmacSHA256(secret, ts\nsecret))
        Receivers.Request ding = receivers.await("/dingtalk", 1).get(0);
        Map<String, String> query = query(ding.query());
        assertThat(query).containsEntry("access_token", "t0k3n").containsKeys("timestamp", "sign");
        String expected = Base64.getEncoder().encodeToString(HttpSender.hmac(DINGTALK_SECRET.getBytes(StandardCharsets.UTF_8),
                (query.get("timestamp") + "\n" + DINGTALK_SECRET).getBytes(StandardCharsets.UTF_8)));
        assertThat(query.get("sign")).isEqualTo(expected);
        assertThat(ding.json().path("msgtype").asString()).isEqualTo("markdown");
        assertThat(ding.json().path("markdown").path("title").asString()).isEqualTo("job-failed on " + APP);
        assertThat(ding.json().path("markdown").path("text").asString()).contains("### job-failed on " + APP)
                .contains("/ by zero");

        // WeCom robot: markdown content
        Receivers.Request wecom = receivers.await("/wecom", 1).get(0);
        assertThat(query(wecom.query())).containsEntry("key", "k3y");
        assertThat(wecom.json().path("msgtype").asString()).isEqualTo("markdown");
        assertThat(wecom.json().path("markdown").path("content").asString()).contains("job-failed on " + APP);

        // Lark bot: timestamp (s) and sign in the body, sign = Base64(HmacSHA256 keyed with ts\nsecret over nothing)
        JsonNode lark = receivers.await("/lark", 1).get(0).json();
        String ts = lark.path("timestamp").asString();
        assertThat(lark.path("sign").asString()).isEqualTo(Base64.getEncoder().encodeToString(HttpSender.hmac(
                (ts + "\n" + LARK_SECRET).getBytes(StandardCharsets.UTF_8), new byte[0])));
        assertThat(lark.path("msg_type").asString()).isEqualTo("interactive");
        assertThat(lark.path("card").path("header").path("title").path("content").asString())
                .isEqualTo("job-failed on " + APP);
        JsonNode larkText = lark.path("card").path("elements").get(0).path("text");
        assertThat(larkText.path("tag").asString()).isEqualTo("lark_md");
        assertThat(larkText.path("content").asString()).as("the text, its title in the header only")
                .contains("/ by zero").doesNotContain("###").doesNotContain("job-failed on " + APP);

        // email through SMTP, with the policy's own template
        assertThat(MAIL.waitForIncomingEmail(30_000, 1)).as("a mail arrives").isTrue();
        MimeMessage mail = MAIL.getReceivedMessages()[0];
        assertThat(mail.getHeader("To", ",")).isEqualTo("oncall@example.com");
        assertThat(mail.getHeader("Cc", ",")).isEqualTo("lead@example.com");
        assertThat(mail.getSubject()).isEqualTo("job-failed on " + APP);
        assertThat(mail.getFrom()[0].toString()).isEqualTo("flink@example.com");
        assertThat(GreenMailUtil.getBody(mail)).contains("[error] " + APP + " in payments: job-failed at ")
                .contains("(firing) job 42 FAILED").contains("https://tributary.example.com");

        // the flaky receiver answered 500 twice: three attempts, each stored
        receivers.await("/flaky", 3);
        AlertRecord alert = alerts.open(APP, "job-failed").orElseThrow();
        assertThat(alert.repeats()).as("the second report was counted").isEqualTo(1);
        awaitDeliveries(alert.id(), "payments/flaky", 3);
        assertThat(alerts.deliveries(alert.id()).stream().filter(d -> d.channel().equals("payments/flaky"))
                .sorted(java.util.Comparator.comparingInt(AlertDelivery::attempt)).map(AlertDelivery::ok).toList())
                .containsExactly(false, false, true);

        // the job runs again: one resolved notice per channel, nothing else
        event("job-running", "info", "job 43 RUNNING");
        JsonNode resolved = receivers.await("/webhook", 2).get(1).json();
        assertThat(resolved.path("status").asString()).isEqualTo("resolved");
        assertThat(resolved.path("title").asString()).isEqualTo("Resolved: job-failed on " + APP);
        assertThat(receivers.await("/slack", 2).get(1).json().path("text").asString()).contains("Resolved");
        receivers.await("/dingtalk", 2);
        receivers.await("/wecom", 2);
        receivers.await("/lark", 2);
        awaitMail("(resolved)");
        AlertRecord closed = alerts.alert(alert.id()).orElseThrow();
        assertThat(closed.resolvedAt()).isNotNull();
        assertThat(GreenMailUtil.getBody(mail)).as("{{time}}: when the job failed").contains("job-failed at "
                + closed.openedAt() + " (firing)");
        assertThat(java.util.Arrays.stream(MAIL.getReceivedMessages()).map(GreenMailUtil::getBody)
                .filter(b -> b.contains("(resolved)"))).as("{{time}} of a resolved notice: when it was resolved")
                .isNotEmpty().allSatisfy(b -> assertThat(b).contains("job-failed at " + closed.resolvedAt()));
        for (String path : List.of("/webhook", "/slack", "/dingtalk", "/wecom", "/lark")) {
            assertThat(receivers.at(path)).as(path + ": the firing notice and the resolved one, no repeat").hasSize(2);
        }

        // the channel nobody listens on: every attempt failed, so the dashboard shows it failing
        ChannelHealth down = awaitHealth("payments/down");
        assertThat(down.lastOkAt()).isNull();
        assertThat(down.lastDetail()).contains("cannot be reached").doesNotContain("nobody-listens?");
        assertThat(alerts.channelHealth().stream().filter(h -> h.channel().equals("payments/slack")).findFirst()
                .orElseThrow().failing()).isFalse();
    }

    @Test
    void channelsThatDoNotAnswerHoldUpNoOtherChannel() throws Exception {
        receivers.failFirst("/flaky", 3); // with "down", two channels retrying at once
        start(10, Duration.ofSeconds(5));

        event("job-failed", "error", "job 42 FAILED: java.lang.ArithmeticException: / by zero");
        receivers.await("/webhook", 1);
        long first = alerts.alerts(new Store.Filter(APP, null, null, null), 10, 0).items().get(0).id();
        awaitDeliveries(first, "payments/down", 1); // from now on "down" and "flaky" wait to try again
        event("upgrade-failed", "error", "upgrade failed: savepoint failed");

        for (String path : List.of("/webhook", "/slack", "/dingtalk", "/wecom", "/lark")) {
            assertThat(receivers.await(path, 2)).hasSize(2);
        }
        assertThat(alerts.deliveries(first)).filteredOn(d -> d.channel().endsWith("down"))
                .as("the second alert reached the healthy channels while the dead one still retried the first")
                .hasSizeLessThan(3);
    }

    @Test
    void manyAlertsAtOnceArriveAsOneDigestPerChannel() throws Exception {
        start(3);
        event("job-failed", "error", "job 42 FAILED");
        event("upgrade-failed", "error", "upgrade failed: savepoint failed");
        event("restarts-exceeded", "error", "3 restarts within 10m reached restartPolicy.maxRestarts");
        event("checkpoint-failures", "warning", "3 checkpoint(s) failed within 10m");

        JsonNode digest = receivers.await("/webhook", 1).get(0).json();
        assertThat(digest.path("digest").asBoolean()).isTrue();
        assertThat(digest.path("count").asInt()).isEqualTo(4);
        assertThat(digest.path("title").asString()).isEqualTo("4 alerts");
        assertThat(digest.path("alerts").findValuesAsString("event"))
                .containsExactlyInAnyOrder("job-failed", "upgrade-failed", "restarts-exceeded", "checkpoint-failures");
        assertThat(receivers.await("/slack", 1).get(0).json().path("text").asString()).contains("4 alerts at once");
        // the mail policy routes only job-failed: one ordinary mail
        assertThat(MAIL.waitForIncomingEmail(30_000, 1)).isTrue();
        assertThat(MAIL.getReceivedMessages()[0].getSubject()).isEqualTo("job-failed on " + APP);
        Receivers.sleep(500);
        assertThat(receivers.at("/webhook")).as("one digest, not four messages").hasSize(1);
    }

    @Test
    void aTestAlertGoesOutAtOnceAndSaysWhetherTheChannelWorks() throws Exception {
        start(10);
        AlertDispatcher.TestResult ok = dispatcher.sendTest("payments/slack", "alice");
        assertThat(ok.ok()).isTrue();
        assertThat(ok.detail()).startsWith("HTTP 200");
        assertThat(receivers.await("/slack", 1).get(0).json().path("text").asString())
                .contains("sent by alice").contains("payments/slack works");

        AlertDispatcher.TestResult mail = dispatcher.sendTest("payments/oncall", "alice");
        assertThat(mail.ok()).isTrue();
        assertThat(MAIL.getReceivedMessages()[0].getSubject()).isEqualTo("Test alert from Tributary");

        AlertDispatcher.TestResult down = dispatcher.sendTest("payments/down", "alice");
        assertThat(down.ok()).isFalse();
        assertThat(down.detail()).contains("cannot be reached");

        AlertDispatcher.TestResult unset = dispatcher.sendTest("payments/unset", "alice");
        assertThat(unset.ok()).isFalse();
        assertThat(unset.detail()).contains("AlertChannel \"payments/unset\"", "spec.slack.webhookUrl",
                "secret Variable missing_hook", "no-such-file", "does not exist");

        AlertDispatcher.TestResult garbled = dispatcher.sendTest("payments/garbled", "alice");
        assertThat(garbled.ok()).isFalse();
        assertThat(garbled.detail()).contains("spec.webhook.url \"${garbled_url}\" is not a URL once its secret"
                + " Variables are read").doesNotContain("a secret");
        assertThat(alerts.recentDeliveries(10)).extracting(AlertDelivery::kind).containsOnly("test");
    }

    private void awaitMail(String text) {
        long deadline = System.nanoTime() + Duration.ofSeconds(30).toNanos();
        while (java.util.Arrays.stream(MAIL.getReceivedMessages()).noneMatch(m -> GreenMailUtil.getBody(m).contains(text))) {
            assertThat(System.nanoTime()).as("a mail saying " + text).isLessThan(deadline);
            Receivers.sleep(50);
        }
    }

    private void awaitDeliveries(long alertId, String channel, int count) {
        long deadline = System.nanoTime() + Duration.ofSeconds(30).toNanos();
        while (alerts.deliveries(alertId).stream().filter(d -> d.channel().equals(channel)).count() < count) {
            assertThat(System.nanoTime()).as("deliveries of " + channel).isLessThan(deadline);
            Receivers.sleep(20);
        }
    }

    private ChannelHealth awaitHealth(String channel) {
        long deadline = System.nanoTime() + Duration.ofSeconds(30).toNanos();
        while (true) {
            Optional<ChannelHealth> health = alerts.channelHealth().stream().filter(h -> h.channel().equals(channel))
                    .filter(ChannelHealth::failing).findFirst();
            if (health.isPresent()) {
                return health.get();
            }
            assertThat(System.nanoTime()).as(channel + " shown as failing").isLessThan(deadline);
            Receivers.sleep(50);
        }
    }

    private static Map<String, String> query(String raw) {
        return java.util.Arrays.stream(raw.split("&")).map(p -> p.split("=", 2))
                .collect(Collectors.toMap(p -> p[0], p -> URLDecoder.decode(p[1], StandardCharsets.UTF_8)));
    }
}
