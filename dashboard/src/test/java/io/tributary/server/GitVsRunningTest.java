package io.tributary.server;

import static org.assertj.core.api.Assertions.assertThat;

import io.tributary.apply.Reconciler;
import io.tributary.config.ConfigLoader;
import io.tributary.model.DesiredState;
import io.tributary.plan.SpecDiff;
import io.tributary.plan.SpecHash;
import io.tributary.server.GitVsRunning.Drift;
import io.tributary.server.GitVsRunning.Revisions;
import io.tributary.server.GitVsRunning.Running;
import io.tributary.source.Revision;
import io.tributary.store.AppOverride;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.time.ZoneOffset;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * What "Git vs running" says for one app, given the applied revision, what the store says of the job,
 * and the revisions the config source can still give; and how those revisions are read and kept.
 */
class GitVsRunningTest {
    private static final Path BASE = Path.of("../reconciler/src/test/resources/repos/base");
    private static final String APP = "payments/orders";
    private static final String OLD = "main@sha1:" + "a".repeat(40);
    private static final String NEW = "main@sha1:" + "b".repeat(40);
    private static final Instant NOW = Instant.parse("2026-11-26T06:30:00Z");

    @TempDir
    Path temp;

    @Test
    void aJobDeployedFromAnOlderRevisionListsTheFieldsGitChangedSince() throws IOException {
        DesiredState before = load("before", 1, null);
        DesiredState after = load("after", 4, "INSERT INTO sink SELECT id FROM orders WHERE id > 0;\n");
        Revisions revisions = revisions(Map.of(OLD, before));

        Drift drift = GitVsRunning.compare(APP, loaded(NEW, after), running(before), Optional.empty(), revisions);

        assertThat(drift.differs()).isTrue();
        assertThat(drift.runningRevision()).isEqualTo(OLD);
        assertThat(drift.gitRevision()).isEqualTo(NEW);
        assertThat(drift.changes()).extracting(SpecDiff.Change::summary)
                .containsExactly("job.sql: 1 line added, 3 removed", "parallelism: 1 -> 4");
        assertThat(drift.changesUnavailable()).isNull();
        assertThat(drift.explanation()).contains(OLD).contains("next sync upgrades it");
    }

    @Test
    void whileSyncIsPausedTheExplanationSaysTheUpgradeWaitsForResume() throws IOException {
        DesiredState before = load("before", 1, null);
        DesiredState after = load("after", 2, null);
        AppOverride paused = new AppOverride(APP, null, false, false, true, "ada", "incident 7", NOW);

        Drift drift = GitVsRunning.compare(APP, loaded(NEW, after), running(before), Optional.of(paused),
                revisions(Map.of(OLD, before)));

        assertThat(drift.explanation()).endsWith("once syncing is resumed.");
        assertThat(drift.changes()).extracting(SpecDiff.Change::summary).containsExactly("parallelism: 1 -> 2");
    }

    @Test
    void aRevisionThatCanNoLongerBeReadIsSaidOnThePageInsteadOfFailingIt() throws IOException {
        DesiredState before = load("before", 1, null);
        DesiredState after = load("after", 2, null);
        Revisions revisions = new Revisions(name -> {
            throw new GitVsRunning.Unreadable("Revision " + name + " can no longer be read: gone.");
        }, Clock.fixed(NOW, ZoneOffset.UTC), 4, Duration.ofSeconds(5));

        Drift drift = GitVsRunning.compare(APP, loaded(NEW, after), running(before), Optional.empty(), revisions);

        assertThat(drift.differs()).isTrue();
        assertThat(drift.changes()).isEmpty();
        assertThat(drift.changesPending()).isFalse();
        assertThat(drift.changesUnavailable()).isEqualTo("Revision " + OLD + " can no longer be read: gone."
                + " Only the spec hashes are compared.");
    }

    @Test
    void aRevisionWhoseSpecIsNotTheRunningOneListsNothingRatherThanSomethingWrong() throws IOException {
        DesiredState before = load("before", 1, null);
        DesiredState other = load("other", 3, null);
        DesiredState after = load("after", 2, null);

        Drift drift = GitVsRunning.compare(APP, loaded(NEW, after), running(before), Optional.empty(),
                revisions(Map.of(OLD, other)));

        assertThat(drift.changes()).isEmpty();
        assertThat(drift.changesUnavailable()).contains("another spec than the running job's");
    }

    @Test
    void anAppThatLeftGitIsDeletedOrKeptAsTheSpecItRanSays() throws IOException {
        DesiredState before = load("removed", 2, null);
        DesiredState gone = DesiredState.of(before.resources().values().stream()
                .filter(r -> !(r instanceof io.tributary.model.Application)).toList());
        Revisions none = revisions(Map.of());
        Running deployed = running(before);

        Drift pruned = GitVsRunning.compare(APP, loaded(NEW, gone), deployed, Optional.empty(), none);
        assertThat(pruned.differs()).isTrue();
        assertThat(pruned.explanation()).contains("deleted when pruning allows");

        Drift kept = GitVsRunning.compare(APP, loaded(NEW, gone), new Running(true, deployed.specHash(),
                deployed.revision(), false, null), Optional.empty(), none);
        assertThat(kept.differs()).as("nothing will be done to it").isFalse();
        assertThat(kept.explanation()).contains("prune: false").contains("its job is left as it is")
                .doesNotContain("deleted");
    }

    @Test
    void aJobThatFailedIsNotSaidToRunTheSpecGitHolds() throws IOException {
        DesiredState state = load("failed", 2, null);
        Running deployed = running(state);
        Running failed = new Running(false, deployed.specHash(), deployed.revision(), true, "FAILED");

        Drift drift = GitVsRunning.compare(APP, loaded(NEW, state), failed, Optional.empty(), revisions(Map.of()));

        assertThat(drift.differs()).as("Git wants it running").isTrue();
        assertThat(drift.explanation()).isEqualTo("Its job ended FAILED and no job runs now; Git wants it running.");
    }

    @Test
    void theSameSpecIsSameWithoutReadingAnyRevision() throws IOException {
        DesiredState state = load("same", 2, null);
        Revisions none = new Revisions(name -> {
            throw new AssertionError("read " + name);
        }, Clock.systemUTC(), 4, Duration.ofSeconds(1));

        Drift drift = GitVsRunning.compare(APP, loaded(NEW, state), running(state), Optional.empty(), none);

        assertThat(drift.differs()).isFalse();
        assertThat(drift.changes()).isEmpty();
        assertThat(drift.changesUnavailable()).isNull();
    }

    @Test
    void aSlowRevisionHoldsUpOnlyTheFirstRequestAndIsReadOnce() throws Exception {
        DesiredState before = load("before", 1, null);
        CountDownLatch release = new CountDownLatch(1);
        AtomicInteger reads = new AtomicInteger();
        Revisions revisions = new Revisions(name -> {
            reads.incrementAndGet();
            try {
                release.await();
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
            return before;
        }, Clock.systemUTC(), 4, Duration.ofMillis(50));

        assertThat(revisions.get(OLD).pending()).isTrue();
        assertThat(revisions.get(OLD).pending()).isTrue();
        release.countDown();
        GitVsRunning.Read read = revisions.get(OLD);
        for (int i = 0; i < 200 && read.pending(); i++) {
            Thread.sleep(10);
            read = revisions.get(OLD);
        }
        assertThat(read.state()).contains(before);
        assertThat(reads).hasValue(1);
        revisions.close();
    }

    @Test
    void aPendingReadSaysSoAndAsksToReload() throws IOException {
        DesiredState before = load("before", 1, null);
        DesiredState after = load("after", 2, null);
        CountDownLatch never = new CountDownLatch(1);
        Revisions revisions = new Revisions(name -> {
            try {
                never.await();
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
            return before;
        }, Clock.systemUTC(), 4, Duration.ofMillis(10));

        Drift drift = GitVsRunning.compare(APP, loaded(NEW, after), running(before), Optional.empty(), revisions);

        assertThat(drift.changesPending()).isTrue();
        assertThat(drift.changesUnavailable()).contains("reload in a moment");
        revisions.close();
    }

    @Test
    void aRevisionThatFailedIsTriedAgainAfterAMinuteNotOnEveryRequest() {
        AtomicInteger reads = new AtomicInteger();
        Instant[] now = {NOW};
        Clock clock = new Clock() {
            @Override
            public ZoneOffset getZone() {
                return ZoneOffset.UTC;
            }

            @Override
            public Clock withZone(java.time.ZoneId zone) {
                return this;
            }

            @Override
            public Instant instant() {
                return now[0];
            }
        };
        Revisions revisions = new Revisions(name -> {
            reads.incrementAndGet();
            throw new GitVsRunning.Unreadable("unreachable");
        }, clock, 4, Duration.ofSeconds(5));

        assertThat(revisions.get(OLD).problem()).isEqualTo("unreachable");
        assertThat(revisions.get(OLD).problem()).isEqualTo("unreachable");
        assertThat(reads).hasValue(1);
        now[0] = NOW.plus(Revisions.RETRY).plusSeconds(1);
        assertThat(revisions.get(OLD).problem()).isEqualTo("unreachable");
        assertThat(reads).hasValue(2);
        revisions.close();
    }

    private static Running running(DesiredState deployed) {
        var app = deployed.applications().stream().filter(a -> a.id().qualifiedName().equals(APP)).findFirst()
                .orElseThrow();
        return new Running(true, SpecHash.of(app, deployed), OLD);
    }

    private static Optional<Reconciler.Loaded> loaded(String name, DesiredState state) {
        return Optional.of(new Reconciler.Loaded(new Revision(name, name.substring(name.indexOf(':') + 1), NOW, "x"),
                state, Map.of()));
    }

    private static Revisions revisions(Map<String, DesiredState> states) {
        return new Revisions(name -> {
            DesiredState state = states.get(name);
            if (state == null) {
                throw new GitVsRunning.Unreadable("no " + name);
            }
            return state;
        }, Clock.systemUTC(), 4, Duration.ofSeconds(10));
    }

    private DesiredState load(String name, int parallelism, String sql) throws IOException {
        Path repo = temp.resolve(name);
        try (Stream<Path> paths = Files.walk(BASE)) {
            for (Path source : paths.toList()) {
                Path target = repo.resolve(BASE.relativize(source).toString());
                if (Files.isDirectory(source)) {
                    Files.createDirectories(target);
                } else {
                    Files.copy(source, target, StandardCopyOption.REPLACE_EXISTING);
                }
            }
        }
        Path apps = repo.resolve("teams/payments/apps.yaml");
        Files.writeString(apps, Files.readString(apps) + "  parallelism: " + parallelism + "\n");
        if (sql != null) {
            Files.writeString(repo.resolve("sql/orders.sql"), sql);
        }
        ConfigLoader.Result result = new ConfigLoader().load(repo);
        assertThat(result.errors()).as(name).isEmpty();
        return result.state();
    }
}
