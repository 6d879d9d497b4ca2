package io.tributary.alert;

import static org.assertj.core.api.Assertions.assertThat;

import io.tributary.config.ConfigLoader;
import io.tributary.config.TestRepos;
import io.tributary.model.DesiredState;
import io.tributary.store.AlertStore;
import io.tributary.store.AppEvent;
import io.tributary.store.Database;
import io.tributary.store.Store;
import io.tributary.store.TestDatabase;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Duration;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.atomic.AtomicReference;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The Settings' {@code alerts} block takes effect with the revision that changes it: the same four
 * notices at once are one digest under the default threshold (3), and four messages once a new
 * revision raises {@code digestThreshold} to 10; the dispatcher is not restarted in between.
 */
class AlertSettingsIT {
    private static final String APP = "payments/orders";
    private static final List<String> EVENTS = List.of("job-failed", "upgrade-failed", "restarts-exceeded",
            "checkpoint-failures");

    @TempDir
    Path temp;

    private Receivers receivers;
    private AlertDispatcher dispatcher;

    @AfterEach
    void tearDown() {
        if (dispatcher != null) {
            dispatcher.close();
        }
        if (receivers != null) {
            receivers.close();
        }
    }

    @Test
    void aRaisedDigestThresholdInANewRevisionSendsNoticesOneByOne() throws IOException {
        receivers = new Receivers("/webhook");
        Database db = TestDatabase.fresh();
        Store store = new Store(db, Clock.systemUTC());
        AtomicReference<DesiredState> revision = new AtomicReference<>(load("first", ""));
        // the service's options: the digest threshold of 3 is the default one; the wait is short for the test
        dispatcher = new AlertDispatcher(new AlertStore(db, Clock.systemUTC()), () -> Optional.of(revision.get()),
                name -> null, Clock.systemUTC(), new AlertDispatcher.Options(Duration.ofMillis(300),
                        Duration.ofHours(1), 3, Duration.ofMillis(50), 3, null));
        store.onEvent(dispatcher::accept);
        dispatcher.start();

        EVENTS.forEach(e -> store.event(new AppEvent(0, null, APP, e, "error", e + " happened", "main@sha1:1")));
        assertThat(receivers.await("/webhook", 1).get(0).json().path("digest").asBoolean()).isTrue();
        Receivers.sleep(600);
        assertThat(receivers.at("/webhook")).as("one digest of four").hasSize(1);

        revision.set(load("second", "  alerts: {digestThreshold: 10}\n"));
        EVENTS.forEach(e -> store.event(new AppEvent(0, null, APP, e + "-resolved", "info", e + " cleared",
                "main@sha1:2")));
        List<Receivers.Request> all = receivers.await("/webhook", 5);
        Receivers.sleep(600);
        assertThat(receivers.at("/webhook")).as("the digest, then four resolved notices one by one").hasSize(5);
        assertThat(all.subList(1, 5)).allSatisfy(r -> {
            assertThat(r.json().path("digest").asBoolean()).isFalse();
            assertThat(r.json().path("status").asString()).isEqualTo("resolved");
        });
    }

    private DesiredState load(String name, String alertsBlock) throws IOException {
        Path repo = temp.resolve(name);
        TestRepos.copyTree(TestRepos.BASE, repo);
        Files.writeString(repo.resolve("platform/settings.yaml"), """
                apiVersion: tributary.io/v1
                kind: Settings
                metadata: {name: platform}
                spec:
                  dashboardUrl: https://tributary.example.com
                """ + alertsBlock);
        Files.writeString(repo.resolve("teams/payments/alerts.yaml"), """
                apiVersion: tributary.io/v1
                kind: AlertChannel
                metadata: {name: hook, team: payments}
                spec:
                  type: webhook
                  webhook: {url: %s}
                ---
                apiVersion: tributary.io/v1
                kind: AlertPolicy
                metadata: {name: payments-default, team: payments}
                spec:
                  channels: [hook]
                  rules:
                    - event: job-failed
                    - event: upgrade-failed
                    - event: restarts-exceeded
                    - event: checkpoint-failures
                      count: 3
                      within: 10m
                """.formatted(receivers.url("/webhook")));
        ConfigLoader.Result result = new ConfigLoader().load(repo);
        assertThat(result.errors()).isEmpty();
        return result.state();
    }
}
