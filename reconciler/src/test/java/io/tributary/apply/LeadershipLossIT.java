package io.tributary.apply;

import static org.assertj.core.api.Assertions.assertThat;

import io.tributary.flink.JobId;
import io.tributary.flink.JobSubmission;
import io.tributary.flink.TestingFlinkTarget;
import io.tributary.model.JobState;
import io.tributary.plan.Action;
import io.tributary.store.AppStatus;
import io.tributary.store.Database;
import io.tributary.store.LeaderLock;
import io.tributary.store.Operation;
import io.tributary.store.SavepointRecord;
import io.tributary.store.Store;
import io.tributary.store.TestDatabase;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicLong;
import java.util.function.BooleanSupplier;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * Two replicas on one real PostgreSQL, each with its leader lock, and one Flink (the in-memory one,
 * which counts the savepoints asked of it). The leader loses the lock in the middle of an operation:
 * it stops before its next call to Flink and leaves the operation open; the new leader's recovery goes
 * on from what was recorded, so Flink is asked for exactly one savepoint.
 */
class LeadershipLossIT {
    private static final String APP = "payments/orders";
    private static final AtomicLong KEYS = new AtomicLong(0x6c6f73734cL);

    private final Clock clock = Clock.systemUTC();
    private final TestingFlinkTarget flink = new TestingFlinkTarget(clock);
    private Database dbA;
    private Database dbB;
    private Store storeA;
    private Store storeB;
    private LeaderLock lockA;
    private LeaderLock lockB;
    private Operations replicaA;
    private Operations replicaB;
    private JobId job;

    @BeforeEach
    void setUp() {
        dbA = TestDatabase.fresh();
        dbB = Database.connect(dbA.jdbcUrl(), "postgres", null);
        storeA = new Store(dbA, clock);
        storeB = new Store(dbB, clock);
        long key = KEYS.incrementAndGet();
        lockA = new LeaderLock(dbA, key);
        lockB = new LeaderLock(dbB, key);
        assertThat(lockA.tryAcquire()).isTrue();
        assertThat(lockB.tryAcquire()).isFalse();
        replicaA = new Operations(storeA, null, clock, Duration.ofSeconds(30), Duration.ofMillis(20));
        replicaB = new Operations(storeB, null, clock, Duration.ofSeconds(30), Duration.ofMillis(20));
        replicaB.actOnlyWhile(lockB::isHeld);
        job = JobId.random();
        flink.submit(new JobSubmission(job, Path.of("job.jar"), "com.example.Job", List.of(), 1, null, false, Map.of()));
        storeA.saveStatus(new AppStatus(APP, 0, job.hex(), "hash-1", "main@sha1:1", "local", "standalone-session",
                JobState.RUNNING.name(), "Healthy", "Synced", "job RUNNING", clock.instant()));
    }

    @AfterEach
    void tearDown() {
        lockA.close();
        lockB.close();
        dbB.close();
    }

    @Test
    void aLeaderThatLosesTheLockWhileItsSavepointRunsStopsAndTheNewLeaderWaitsForThatSameSavepoint() throws Exception {
        replicaA.actOnlyWhile(lockA::isHeld);
        flink.holdSavepoints(true);
        CompletableFuture<String> a = CompletableFuture.supplyAsync(
                () -> replicaA.run(new Action.Suspend(APP, job.hex(), false, "desired state is suspended"), ctx()));
        await("replica A recorded the savepoint's trigger",
                () -> storeB.openOperations().stream().anyMatch(o -> o.triggerId() != null));

        lockA.close(); // A's session is gone: the lock is released, and B takes it
        assertThat(lockB.tryAcquire()).isTrue();
        assertThat(a.get(30, TimeUnit.SECONDS)).as("A stops and leaves the operation open").isEqualTo(Operation.OPEN);
        Operation open = storeB.openOperations().get(0);
        assertThat(open.kind()).isEqualTo("suspend");

        CompletableFuture<Void> b = CompletableFuture.runAsync(() -> replicaB.recover(open, ctx()));
        flink.completeHeldSavepoints();
        b.get(30, TimeUnit.SECONDS);

        assertThat(flink.savepointTriggers()).as("one savepoint asked of Flink, by A; B waited for it").isEqualTo(1);
        assertThat(flink.savepointsTaken()).hasSize(1);
        assertThat(storeB.savepoints(APP)).extracting(SavepointRecord::path).containsExactlyElementsOf(flink.savepointsTaken());
        assertThat(storeB.operations(APP, 5)).singleElement().satisfies(op -> {
            assertThat(op.id()).isEqualTo(open.id());
            assertThat(op.status()).isEqualTo(Operation.DONE);
        });
        assertThat(storeB.status(APP).orElseThrow().health()).isEqualTo("Suspended");
        assertThat(flink.fake(job).orElseThrow().state()).isEqualTo(JobState.FINISHED);
    }

    @Test
    void aLeaderThatLosesTheLockJustBeforeCallingFlinkDoesNotCallIt() {
        AtomicBoolean lost = new AtomicBoolean();
        // the lock is lost right after the operation recorded its step, before the stop-with-savepoint call
        BooleanSupplier losesTheLockOnFirstAsk = () -> {
            if (lost.compareAndSet(false, true)) {
                lockA.close();
                assertThat(lockB.tryAcquire()).isTrue();
            }
            return lockA.isHeld();
        };
        replicaA.actOnlyWhile(losesTheLockOnFirstAsk);

        String status = replicaA.run(new Action.Suspend(APP, job.hex(), false, "desired state is suspended"), ctx());

        assertThat(status).isEqualTo(Operation.OPEN);
        assertThat(flink.savepointTriggers()).as("A asked Flink for nothing").isZero();
        assertThat(flink.fake(job).orElseThrow().state()).isEqualTo(JobState.RUNNING);
        Operation open = storeB.openOperations().get(0);
        assertThat(open.step()).isEqualTo(Operations.STOPPING);

        // the new leader finds no savepoint for it and plans again; its own stop is the only one
        replicaB.recover(open, ctx());
        assertThat(storeB.openOperations()).isEmpty();
        assertThat(replicaB.run(new Action.Suspend(APP, job.hex(), false, "desired state is suspended"), ctx()))
                .isEqualTo(Operation.DONE);
        assertThat(flink.savepointTriggers()).isEqualTo(1);
        assertThat(storeB.savepoints(APP)).hasSize(1);
    }

    private Operations.Context ctx() {
        return new Operations.Context(null, Optional.empty(), "main@sha1:1", "hash-1", "local", flink, "tributary",
                Optional.empty());
    }

    private static void await(String what, BooleanSupplier condition) throws InterruptedException {
        long deadline = System.nanoTime() + Duration.ofSeconds(30).toNanos();
        while (!condition.getAsBoolean()) {
            assertThat(System.nanoTime()).as(what).isLessThan(deadline);
            Thread.sleep(20);
        }
    }
}
