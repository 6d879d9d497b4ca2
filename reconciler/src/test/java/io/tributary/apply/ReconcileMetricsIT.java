package io.tributary.apply;

import static org.assertj.core.api.Assertions.assertThat;

import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import io.tributary.store.MutableClock;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** What the loop records into the registry it is given: passes, actions by type and result, failed fetches. */
class ReconcileMetricsIT {
    @TempDir
    Path temp;

    private Path repo;
    private final SimpleMeterRegistry meters = new SimpleMeterRegistry();
    private ReconcilerFixture fixture;
    private Reconciler reconciler;

    @BeforeEach
    void setUp() throws IOException {
        fixture = ReconcilerFixture.in(temp).inMemoryFlink(new MutableClock(Instant.parse("2026-11-26T10:00:00Z")))
                .savepoints(Duration.ofSeconds(2), Duration.ofMillis(5)).meters(meters).build();
        repo = fixture.repo;
        reconciler = fixture.reconciler;
    }

    @AfterEach
    void tearDown() {
        fixture.close();
    }

    @Test
    void passesAndActionsAreCountedByTypeAndResult() throws IOException {
        sync();
        assertThat(actions("deploy", "done")).isEqualTo(1);
        assertThat(meters.get("tributary.action.duration").tags("type", "deploy", "result", "done").timer().count())
                .isEqualTo(1);

        Files.writeString(repo.resolve("teams/payments/variables.yaml"), """
                apiVersion: tributary.io/v1
                kind: Variable
                metadata: {name: orders_rate, team: payments}
                spec: {value: "20"}
                """);
        sync();
        assertThat(actions("upgrade", "done")).isEqualTo(1);
        assertThat(meters.get("tributary.reconcile.pass").timer().count()).isGreaterThanOrEqualTo(8);
        assertThat(meters.find("tributary.git.fetch.failures").counters()).isEmpty();
    }

    @Test
    void aFetchThatFailsIsCountedByReason() throws IOException {
        sync();
        Files.move(repo, temp.resolve("gone"));
        reconciler.triggerSync();
        reconciler.reconcileOnce();
        assertThat(meters.find("tributary.git.fetch.failures").counters())
                .singleElement().satisfies(c -> {
                    assertThat(c.getId().getTag("reason")).isEqualTo("unreachable");
                    assertThat(c.count()).isEqualTo(1);
                });
    }

    private double actions(String type, String result) {
        Counter counter = meters.find("tributary.actions").tags("type", type, "result", result).counter();
        return counter == null ? 0 : counter.count();
    }

    private void sync() {
        fixture.passes(4);
    }
}
