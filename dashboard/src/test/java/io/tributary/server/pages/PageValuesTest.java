package io.tributary.server.pages;

import static org.assertj.core.api.Assertions.assertThat;

import io.tributary.server.api.ApplicationsApi.OverrideView;
import io.tributary.server.pages.Model.AppRow;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;

/** What the pages show of a status: short revisions, ages, colours with words, the overview's filters. */
class PageValuesTest {
    private static final Instant NOW = Instant.parse("2026-11-26T12:00:00Z");

    @Test
    void revisionsAreShownAsBranchAndSevenHexDigits() {
        assertThat(Fmt.shortRevision("main@sha1:0123456789abcdef0123")).isEqualTo("main@0123456");
        assertThat(Fmt.shortRevision("dir@sha256:60c41b69c238dfa8")).isEqualTo("dir@60c41b6");
        assertThat(Fmt.shortRevision("v1.2")).isEqualTo("v1.2");
        assertThat(Fmt.shortRevision(null)).isEmpty();
    }

    @Test
    void agesReadInTheLargestUsefulUnit() {
        assertThat(Fmt.age(NOW.minusSeconds(42), NOW)).isEqualTo("42s");
        assertThat(Fmt.age(NOW.minusSeconds(5 * 60 + 3), NOW)).isEqualTo("5m");
        assertThat(Fmt.age(NOW.minusSeconds(3 * 3600 + 120), NOW)).isEqualTo("3h 2m");
        assertThat(Fmt.age(NOW.minusSeconds(2 * 86400 + 3600), NOW)).isEqualTo("2d 1h");
        assertThat(Fmt.age(null, NOW)).isEmpty();
    }

    @Test
    void aFlinkExceptionIsNamedByItsInnermostCause() {
        String trace = """
                org.apache.flink.runtime.JobException: Recovery is suppressed by NoRestartBackoffTimeStrategy
                	at org.apache.flink.runtime.executiongraph.failover.ExecutionFailureHandler.handleFailure(X.java:1)
                Caused by: java.util.concurrent.CompletionException: wrapped
                	at java.base/java.util.concurrent.CompletableFuture.encodeThrowable(CompletableFuture.java:332)
                Caused by: org.apache.flink.runtime.jobmanager.scheduler.NoResourceAvailableException: Could not \
                acquire the minimum required resources.
                	... 3 more
                """;
        assertThat(Fmt.cause(trace)).isEqualTo("org.apache.flink.runtime.jobmanager.scheduler"
                + ".NoResourceAvailableException: Could not acquire the minimum required resources.");
        assertThat(Fmt.cause("java.lang.RuntimeException: boom\n\tat x.y(Z.java:1)"))
                .isEqualTo("java.lang.RuntimeException: boom");
    }

    @Test
    void everyStatusWordHasAColour() {
        assertThat(List.of("Healthy", "Synced", "RUNNING")).allSatisfy(s -> assertThat(Fmt.tone(s)).isEqualTo("ok"));
        assertThat(List.of("Degraded", "FAILED", "LOST", "Stalled")).allSatisfy(s -> assertThat(Fmt.tone(s)).isEqualTo("bad"));
        assertThat(List.of("OutOfSync", "Suspended")).allSatisfy(s -> assertThat(Fmt.tone(s)).isEqualTo("warn"));
        assertThat(Fmt.tone("Progressing")).isEqualTo("busy");
        assertThat(Fmt.tone("Unknown")).isEqualTo("idle");
    }

    @Test
    void sizesAreHumanAndUnknownSizesAreBlank() {
        assertThat(Fmt.bytes(null)).isEmpty();
        assertThat(Fmt.bytes(0L)).isEmpty();
        assertThat(Fmt.bytes(512L)).isEqualTo("512 B");
        assertThat(Fmt.bytes(3L * 1024 * 1024 + 512 * 1024)).isEqualTo("3.5 MiB");
    }

    @Test
    void theOverviewFiltersByTeamSearchAndCount() {
        AppRow healthy = row("payments", "orders", "Synced", "Healthy", null);
        AppRow stopped = row("analytics", "views", "Synced", "Suspended",
                new OverrideView("suspended", false, false, false, "alice", "maintenance", NOW));
        AppRow drifting = row("payments", "ledger", "OutOfSync", "Degraded", null);
        List<AppRow> all = List.of(healthy, stopped, drifting);

        assertThat(all.stream().filter(r -> Views.matches(r, "payments", null, null))).containsExactly(healthy, drifting);
        assertThat(all.stream().filter(r -> Views.matches(r, null, "LED", null))).containsExactly(drifting);
        AppRow onYarn = new AppRow(2, "payments", "fraud", true, "Synced", "Healthy", "RUNNING", "yarn-application",
                null, "main@sha1:abc", null, null, null, null, null);
        assertThat(Stream.of(healthy, onYarn).filter(r -> Views.matches(r, null, "yarn", null)))
                .as("the search finds a deployment mode").containsExactly(onYarn);
        assertThat(all.stream().filter(r -> Views.matches(r, null, null, "Overridden"))).containsExactly(stopped);
        assertThat(all.stream().filter(r -> Views.matches(r, null, null, "OutOfSync"))).containsExactly(drifting);
        assertThat(Views.counts(all)).isEqualTo(new Model.Counts(3, 1, 0, 1, 0, 0, 1, 1, 1));
        assertThat(Views.counts(all).healths()).as("a team's card on the Teams page")
                .containsExactly(Map.entry("Healthy", 1), Map.entry("Degraded", 1), Map.entry("Suspended", 1));
        AppRow lost = row("payments", "fraud", "Synced", "Unknown", null);
        assertThat(Views.counts(List.of(healthy, lost)).unknown()).as("an app whose cluster is down is counted").isEqualTo(1);
        assertThat(Stream.of(healthy, lost).filter(r -> Views.matches(r, null, null, "Unknown"))).containsExactly(lost);
        assertThat(stopped.overrideWhat()).isEqualTo("pinned suspended");
        assertThat(row("analytics", "views", "Synced", "Suspended",
                new OverrideView("suspended", true, true, true, "dave", "incident 44", NOW)).overrideWhat())
                .isEqualTo("pinned suspended (drain, cancel if the savepoint fails), sync paused");
    }

    @Test
    void theLoginFormOnlyReturnsToPagesOfThisSite() {
        assertThat(Pages.safeNext("/apps/payments/orders")).isEqualTo("/apps/payments/orders");
        assertThat(Pages.safeNext("https://evil.example.com/")).isEqualTo("/");
        assertThat(Pages.safeNext("//evil.example.com/")).isEqualTo("/");
        assertThat(Pages.safeNext("/\\evil.example.com")).isEqualTo("/");
        assertThat(Pages.safeNext(null)).isEqualTo("/");
    }

    private static AppRow row(String team, String name, String sync, String health, OverrideView override) {
        return new AppRow(1, team, name, true, sync, health, "RUNNING", "standalone-session", "local",
                "main@sha1:abc", null, null, null, override, null);
    }
}
