package io.tributary.apply;

import static org.assertj.core.api.Assertions.assertThat;

import io.tributary.flink.TestingFlinkTarget;
import io.tributary.flink.TestingFlinkTarget.FakeJob;
import io.tributary.store.AppStatus;
import io.tributary.store.Database;
import io.tributary.store.Deployment;
import io.tributary.store.LeaderLock;
import io.tributary.store.Operation;
import io.tributary.store.Store;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Duration;
import java.util.List;
import java.util.Optional;
import java.util.function.BooleanSupplier;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * PostgreSQL stopped and started again under a running reconcile loop (a real server, as the service
 * runs it with {@code --database}; the in-memory Flink): the loop survives the outage, acts on nothing
 * while it cannot write its intent first, reconnects by itself, and then applies what changed
 * meanwhile exactly once; nothing recorded before the restart is lost, and an operation the outage
 * cut in the middle is finished, not repeated.
 */
class DatabaseRestartIT {
    private static final String APP = "payments/orders";
    private static final Duration STEP = Duration.ofSeconds(60);

    @TempDir
    Path temp;

    private Path repo;
    private Path serverDir;
    private Database server;
    private Database client;
    private TestingFlinkTarget flink;
    private ReconcilerFixture fixture;
    private Store store;

    @BeforeEach
    void setUp() {
        serverDir = temp.resolve("postgres");
        server = Database.embedded(serverDir);
        // the service's side: a pool to a server it does not own, as with --database
        client = Database.connect(server.jdbcUrl(), "postgres", null);
        fixture = ReconcilerFixture.in(temp).database(client, new LeaderLock(client, 0x7465737444L))
                .inMemoryFlink(Clock.systemUTC()).savepoints(Duration.ofSeconds(30), Duration.ofMillis(20))
                .started(Duration.ofMillis(500)).build();
        repo = fixture.repo;
        flink = fixture.flink();
        store = fixture.store;
    }

    @AfterEach
    void tearDown() {
        fixture.close();
        client.close();
        if (server != null) {
            server.close();
        }
    }

    @Test
    void whatChangesWhileTheDatabaseIsDownIsAppliedOnceWhenItIsBack() throws Exception {
        await("the app runs", () -> flink.running().size() == 1 && runningInStore());
        String firstJob = store.status(APP).orElseThrow().jobId();
        int submitsBefore = flink.submitCalls();
        List<Deployment> deploymentsBefore = store.deployments(APP, 10);

        server.close(); // PostgreSQL stops: every pooled connection and the leader lock's session die
        server = null;
        setRate("20"); // an upgrade is due, with a savepoint
        Thread.sleep(3_000); // several passes of the loop against a database that is down

        assertThat(flink.submitCalls()).as("jobs submitted while no intent could be written").isEqualTo(submitsBefore);
        assertThat(flink.savepointsTaken()).as("savepoints taken while nothing could be recorded").isEmpty();
        assertThat(flink.running()).extracting(j -> j.submission().jobId().hex()).containsExactly(firstJob);

        server = Database.embedded(serverDir);
        await("the upgrade is applied", () -> flink.running().size() == 1
                && !flink.running().get(0).submission().jobId().hex().equals(firstJob) && runningInStore()
                && store.openOperations().isEmpty());

        assertThat(flink.submitCalls()).as("submits after the database came back").isEqualTo(submitsBefore + 1);
        assertThat(flink.savepointsTaken()).as("savepoints of the upgrade").hasSize(1);
        FakeJob job = flink.running().get(0);
        assertThat(job.submission().restoreFrom()).isEqualTo(flink.savepointsTaken().get(0));
        List<Deployment> deployments = store.deployments(APP, 10);
        assertThat(deployments).as("deployments: the one before the outage is kept, one more after it")
                .hasSize(deploymentsBefore.size() + 1);
        assertThat(deployments).extracting(Deployment::jobId).contains(firstJob, job.submission().jobId().hex());
        assertThat(store.operations(APP, 20)).extracting(Operation::status).doesNotContain("open");

        anUpgradeCutByASecondOutageIsFinishedOnceAfterIt();
    }

    /** The second restart, on the same server: the outage falls in the middle of an upgrade. */
    private void anUpgradeCutByASecondOutageIsFinishedOnceAfterIt() throws Exception {
        String firstJob = store.status(APP).orElseThrow().jobId();
        int submitsBefore = flink.submitCalls();
        int savepointsBefore = flink.savepointsTaken().size();

        flink.holdSavepoints(true); // the upgrade's savepoint stays in progress
        setRate("30");
        // the trigger is recorded: Flink was asked (a replica that cannot confirm its lock asks Flink nothing)
        await("the upgrade waits on its savepoint", () -> store.openOperations().size() == 1
                && store.openOperations().get(0).triggerId() != null);
        server.close();
        server = null;
        flink.completeHeldSavepoints(); // the old job stops with its savepoint while nothing can be recorded
        Thread.sleep(3_000);
        assertThat(flink.running()).as("jobs running while the database is down").isEmpty();
        server = Database.embedded(serverDir);

        await("the upgrade is finished", () -> flink.running().size() == 1
                && !flink.running().get(0).submission().jobId().hex().equals(firstJob) && runningInStore()
                && store.openOperations().isEmpty());
        assertThat(flink.submitCalls()).as("submits of the upgrade").isEqualTo(submitsBefore + 1);
        assertThat(flink.savepointsTaken()).as("savepoints: the upgrade's, none taken again")
                .hasSize(savepointsBefore + 1);
        assertThat(flink.running()).singleElement().satisfies(j ->
                assertThat(j.submission().restoreFrom()).as("the new job restores the upgrade's savepoint")
                        .isEqualTo(flink.savepointsTaken().get(savepointsBefore)));
        assertThat(store.savepoints(APP)).as("savepoints Flink wrote, all recorded")
                .extracting(s -> s.path()).containsAll(flink.savepointsTaken());
    }

    private boolean runningInStore() {
        try {
            Optional<AppStatus> status = store.status(APP);
            return status.isPresent() && "RUNNING".equals(status.get().jobState())
                    && flink.running().stream().anyMatch(j -> j.submission().jobId().hex().equals(status.get().jobId()));
        } catch (RuntimeException e) {
            return false; // the pool may still be reconnecting
        }
    }

    private void setRate(String rate) throws IOException {
        Files.writeString(repo.resolve("teams/payments/variables.yaml"), """
                apiVersion: tributary.io/v1
                kind: Variable
                metadata: {name: orders_rate, team: payments}
                spec: {value: "%s"}
                """.formatted(rate));
    }

    private static void await(String what, BooleanSupplier condition) throws InterruptedException {
        ReconcilerFixture.await(what, STEP, condition);
    }
}
