package io.tributary.store;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.NoSuchElementException;
import java.util.Set;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/** Every store call against a real PostgreSQL: what is written is what is read back. */
class StoreIT {
    private static final Instant T0 = Instant.parse("2026-03-01T10:00:00.123456Z");
    private static final String JOB_A = "0123456789abcdef0123456789abcdef";
    private static final String JOB_B = "fedcba9876543210fedcba9876543210";

    private static Database db;
    private MutableClock clock;
    private Store store;

    @BeforeAll
    static void open() {
        db = TestDatabase.fresh();
    }

    @AfterAll
    static void close() {
        db.close();
    }

    @BeforeEach
    void emptyTables() {
        db.jdbi().useHandle(h -> h.execute("""
                TRUNCATE apps, app_statuses, operations, deployments, savepoints, overrides, app_events,
                         audit_events, revisions
                """));
        clock = new MutableClock(T0);
        store = new Store(db, clock);
    }

    // ---- applications

    @Test
    void appIdIsAssignedOnFirstUseAndStableAfter() {
        long orders = store.appId("payments/orders");
        long refunds = store.appId("payments/refunds");

        assertThat(store.appId("payments/orders")).isEqualTo(orders);
        assertThat(refunds).isNotEqualTo(orders);
        assertThat(store.appById(orders)).contains("payments/orders");
        assertThat(store.appById(refunds)).contains("payments/refunds");
        assertThat(store.appById(-1)).isEmpty();
    }

    @Test
    void appIdSurvivesTheAppBeingDeletedAndComingBack() {
        store.saveStatus(status("payments/orders", JOB_A, "RUNNING"));
        long id = store.status("payments/orders").orElseThrow().id();

        store.deleteStatus("payments/orders");
        assertThat(store.status("payments/orders")).isEmpty();
        assertThat(store.statuses()).isEmpty();
        long other = store.appId("payments/other");

        store.saveStatus(status("payments/orders", JOB_B, "RUNNING"));
        assertThat(store.status("payments/orders").orElseThrow().id()).isEqualTo(id);
        assertThat(store.appId("payments/orders")).isEqualTo(id);
        assertThat(other).isNotEqualTo(id);
    }

    @Test
    void appIdsAreNeverReusedAndNotBurntByLookups() {
        long first = store.appId("a/one");
        for (int i = 0; i < 5; i++) {
            store.appId("a/one");
        }
        long second = store.appId("a/two");
        assertThat(second).isEqualTo(first + 1);
    }

    @Test
    void statusRoundTripsAndIsReplacedBySavingAgain() {
        AppStatus saved = new AppStatus("payments/orders", 999, JOB_A, "sha256:spec1", "main@sha1:ab12", "local",
                "standalone-session", "RUNNING", "Healthy", "Synced", "running since 10:00", null);
        store.saveStatus(saved);

        AppStatus read = store.status("payments/orders").orElseThrow();
        assertThat(read).isEqualTo(new AppStatus("payments/orders", store.appId("payments/orders"), JOB_A,
                "sha256:spec1", "main@sha1:ab12", "local", "standalone-session", "RUNNING", "Healthy", "Synced",
                "running since 10:00", T0));

        clock.advance(Duration.ofMinutes(1));
        store.saveStatus(new AppStatus("payments/orders", 0, null, "sha256:spec2", "main@sha1:cd34", "local",
                "standalone-session", null, "Suspended", "OutOfSync", null, null));
        AppStatus replaced = store.status("payments/orders").orElseThrow();
        assertThat(replaced.jobId()).isNull();
        assertThat(replaced.specHash()).isEqualTo("sha256:spec2");
        assertThat(replaced.health()).isEqualTo("Suspended");
        assertThat(replaced.updatedAt()).isEqualTo(T0.plus(Duration.ofMinutes(1)));
        assertThat(replaced.id()).isEqualTo(read.id());
    }

    @Test
    void anObservationOfAJobTheStatusNoLongerNamesIsNotWritten() {
        store.saveStatus(status("payments/orders", JOB_A, "RUNNING"));
        // an operation moved the app off its cluster after a pass had read the row with JOB_A
        store.saveStatus(status("payments/orders", null, null));

        boolean written = store.saveObservedStatus(status("payments/orders", JOB_A, "RUNNING"));

        assertThat(written).isFalse();
        assertThat(store.status("payments/orders").orElseThrow().jobState()).isNull();
        assertThat(store.saveObservedStatus(status("payments/orders", null, "FAILED"))).isTrue();
        assertThat(store.status("payments/orders").orElseThrow().jobState()).isEqualTo("FAILED");
    }

    @Test
    void statusesAreAllAppsByKey() {
        store.saveStatus(status("b/two", JOB_B, "RUNNING"));
        store.saveStatus(status("a/one", JOB_A, "FAILED"));

        assertThat(store.statuses()).extracting(AppStatus::app).containsExactly("a/one", "b/two");
        assertThat(store.statuses()).extracting(AppStatus::jobState).containsExactly("FAILED", "RUNNING");
    }

    @Test
    void givenUpdateTimeIsKeptToTheMicrosecond() {
        Instant at = Instant.parse("2026-01-02T03:04:05.123456789Z");
        store.saveStatus(new AppStatus("a/one", 0, null, null, null, null, null, null, null, null, null, at));

        assertThat(store.status("a/one").orElseThrow().updatedAt()).isEqualTo(Instant.parse("2026-01-02T03:04:05.123456Z"));
    }

    // ---- operations

    @Test
    void beginWritesTheIntentWithIdAndTimes() {
        Operation begun = store.begin(Operation.open("payments/orders", "upgrade", "main@sha1:ab12", "sha256:spec",
                JOB_A, "reconciler"));

        assertThat(begun.id()).isPositive();
        assertThat(begun.status()).isEqualTo(Operation.OPEN);
        assertThat(begun.createdAt()).isEqualTo(T0);
        assertThat(begun.updatedAt()).isEqualTo(T0);
        assertThat(begun).isEqualTo(new Operation(begun.id(), "payments/orders", "upgrade", null, "main@sha1:ab12",
                null, "sha256:spec", JOB_A, null, null, null, null, "open", null, "reconciler", T0, T0));
        assertThat(store.operations("payments/orders", 10)).containsExactly(begun);
    }

    @Test
    void updateWritesWhatTheOperationLearntAndBumpsUpdatedAt() {
        Operation begun = store.begin(Operation.open("payments/orders", "upgrade", "rev", "spec", JOB_A, "ops"));
        clock.advance(Duration.ofSeconds(5));

        Operation updated = store.update(begun.withStep("savepoint-triggered").withTriggerId("trigger-1")
                .withNewJobId(JOB_B).withSavepointPath("file:///sp/1").withRestoreFrom("file:///sp/1"));

        assertThat(updated).isEqualTo(new Operation(begun.id(), "payments/orders", "upgrade", "savepoint-triggered",
                "rev", null, "spec", JOB_A, JOB_B, "trigger-1", "file:///sp/1", "file:///sp/1", "open", null, "ops", T0,
                T0.plusSeconds(5)));

        clock.advance(Duration.ofSeconds(5));
        Operation failed = store.update(updated.withStatus(Operation.FAILED, "savepoint timed out"));
        assertThat(failed.status()).isEqualTo("failed");
        assertThat(failed.error()).isEqualTo("savepoint timed out");
        assertThat(failed.updatedAt()).isEqualTo(T0.plusSeconds(10));
        assertThat(failed.createdAt()).isEqualTo(T0);
    }

    @Test
    void updateDoesNotRewriteWhatTheOperationBeganWith() {
        Operation begun = store.begin(Operation.open("a/one", "deploy", "rev", "spec", null, "ops").withCluster("local"));
        Operation tampered = new Operation(begun.id(), "b/other", "delete", "started", "rev2", "other", "spec2", JOB_B,
                JOB_A, null, null, null, "done", null, "someone", Instant.EPOCH, Instant.EPOCH);

        Operation updated = store.update(tampered);

        assertThat(updated.app()).isEqualTo("a/one");
        assertThat(updated.kind()).isEqualTo("deploy");
        assertThat(updated.revision()).isEqualTo("rev");
        assertThat(updated.cluster()).isEqualTo("local");
        assertThat(updated.oldJobId()).isNull();
        assertThat(updated.actor()).isEqualTo("ops");
        assertThat(updated.createdAt()).isEqualTo(T0);
        assertThat(updated.step()).isEqualTo("started");
        assertThat(updated.newJobId()).isEqualTo(JOB_A);
        assertThat(updated.status()).isEqualTo("done");
    }

    @Test
    void updateOfAnUnknownOperationFails() {
        Operation ghost = new Operation(424242, "a/one", "deploy", null, null, null, null, null, null, null, null, null,
                "done", null, null, T0, T0);
        assertThatThrownBy(() -> store.update(ghost)).isInstanceOf(NoSuchElementException.class)
                .hasMessageContaining("424242");
    }

    @Test
    void statusOutsideTheFourIsRejected() {
        Operation begun = store.begin(Operation.open("a/one", "deploy", null, null, null, null));
        assertThatThrownBy(() -> store.update(begun.withStatus("finished", null)))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("rolled-back");
        assertThatThrownBy(() -> store.begin(Operation.open("a/one", null, null, null, null, null)))
                .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("kind");
    }

    @Test
    void openOperationsSeesOnlyOpenOnesOldestFirst() {
        Operation a = store.begin(Operation.open("a/one", "deploy", null, null, null, null));
        Operation b = store.begin(Operation.open("b/two", "upgrade", null, null, null, null));
        Operation c = store.begin(Operation.open("c/three", "suspend", null, null, null, null));
        Operation d = store.begin(Operation.open("d/four", "savepoint", null, null, null, null));
        store.update(a.withStatus(Operation.DONE, null));
        store.update(c.withStatus(Operation.FAILED, "boom"));
        store.update(d.withStatus(Operation.ROLLED_BACK, null));
        Operation e = store.begin(Operation.open("a/one", "restart", null, null, null, null));

        assertThat(store.openOperations()).extracting(Operation::id).containsExactly(b.id(), e.id());
    }

    @Test
    void operationsAreNewestFirstAndLimited() {
        Operation first = store.begin(Operation.open("a/one", "deploy", null, null, null, null));
        Operation second = store.begin(Operation.open("a/one", "upgrade", null, null, null, null));
        Operation third = store.begin(Operation.open("a/one", "suspend", null, null, null, null));
        store.begin(Operation.open("b/two", "deploy", null, null, null, null));

        assertThat(store.operations("a/one", 10)).extracting(Operation::id)
                .containsExactly(third.id(), second.id(), first.id());
        assertThat(store.operations("a/one", 2)).extracting(Operation::id).containsExactly(third.id(), second.id());
        assertThatThrownBy(() -> store.operations("a/one", 0)).isInstanceOf(IllegalArgumentException.class);
    }

    @Test
    void operationsSinceFiltersByAppKindAndTime() {
        Operation early = store.begin(Operation.open("a/one", "restart", null, null, null, null));
        clock.advance(Duration.ofMinutes(10));
        Operation late = store.begin(Operation.open("a/one", "restart", null, null, null, null));
        Operation other = store.begin(Operation.open("a/one", "savepoint", null, null, null, null));
        store.begin(Operation.open("b/two", "restart", null, null, null, null));

        Instant since = T0.plus(Duration.ofMinutes(5));
        assertThat(store.operationsSince("a/one", "restart", since)).containsExactly(late);
        assertThat(store.operationsSince("a/one", "restart", T0)).extracting(Operation::id)
                .containsExactly(late.id(), early.id());
        assertThat(store.operationsSince("a/one", null, since)).extracting(Operation::id)
                .containsExactly(other.id(), late.id());
        assertThat(store.operationsSince("a/one", "restart", since.plus(Duration.ofHours(1)))).isEmpty();
    }

    // ---- deployments

    @Test
    void deploymentRoundTripsAndEndsOnce() {
        Deployment recorded = store.recordDeployment(new Deployment(0, "a/one", JOB_A, "rev1", "spec1",
                "file:///sp/1", null, null, null, "ab12cd"));
        assertThat(recorded).isEqualTo(new Deployment(recorded.id(), "a/one", JOB_A, "rev1", "spec1", "file:///sp/1",
                T0, null, null, "ab12cd"));
        assertThat(store.deploymentOf(JOB_A)).contains(recorded);

        Instant end = T0.plus(Duration.ofHours(1));
        store.endDeployment(JOB_A, end, "FINISHED");
        store.endDeployment(JOB_A, end.plus(Duration.ofHours(1)), "CANCELED");

        Deployment ended = store.deploymentOf(JOB_A).orElseThrow();
        assertThat(ended.endedAt()).isEqualTo(end);
        assertThat(ended.endState()).isEqualTo("FINISHED");
        assertThat(store.deploymentOf(JOB_B)).isEmpty();
    }

    @Test
    void recordingAJobAgainReturnsTheFirstRecord() {
        Deployment first = store.recordDeployment(new Deployment(0, "a/one", JOB_A, "rev1", null, null, null, null, null,
                null));
        clock.advance(Duration.ofMinutes(1));
        Deployment again = store.recordDeployment(new Deployment(0, "a/one", JOB_A, "rev2", null, null, null, null, null,
                null));

        assertThat(again).isEqualTo(first);
        assertThat(store.deployments("a/one", 10)).hasSize(1);
    }

    @Test
    void deploymentsAreNewestFirst() {
        Deployment first = store.recordDeployment(new Deployment(0, "a/one", JOB_A, null, null, null, null, null, null,
                null));
        clock.advance(Duration.ofMinutes(1));
        Deployment second = store.recordDeployment(new Deployment(0, "a/one", JOB_B, null, null, null, null, null, null,
                null));
        store.recordDeployment(new Deployment(0, "b/two", "11111111111111111111111111111111", null, null, null, null,
                null, null, null));

        assertThat(store.deployments("a/one", 10)).containsExactly(second, first);
        assertThat(store.deployments("a/one", 1)).containsExactly(second);
    }

    // ---- savepoints

    @Test
    void recordSavepointIsIdempotentOnPath() {
        SavepointRecord first = store.recordSavepoint(new SavepointRecord(0, "a/one", JOB_A, "file:///sp/savepoint-1",
                "savepoint", 1234L, null, null, "rev1"));
        assertThat(first).isEqualTo(new SavepointRecord(first.id(), "a/one", JOB_A, "file:///sp/savepoint-1",
                "savepoint", 1234L, T0, null, "rev1"));

        clock.advance(Duration.ofMinutes(1));
        SavepointRecord again = store.recordSavepoint(new SavepointRecord(0, "a/one", JOB_B, "file:///sp/savepoint-1",
                "final", 999L, null, null, "rev2"));

        assertThat(again).isEqualTo(first);
        assertThat(store.savepoints("a/one")).containsExactly(first);
    }

    @Test
    void savepointsAreNewestFirstAndLatestRestorableSkipsDisposed() {
        SavepointRecord old = store.recordSavepoint(savepoint("a/one", "file:///sp/1", "periodic"));
        clock.advance(Duration.ofMinutes(1));
        SavepointRecord checkpoint = store.recordSavepoint(savepoint("a/one", "file:///chk/2", "checkpoint"));
        clock.advance(Duration.ofMinutes(1));
        SavepointRecord newest = store.recordSavepoint(savepoint("a/one", "file:///sp/3", "final"));
        store.recordSavepoint(savepoint("b/two", "file:///sp/b", "manual"));

        assertThat(store.latestRestorable("a/one")).contains(newest);

        Instant disposedAt = T0.plus(Duration.ofHours(1));
        store.markDisposed(newest.id(), disposedAt);
        store.markDisposed(newest.id(), disposedAt.plus(Duration.ofHours(1)));

        assertThat(store.latestRestorable("a/one")).contains(checkpoint);
        List<SavepointRecord> all = store.savepoints("a/one");
        assertThat(all).extracting(SavepointRecord::path).containsExactly("file:///sp/3", "file:///chk/2", "file:///sp/1");
        assertThat(all.get(0).disposedAt()).isEqualTo(disposedAt);
        assertThat(all.get(2)).isEqualTo(old);

        store.markDisposed(checkpoint.id(), null);
        store.markDisposed(old.id(), null);
        assertThat(store.latestRestorable("a/one")).isEmpty();
        assertThat(store.latestRestorable("nobody/here")).isEmpty();
    }

    @Test
    void savepointKindOutsideTheFiveIsRejected() {
        assertThatThrownBy(() -> store.recordSavepoint(savepoint("a/one", "file:///x", "snapshot")))
                .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("kind");
    }

    // ---- overrides

    @Test
    void overrideRoundTripsIsReplacedAndReleased() {
        AppOverride pin = new AppOverride("a/one", "suspended", true, true, false, "alice", "incident 42", null);
        store.saveOverride(pin);
        assertThat(store.override("a/one"))
                .contains(new AppOverride("a/one", "suspended", true, true, false, "alice", "incident 42", T0));

        clock.advance(Duration.ofMinutes(1));
        store.saveOverride(new AppOverride("a/one", null, false, false, true, "bob", "freeze", null));
        assertThat(store.override("a/one")).contains(new AppOverride("a/one", null, false, false, true, "bob", "freeze",
                T0.plus(Duration.ofMinutes(1))));

        store.saveOverride(new AppOverride("b/two", "running", false, false, false, "carol", null, null));
        assertThat(store.overrides()).extracting(AppOverride::app).containsExactly("a/one", "b/two");

        store.releaseOverride("a/one");
        assertThat(store.override("a/one")).isEmpty();
        assertThat(store.overrides()).extracting(AppOverride::app).containsExactly("b/two");
        store.releaseOverride("a/one");
    }

    @Test
    void pinnedStateOutsideRunningAndSuspendedIsRejected() {
        assertThatThrownBy(() -> store.saveOverride(new AppOverride("a/one", "stopped", false, false, false, "alice", null, null)))
                .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("pinnedState");
    }

    // ---- events and audit

    @Test
    void eventsRoundTripNewestFirstPerAppAndOverall() {
        AppEvent first = store.event(new AppEvent(0, null, "a/one", "deployed", "info", "job started", "rev1"));
        assertThat(first).isEqualTo(new AppEvent(first.id(), T0, "a/one", "deployed", "info", "job started", "rev1"));
        AppEvent second = store.event(new AppEvent(0, null, "b/two", "failed", "error", "job failed", "rev1"));
        clock.advance(Duration.ofSeconds(1));
        AppEvent third = store.event(new AppEvent(0, null, "a/one", "savepoint", "warning", "slow", null));

        assertThat(store.events("a/one", 10)).containsExactly(third, first);
        assertThat(store.events("a/one", 1)).containsExactly(third);
        assertThat(store.recentEvents(10)).containsExactly(third, second, first);
        assertThat(store.recentEvents(2)).containsExactly(third, second);
    }

    @Test
    void eventWithAnUnknownSeverityIsRejected() {
        assertThatThrownBy(() -> store.event(new AppEvent(0, null, "a/one", "x", "fatal", null, null)))
                .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("severity");
    }

    @Test
    void auditEventsRoundTripNewestFirst() {
        store.audit(new AuditEvent(0, null, "alice", "stop", "payments/orders", "incident 42", "{\"drain\":false}"));
        clock.advance(Duration.ofSeconds(1));
        store.audit(new AuditEvent(0, null, "bob", "release-override", "payments/orders", null, null));

        List<AuditEvent> audit = store.auditEvents(10);
        assertThat(audit).extracting(AuditEvent::actor).containsExactly("bob", "alice");
        AuditEvent alice = audit.get(1);
        assertThat(alice).isEqualTo(new AuditEvent(alice.id(), T0, "alice", "stop", "payments/orders", "incident 42",
                "{\"drain\":false}"));
        assertThat(store.auditEvents(1)).extracting(AuditEvent::actor).containsExactly("bob");
    }

    @Test
    void theAuditTrailListsWhatTheViewerMayReadByTargetActorAndTime() {
        store.audit(new AuditEvent(0, null, "alice", "stop", "application payments/orders", "incident 42", null));
        clock.advance(Duration.ofSeconds(1));
        store.audit(new AuditEvent(0, null, "bob", "build", "project payments/jobs", null, "build #3"));
        clock.advance(Duration.ofSeconds(1));
        store.audit(new AuditEvent(0, null, "bob", "stop", "application logistics/tracking", null, null));
        clock.advance(Duration.ofSeconds(1));
        store.audit(new AuditEvent(0, null, "carol", "create-token", "token trb_ab12… (ci) of carol", null, null));
        clock.advance(Duration.ofSeconds(1));
        store.audit(new AuditEvent(0, null, "bob", "sync", "config source", null, null));

        // carol holds audit:view in payments only: its apps and projects, and what she did herself
        Store.Page<AuditEvent> carol = store.auditEvents(new Store.AuditFilter("carol", Set.of("payments"), null, null,
                null), 10, 0);
        assertThat(carol.items()).extracting(AuditEvent::target).containsExactly("token trb_ab12… (ci) of carol",
                "project payments/jobs", "application payments/orders");
        assertThat(carol.total()).isEqualTo(3);
        // bob, in no team with audit:view, reads his own entries only
        assertThat(store.auditEvents(new Store.AuditFilter("bob", Set.of(), null, null, null), 10, 0).items())
                .extracting(AuditEvent::action).containsExactly("sync", "stop", "build");
        // a platform admin reads all, filtered by target, actor and time, one page at a time
        Store.AuditFilter everything = new Store.AuditFilter("admin", null, null, null, null);
        assertThat(store.auditEvents(everything, 2, 1)).satisfies(page -> {
            assertThat(page.total()).isEqualTo(5);
            assertThat(page.items()).extracting(AuditEvent::actor).containsExactly("carol", "bob");
        });
        assertThat(store.auditEvents(new Store.AuditFilter("admin", null, "application payments/orders", null, null),
                10, 0).items()).extracting(AuditEvent::actor).containsExactly("alice");
        assertThat(store.auditEvents(new Store.AuditFilter("admin", null, null, "bob", T0.plusSeconds(2)), 10, 0)
                .items()).extracting(AuditEvent::target).containsExactly("config source", "application logistics/tracking");
    }

    @Test
    void cachedReadsGoStaleOnRecordWritesButNotOnAuditAppends() {
        long before = store.changes();
        store.audit(new AuditEvent(0, null, "alice", "sync", "config source", null, null));
        assertThat(store.changes()).as("an audit append: nothing caches the trail").isEqualTo(before);

        store.saveStatus(status("payments/orders", JOB_A, "RUNNING"));
        assertThat(store.changes()).isGreaterThan(before);
        long afterStatus = store.changes();
        store.useTransaction(tx -> tx.event(new AppEvent(0, null, "payments/orders", "deployed", "info", "up", null)));
        assertThat(store.changes()).isGreaterThan(afterStatus);
    }

    // ---- revisions

    @Test
    void revisionsRoundTripAndTheLastAppliedIsKnown() {
        assertThat(store.lastApplied()).isEmpty();
        store.recordRevision(new RevisionRecord("main@sha1:aaaa", "aaaa", null, true, null, null));
        clock.advance(Duration.ofMinutes(1));
        store.recordRevision(new RevisionRecord("main@sha1:bbbb", "bbbb", null, false,
                "teams/a/apps.yaml:3:5: bad\nteams/a/apps.yaml:9:1: worse", null));

        assertThat(store.revisions(10)).containsExactly(
                new RevisionRecord("main@sha1:bbbb", "bbbb", T0.plus(Duration.ofMinutes(1)), false,
                        "teams/a/apps.yaml:3:5: bad\nteams/a/apps.yaml:9:1: worse", null),
                new RevisionRecord("main@sha1:aaaa", "aaaa", T0, true, null, null));
        assertThat(store.revisions(1)).extracting(RevisionRecord::name).containsExactly("main@sha1:bbbb");

        store.recordRevision(new RevisionRecord("main@sha1:aaaa", "aaaa", T0, true, null, T0.plus(Duration.ofMinutes(2))));
        assertThat(store.lastApplied()).contains(new RevisionRecord("main@sha1:aaaa", "aaaa", T0, true, null,
                T0.plus(Duration.ofMinutes(2))));
    }

    @Test
    void fetchingAnAppliedRevisionAgainKeepsWhenItWasApplied() {
        store.recordRevision(new RevisionRecord("main@sha1:aaaa", "aaaa", null, true, null, T0));
        clock.advance(Duration.ofMinutes(5));

        store.recordRevision(new RevisionRecord("main@sha1:aaaa", "aaaa", null, true, null, null));

        RevisionRecord read = store.revisions(1).get(0);
        assertThat(read.fetchedAt()).isEqualTo(T0.plus(Duration.ofMinutes(5)));
        assertThat(read.appliedAt()).isEqualTo(T0);
        assertThat(store.lastApplied()).contains(read);
    }

    // ---- transactions

    @Test
    void inTransactionCommitsAllOrNothing() {
        Operation op = store.begin(Operation.open("a/one", "deploy", "rev", "spec", null, "reconciler"));

        Deployment deployment = store.inTransaction(tx -> {
            tx.update(op.withNewJobId(JOB_A).withStatus(Operation.DONE, null));
            return tx.recordDeployment(new Deployment(0, "a/one", JOB_A, "rev", "spec", null, null, null, null, null));
        });
        assertThat(store.deploymentOf(JOB_A)).contains(deployment);
        assertThat(store.openOperations()).isEmpty();

        Operation op2 = store.begin(Operation.open("a/one", "upgrade", "rev2", "spec2", JOB_A, "reconciler"));
        assertThatThrownBy(() -> store.useTransaction(tx -> {
            tx.update(op2.withNewJobId(JOB_B).withStatus(Operation.DONE, null));
            tx.recordDeployment(new Deployment(0, "a/one", JOB_B, "rev2", "spec2", null, null, null, null, null));
            tx.endDeployment(JOB_A, null, "FINISHED");
            throw new IllegalStateException("crash before commit");
        })).hasMessage("crash before commit");

        assertThat(store.openOperations()).extracting(Operation::id).containsExactly(op2.id());
        assertThat(store.deploymentOf(JOB_B)).isEmpty();
        assertThat(store.deploymentOf(JOB_A).orElseThrow().endedAt()).isNull();
    }

    @Test
    void nestedTransactionsJoinTheOuterOne() {
        assertThatThrownBy(() -> store.useTransaction(tx -> {
            tx.useTransaction(inner -> inner.saveStatus(status("a/one", JOB_A, "RUNNING")));
            throw new IllegalStateException("outer fails");
        })).hasMessage("outer fails");

        assertThat(store.status("a/one")).isEmpty();
    }

    private static AppStatus status(String app, String jobId, String jobState) {
        return new AppStatus(app, 0, jobId, "spec", "rev", "local", "standalone-session", jobState, "Healthy",
                "Synced", null, null);
    }

    private static SavepointRecord savepoint(String app, String path, String kind) {
        return new SavepointRecord(0, app, JOB_A, path, kind, null, null, null, "rev");
    }
}
