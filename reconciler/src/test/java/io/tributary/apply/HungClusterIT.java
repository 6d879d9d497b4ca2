package io.tributary.apply;

import static org.assertj.core.api.Assertions.assertThat;

import io.tributary.flink.FlinkRestClient;
import io.tributary.flink.SilentJobManager;
import io.tributary.flink.StandaloneSessionTarget;
import io.tributary.flink.TestingFlinkTarget;
import io.tributary.store.AppStatus;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Duration;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

/**
 * A JobManager that accepts connections and never answers (hung, or stuck in a long GC pause) is
 * what a refused connection is not: the REST client waits its whole timeout (a minute) for it. Over
 * a real store and the in-memory Flink, with such a JobManager on a real socket for one cluster: the
 * passes go on, each waiting for it no longer than {@link Duration.ofSeconds(5)}, so the apps of the
 * other clusters are deployed and watched as usual, and it is asked once, not once per pass. A job
 * on a cluster that hangs is lost while it does, not submitted again, and runs on when it answers.
 */
// a pass that waited for a hung cluster without end would hang the test: it fails instead
@Timeout(value = 3, unit = java.util.concurrent.TimeUnit.MINUTES)
class HungClusterIT {
    @TempDir
    Path temp;

    private ReconcilerFixture fixture;

    @AfterEach
    void tearDown() {
        if (fixture != null) {
            fixture.close();
        }
    }

    @Test
    void aClusterThatNeverAnswersHoldsNoPassLongerThanTheListingWaitAndIsAskedOnce() throws Exception {
        try (SilentJobManager jobManager = new SilentJobManager()) {
            ReconcilerFixture.Builder setup = ReconcilerFixture.in(temp).inMemoryFlink(Clock.systemUTC());
            setup.write("platform/stuck.yaml", """
                    apiVersion: tributary.io/v1
                    kind: Cluster
                    metadata: {name: stuck}
                    spec:
                      mode: standalone
                      managed: false
                      standalone: {address: "%s"}
                    """.formatted(jobManager.url()));
            setup.write("teams/payments/refunds.yaml", """
                    apiVersion: tributary.io/v1
                    kind: Application
                    metadata: {name: refunds, team: payments}
                    spec:
                      deployment: {mode: standalone-session, cluster: stuck}
                      job:
                        type: sql
                        sql: {file: sql/orders.sql}
                    """);
            fixture = setup.build();
            fixture.testingClusters().route("stuck", new StandaloneSessionTarget(FlinkRestClient.of(jobManager.url())));

            long start = System.nanoTime();
            fixture.passes(3);
            Duration took = Duration.ofNanos(System.nanoTime() - start);

            AppStatus orders = status("payments/orders");
            assertThat(orders.jobState()).as("the app on the cluster that answers: %s", orders).isEqualTo("RUNNING");
            // a pass held for the REST client's timeout would take a minute alone
            assertThat(took).as("three passes").isLessThan(Observer.LISTING_WAIT.multipliedBy(3).plusSeconds(20));
            assertThat(jobManager.accepted()).as("connections to the silent JobManager: one listing waits, no other"
                    + " is started beside it").isEqualTo(1);
            AppStatus refunds = status("payments/refunds");
            assertThat(refunds.jobId()).as("nothing submitted to the silent cluster: %s", refunds).isNull();
            assertThat(refunds.message()).contains("stuck");
            assertThat(fixture.flink().submitCalls()).isEqualTo(1);
        }
    }

    @Test
    void aJobOnAClusterThatHangsIsLostWhileItDoesAndRunsOnWithoutASecondSubmit() {
        fixture = ReconcilerFixture.in(temp).inMemoryFlink(Clock.systemUTC()).reconcileEvery(Duration.ofMillis(100))
                .build();
        TestingFlinkTarget flink = fixture.flink();
        awaitState("payments/orders", "RUNNING");
        AppStatus before = status("payments/orders");

        flink.hang(true);
        fixture.passes(2);
        AppStatus hung = status("payments/orders");
        assertThat(hung.jobState()).as("while the cluster hangs: %s", hung).isEqualTo("LOST");

        flink.hang(false);
        awaitState("payments/orders", "RUNNING");
        AppStatus after = status("payments/orders");
        assertThat(after.jobId()).isEqualTo(before.jobId());
        assertThat(flink.submitCalls()).as("submits").isEqualTo(1);
        assertThat(flink.running()).hasSize(1);
    }

    private void awaitState(String app, String state) {
        fixture.reconcileUntil(app + " " + state, Duration.ofSeconds(30),
                () -> fixture.store.status(app).map(s -> state.equals(s.jobState())).orElse(false),
                () -> "status " + fixture.store.status(app));
    }

    private AppStatus status(String app) {
        return fixture.store.status(app).orElseThrow(() -> new AssertionError("no status of " + app));
    }
}
