package io.tributary.apply;

import static org.assertj.core.api.Assertions.assertThat;

import io.tributary.config.TestRepos;
import io.tributary.flink.JobId;
import io.tributary.flink.TestingFlinkTarget;
import io.tributary.model.JobState;
import io.tributary.source.SourceSpec;
import io.tributary.store.AppStatus;
import io.tributary.store.Store;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.Optional;
import java.util.TimeZone;
import java.util.function.BooleanSupplier;
import org.eclipse.jgit.api.Git;
import org.eclipse.jgit.api.ResetCommand.ResetType;
import org.eclipse.jgit.lib.PersonIdent;
import org.eclipse.jgit.revwalk.RevCommit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The running loop against a real Git remote that misbehaves: unreachable for a while (a commit pushed
 * meanwhile is applied once it is back, and nothing running is touched during the outage), rewritten
 * by a force-push (the new tip is applied, not the commit it replaced), and handed a commit of 10,000
 * applications with one mistake (refused with the mistake's file and line; the last good revision
 * stays in force and the loop goes on).
 */
class GitRemoteIT {
    private static final String APP = "payments/orders";
    private static final Duration STEP = Duration.ofSeconds(90);
    private static final Instant EPOCH = Instant.parse("2026-01-01T00:00:00Z");

    @TempDir
    Path temp;

    private Path remote;
    private Path away;
    private Git git;
    private int commits;
    private TestingFlinkTarget flink;
    private ReconcilerFixture fixture;
    private Store store;
    private Reconciler reconciler;

    @BeforeEach
    void setUp() throws Exception {
        remote = temp.resolve("remote");
        away = temp.resolve("remote-moved-away");
        TestRepos.copyTree(TestRepos.BASE, remote);
        git = Git.init().setDirectory(remote.toFile()).setInitialBranch("main").call();
        commit("the base platform");
        fixture = ReconcilerFixture.in(temp).source(new SourceSpec(remote.toUri().toString(), "main", null))
                .inMemoryFlink(Clock.systemUTC()).savepoints(Duration.ofSeconds(30), Duration.ofMillis(20))
                .started(Duration.ofMillis(500)).build();
        flink = fixture.flink();
        store = fixture.store;
        reconciler = fixture.reconciler;
    }

    @AfterEach
    void tearDown() {
        fixture.close();
        git.close();
    }

    @Test
    void anOutageThenAForcePushThenAHugeBrokenCommitLeaveTheLastGoodRevisionApplied() throws Exception {
        String firstCommit = head();
        await("the first commit runs", () -> appliedIs(firstCommit) && runs());
        String firstJob = job();
        int submits = flink.submitCalls();

        // unreachable: the repository is gone from its URL; a push happens meanwhile
        Files.move(remote, away);
        await("the source is stalled", () -> "Stalled".equals(reconciler.sync().condition()));
        assertThat(reconciler.sync().reason()).as("why it is stalled").contains("retrying in");
        setRate(away, "20");
        RevCommit pushedDuringOutage;
        try (Git moved = Git.open(away.toFile())) {
            pushedDuringOutage = commit(moved, "rate 20, pushed while the service could not fetch");
        }
        Thread.sleep(1_500);
        assertThat(flink.submitCalls()).as("submits while the remote was unreachable").isEqualTo(submits);
        assertThat(job()).as("the job keeps running through the outage").isEqualTo(firstJob);
        Files.move(away, remote);

        await("the commit pushed during the outage is applied", () -> appliedIs(pushedDuringOutage.name()) && runs()
                && !job().equals(firstJob) && "Ready".equals(reconciler.sync().condition()));
        assertThat(flink.submitCalls()).as("one upgrade for the commit").isEqualTo(submits + 1);
        String upgradedJob = job();

        // force-push: main is rewritten to a commit beside the one applied
        RevCommit replaced = pushedDuringOutage;
        git.reset().setMode(ResetType.HARD).setRef(replaced.getParent(0).name()).call();
        setRate(remote, "40");
        RevCommit rewritten = commit("rate 40, force-pushed over rate 20");
        await("the force-pushed tip is applied", () -> appliedIs(rewritten.name()) && runs()
                && !job().equals(upgradedJob));
        assertThat(flink.submitCalls()).as("one upgrade for the force-push").isEqualTo(submits + 2);

        // a commit of 10,000 apps, one of which names a cluster that does not exist
        int broken = 7_777;
        StringBuilder many = new StringBuilder();
        int brokenLine = 0;
        for (int i = 0; i < 10_000; i++) {
            if (i > 0) {
                many.append("---\n");
            }
            many.append("apiVersion: tributary.io/v1\nkind: Application\nmetadata: {name: bulk-").append(i)
                    .append(", team: payments}\nspec:\n  state: suspended\n  deployment:\n    mode: standalone-session\n");
            if (i == broken) {
                brokenLine = (int) many.chars().filter(c -> c == '\n').count() + 1;
            }
            many.append("    cluster: ").append(i == broken ? "lcoal" : "local").append('\n')
                    .append("  job: {type: sql, sql: {file: sql/orders.sql}}\n");
        }
        Files.writeString(remote.resolve("teams/payments/bulk.yaml"), many, StandardCharsets.UTF_8);
        RevCommit huge = commit("10,000 apps, one with a typo");
        int line = brokenLine;
        await("the huge commit is refused", () -> huge.name().equals(fetchedId())
                && !reconciler.sync().errors().isEmpty());
        assertThat(reconciler.sync().errors()).singleElement().asString()
                .startsWith("teams/payments/bulk.yaml:" + line + ":")
                .contains("cluster \"lcoal\" does not exist");
        assertThat(appliedIs(rewritten.name())).as("the last good revision stays applied").isTrue();
        assertThat(job()).as("the app is left as it ran").isNotNull();
        assertThat(flink.submitCalls()).isEqualTo(submits + 2);

        // the fix: the loop was never stuck, the next commit is applied
        String beforeFix = job();
        Files.delete(remote.resolve("teams/payments/bulk.yaml"));
        setRate(remote, "50");
        RevCommit fixed = commit("drop the bulk apps, rate 50");
        await("the fix is applied", () -> appliedIs(fixed.name()) && runs() && !beforeFix.equals(job())
                && reconciler.sync().errors().isEmpty());
        assertThat(flink.submitCalls()).isEqualTo(submits + 3);
    }

    @Test
    void anAppWithPruneFalseRemovedFromGitWhileTheServiceIsDownKeepsItsJob() throws Exception {
        // the job starts from the base commit; prune changes no job, so its status keeps naming that commit
        String base = head();
        await("the base commit runs", () -> appliedIs(base) && runs());
        Path apps = remote.resolve("teams/payments/apps.yaml");
        Files.writeString(apps, Files.readString(apps).replace("spec:\n", "spec:\n  prune: false\n"));
        RevCommit keep = commit("orders: prune false");
        await("the app runs with prune: false", () -> appliedIs(keep.name()) && runs());
        String kept = job();

        reconciler.close(); // down: the removal is first seen by the next process
        Files.delete(apps);
        RevCommit removed = commit("orders leaves Git");
        fixture.restart(false);
        reconciler = fixture.reconciler;
        await("the removal is applied", () -> appliedIs(removed.name()) && store.status(APP).map(AppStatus::message)
                .filter(m -> m.contains("prune: false")).isPresent());
        // read from the commit the app last ran with: this process never applied it
        assertThat(flink.running()).singleElement()
                .satisfies(j -> assertThat(j.submission().jobId().hex()).isEqualTo(kept));
    }

    @Test
    void anAppMovedOffAClusterRemovedWhileTheServiceIsDownMovesWithItsState() throws Exception {
        TestingFlinkTarget other = new TestingFlinkTarget(Clock.systemUTC());
        fixture.testingClusters().route("local-2", other);
        String base = head();
        await("the base commit runs", () -> appliedIs(base) && runs());
        String first = job();

        reconciler.close(); // down: the next process never applied a revision that declares the old cluster
        Path apps = remote.resolve("teams/payments/apps.yaml");
        Files.writeString(apps, Files.readString(apps).replace("cluster: local", "cluster: local-2"));
        Path clusters = remote.resolve("platform/clusters.yaml");
        Files.writeString(clusters, Files.readString(clusters).replace("name: local}", "name: local-2}"));
        RevCommit moved = commit("orders moves to local-2, local leaves Git");
        fixture.restart(false);
        reconciler = fixture.reconciler;

        await("the app runs on the new cluster", () -> appliedIs(moved.name()) && other.running().size() == 1
                && fixture.testingClusters().calls.contains("stop local"));
        // the old cluster is read from the revision in force before the restart, to stop the job there
        assertThat(flink.fake(new JobId(first)).orElseThrow().state()).isEqualTo(JobState.FINISHED);
        assertThat(other.running().get(0).submission().restoreFrom()).isEqualTo(flink.savepointsTaken().get(0));
    }

    private String head() throws IOException {
        return git.getRepository().resolve("refs/heads/main").name();
    }

    private boolean appliedIs(String sha) {
        String applied = reconciler.sync().appliedRevision();
        return applied != null && applied.endsWith(sha);
    }

    private String fetchedId() {
        String fetched = reconciler.sync().fetchedRevision();
        return fetched == null ? null : fetched.substring(fetched.lastIndexOf(':') + 1);
    }

    private boolean runs() {
        Optional<AppStatus> status = store.status(APP);
        var running = flink.running(); // once: an upgrade may stop the old job between two looks
        return running.size() == 1 && status.isPresent() && "RUNNING".equals(status.get().jobState())
                && running.get(0).submission().jobId().hex().equals(status.get().jobId());
    }

    private String job() {
        return store.status(APP).map(AppStatus::jobId).orElse(null);
    }

    private RevCommit commit(String message) throws Exception {
        return commit(git, message);
    }

    private RevCommit commit(Git git, String message) throws Exception {
        git.add().addFilepattern(".").call();
        git.add().addFilepattern(".").setUpdate(true).call();
        PersonIdent who = new PersonIdent("Test", "test@example.com", EPOCH.plusSeconds(60L * ++commits),
                TimeZone.getTimeZone("UTC").toZoneId());
        return git.commit().setMessage(message).setAuthor(who).setCommitter(who).setSign(false).call();
    }

    private static void setRate(Path repo, String rate) throws IOException {
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
