package io.tributary.cli;

import static org.assertj.core.api.Assertions.assertThat;

import io.tributary.cli.LiveApps.LiveApp;
import io.tributary.cli.PlanPreview.Side;
import io.tributary.cli.PlanReport.AppItem;
import io.tributary.cli.PlanReport.Change;
import io.tributary.config.ConfigLoader;
import io.tributary.config.TestRepos;
import io.tributary.model.DesiredState;
import io.tributary.plan.SpecHash;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Instant;
import java.util.List;
import java.util.Optional;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * What only a running service can tell: overrides, operations in progress, failed and suspended
 * jobs. The head is the test base repo ({@code payments/orders}); each test sets what the service
 * reports of that app.
 */
class LiveAppsTest {
    private static final Instant NOW = PlanPreviewTest.NOW;
    private static final String APP = "payments/orders";

    @TempDir
    static Path temp;

    private static Side head;
    private static String headHash;
    private static String otherHash;

    @BeforeAll
    static void load() throws IOException {
        ConfigLoader loader = new ConfigLoader();
        DesiredState state = loader.load(TestRepos.BASE).state();
        head = new Side("head", state);
        headHash = SpecHash.of(state.applications().get(0), state);
        DesiredState sqlChanged = loader.load(TestRepos.baseWith(PlanPreviewTest.CASES.resolve("sql-changed/head"),
                Files.createTempDirectory(temp, "old"))).state();
        otherHash = SpecHash.of(sqlChanged.applications().get(0), sqlChanged);
    }

    private static LiveApp running(String specHash, String jobState, String sync, String message) {
        return new LiveApp(APP, "running", "savepoint", true, "ab12ab12ab12ab12ab12ab12ab12ab12", jobState, "local",
                sync,
                message, "main@sha1:" + "1".repeat(40), specHash, null, false, null, null, null, null);
    }

    private static AppItem only(LiveApp... live) {
        PlanReport report = plan(live);
        assertThat(report.apps()).hasSize(1);
        return report.apps().get(0);
    }

    private static PlanReport plan(LiveApp... live) {
        LiveApps apps = LiveApps.of("http://tributary", List.of(live), Optional.empty());
        return PlanPreview.live("http://tributary", "http://tributary", head, apps.observed(NOW),
                apps.known(app -> Optional.empty()), NOW);
    }

    @Test
    void runningJobWithTheHeadsSpecIsUnchanged() {
        PlanReport report = plan(running(headHash, "RUNNING", "Synced", "job RUNNING"));
        assertThat(report.apps()).isEmpty();
        assertThat(report.unchanged()).isEqualTo(1);
    }

    @Test
    void appTheServiceDoesNotKnowIsCreated() {
        AppItem item = only();
        assertThat(item.change()).isEqualTo(Change.CREATE);
    }

    /** An app the service has in force, declared suspended, that never ran: no job, spec hash or savepoint. */
    private static LiveApp neverRan() {
        return new LiveApp(APP, "suspended", "savepoint", true, null, null, null, "Synced", "suspended",
                null, null, null, false, null, null, null, null);
    }

    @Test
    void anAppTheServiceHasButNeverRanIsStartedNotCreated() {
        AppItem item = only(neverRan());
        assertThat(item.change()).isEqualTo(Change.START);
        assertThat(item.reasons()).contains("state: suspended -> running");
    }

    @Test
    void anAppTheServiceHasButNeverRanIsUnchangedWhileGitKeepsItSuspended() throws IOException {
        Path repo = TestRepos.baseWith(null, Files.createTempDirectory(temp, "suspended"));
        Path apps = repo.resolve("teams/payments/apps.yaml");
        Files.writeString(apps, Files.readString(apps).replace("spec:\n", "spec:\n  state: suspended\n"));
        Side suspendedHead = new Side("head", new ConfigLoader().load(repo).state());
        LiveApps live = LiveApps.of("http://tributary", List.of(neverRan()), Optional.empty());
        PlanReport report = PlanPreview.live("http://tributary", "http://tributary", suspendedHead, live.observed(NOW),
                live.known(app -> Optional.empty()), NOW);
        assertThat(report.apps()).isEmpty();
        assertThat(report.unchanged()).isEqualTo(1);
    }

    @Test
    void pausedSyncingHoldsTheUpgradeBack() {
        LiveApp paused = new LiveApp(APP, "running", "savepoint", true, "ab12", "RUNNING", "local", "OutOfSync",
                "syncing paused",
                "main@sha1:" + "1".repeat(40), otherHash, null, true, "alice", "incident 42", null, null);
        AppItem item = only(paused);
        assertThat(item.change()).isEqualTo(Change.NONE);
        assertThat(item.reasons()).containsExactly("syncing paused by alice: incident 42");
    }

    @Test
    void anOperationInProgressIsShownWithTheServicesMessage() {
        AppItem item = only(running(otherHash, "RUNNING", "Progressing", "an operation is in progress"));
        assertThat(item.change()).isEqualTo(Change.NONE);
        assertThat(item.reasons()).containsExactly("in progress: an operation is in progress");
    }

    @Test
    void jobOnAnotherClusterThanGitsMovesWithASavepoint() {
        LiveApp elsewhere = new LiveApp(APP, "running", "savepoint", true, "ab12", "RUNNING", "old-local", "Synced",
                "job RUNNING", "main@sha1:" + "1".repeat(40), headHash, null, false, null, null, null, null);
        AppItem item = only(elsewhere);
        assertThat(item.change()).isEqualTo(Change.MOVE);
        assertThat(item.label()).isEqualTo("move (with savepoint)");
        assertThat(item.reasons()).containsExactly("cluster: old-local -> local");
    }

    @Test
    void failedJobIsRestartedByItsPolicy() {
        AppItem item = only(running(headHash, "FAILED", "OutOfSync", "job FAILED"));
        assertThat(item.change()).isEqualTo(Change.RESTART);
        assertThat(item.reasons()).containsExactly("job FAILED; restart 1 of 3");
    }

    @Test
    void suspendedAppWithASavepointResumesFromIt() {
        LiveApp suspended = new LiveApp(APP, "suspended", "savepoint", true, null, null, null, "Synced",
                "suspended; resumes from file:/sp/1", "main@sha1:" + "1".repeat(40), headHash, null, false, null, null,
                "file:/sp/1", Instant.parse("2026-11-26T10:00:00Z"));
        AppItem item = only(suspended);
        assertThat(item.change()).isEqualTo(Change.RESUME);
        assertThat(item.reasons()).containsExactly("state: suspended -> running");
    }

    @Test
    void appRemovedFromGitWithPruneFalseKeepsRunning() {
        LiveApp kept = new LiveApp("payments/legacy", "running", "stateless", false, "cd34", "RUNNING", "local", "Synced",
                "job RUNNING", "main@sha1:" + "1".repeat(40), otherHash, null, false, null, null, null, null);
        PlanReport report = plan(running(headHash, "RUNNING", "Synced", "job RUNNING"), kept);
        assertThat(report.apps()).singleElement().satisfies(item -> {
            assertThat(item.app()).isEqualTo("payments/legacy");
            assertThat(item.change()).isEqualTo(Change.KEEP);
        });
    }

    @Test
    void appRemovedFromGitThatIsStatelessIsDeletedWithoutSavepoint() {
        LiveApp gone = new LiveApp("payments/legacy", "removed", "stateless", true, "cd34", "RUNNING", "local", "Synced",
                "job RUNNING", "main@sha1:" + "1".repeat(40), otherHash, null, false, null, null, null, null);
        PlanReport report = plan(running(headHash, "RUNNING", "Synced", "job RUNNING"), gone);
        assertThat(report.apps()).singleElement().satisfies(item -> {
            assertThat(item.change()).isEqualTo(Change.DELETE);
            assertThat(item.mode()).isEqualTo("no-savepoint");
        });
    }
}
