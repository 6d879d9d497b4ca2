package io.tributary.cli;

import static org.assertj.core.api.Assertions.assertThat;

import io.tributary.cli.PlanPreview.Side;
import io.tributary.config.ConfigLoader;
import io.tributary.config.TestRepos;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Instant;
import java.util.List;
import java.util.stream.Stream;
import org.junit.jupiter.api.DynamicTest;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestFactory;
import org.junit.jupiter.api.io.TempDir;
import tools.jackson.databind.JsonNode;
import tools.jackson.databind.json.JsonMapper;

/**
 * Two revisions of a config repository, each the test base repo with a case's {@code base/} or
 * {@code head/} folder laid over it ({@code src/test/resources/repos/plan/<case>/}), compared the
 * way {@code tributary plan --base --head} compares them; {@code expected.txt} is the text output.
 */
class PlanPreviewTest {
    static final Path CASES = TestRepos.ROOT.resolve("plan");
    static final Instant NOW = Instant.parse("2026-11-26T12:00:00Z");

    @TempDir
    Path temp;

    @TestFactory
    Stream<DynamicTest> eachCasePrintsWhatChangesAndWhy() throws IOException {
        List<Path> cases;
        try (Stream<Path> folders = Files.list(CASES)) {
            cases = folders.filter(Files::isDirectory).sorted().toList();
        }
        assertThat(cases).extracting(p -> p.getFileName().toString()).contains("new-application", "sql-changed",
                "variable-changed", "upgrade-modes", "suspend-and-resume", "removed-applications", "cluster-changes",
                "policy-only-change", "changed-while-suspended", "pull-request", "app-moved");
        return cases.stream().map(folder -> DynamicTest.dynamicTest(folder.getFileName().toString(), () -> {
            String text = PlanFormat.text.render(plan(folder));
            assertThat(text).isEqualTo(Files.readString(folder.resolve("expected.txt")));
        }));
    }

    @Test
    void markdownIsATableForAPullRequestComment() throws IOException {
        String markdown = PlanFormat.markdown.render(plan(CASES.resolve("pull-request")));
        assertThat(markdown).isEqualTo("""
                <!-- tributary-plan -->
                ### Tributary plan

                `head` compared with `base`

                | | Application | Action | Why |
                |---|---|---|---|
                | ~ | `payments/audit` | suspend (with savepoint) | state: running -> suspended; job.sql changed |
                | + | `payments/fraud` | create | new application (standalone-session on cluster local) |
                | - | `payments/legacy` | delete (final savepoint first) | removed from Git |
                | ~ | `payments/orders` | upgrade (savepoint) | job.sql changed |
                | ~ | `payments/refunds` | upgrade (savepoint) | variable kafka_brokers changed |

                **1 to create, 2 to upgrade, 1 to suspend, 0 to resume, 1 to delete, 1 unchanged**
                """);
    }

    @Test
    void aVariableThatEightHundredAppsUseGivesACommentGitHubTakesWithTheRunningJobsFirst() {
        List<PlanReport.AppItem> items = new java.util.ArrayList<>();
        for (int i = 0; i < 800; i++) {
            String app = "team-%d/job-%03d".formatted(i % 10, i);
            items.add(i % 32 == 0
                    ? new PlanReport.AppItem(app, PlanReport.Change.UPGRADE, "savepoint", List.of("variable global_rate changed"))
                    : new PlanReport.AppItem(app, PlanReport.Change.UPDATE, null, List.of("variable global_rate changed")));
        }
        String markdown = PlanFormat.markdown.render(new PlanReport("base", "head", null, List.of(), items, 0));

        assertThat(markdown.length()).as("GitHub refuses a comment over 65,536 characters").isLessThan(65_536);
        assertThat(markdown.indexOf("<details><summary>775 suspended applications change, applied when resumed"))
                .as("the 25 upgrades come before the folded changes of suspended apps")
                .isGreaterThan(markdown.indexOf("`team-0/job-768` | upgrade (savepoint)"));
        assertThat(markdown).contains(" rows are left out to keep this comment under GitHub's 65,536 characters")
                .endsWith("**0 to create, 25 to upgrade, 0 to suspend, 0 to resume, 0 to delete, 0 unchanged,"
                        + " 775 changed while suspended**\n");
    }

    @Test
    void markdownListsClusterChangesInTheirOwnTable() throws IOException {
        String markdown = PlanFormat.markdown.render(plan(CASES.resolve("cluster-changes")));
        assertThat(markdown).contains("""
                | | Cluster | Action | Why |
                |---|---|---|---|
                | ~ | `batch` | restart | standalone.taskManagers 1 -> 2; stops payments/nightly and resumes it after the restart, with its state |
                | + | `fresh` | start | new managed cluster |
                | - | `old` | stop | managed cluster removed from Git |
                """).doesNotContain("| Application |");
    }

    @Test
    void markdownOfNoChangesSaysSo() throws IOException {
        String markdown = PlanFormat.markdown.render(plan(CASES.resolve("policy-only-change")));
        assertThat(markdown).endsWith("No changes.\n\n**0 to create, 0 to upgrade, 0 to suspend, 0 to resume, 0 to delete,"
                + " 1 unchanged**\n").doesNotContain("|");
    }

    @Test
    void jsonListsItemsWithActionModeAndReasons() throws IOException {
        JsonNode json = JsonMapper.shared().readTree(PlanFormat.json.render(plan(CASES.resolve("pull-request"))));
        assertThat(json.at("/revisions/base").asString()).isEqualTo("base");
        assertThat(json.at("/revisions/head").asString()).isEqualTo("head");
        assertThat(json.get("items")).hasSize(5);
        JsonNode refunds = json.get("items").get(4);
        assertThat(refunds.get("app").asString()).isEqualTo("payments/refunds");
        assertThat(refunds.get("action").asString()).isEqualTo("upgrade");
        assertThat(refunds.get("mode").asString()).isEqualTo("savepoint");
        assertThat(refunds.get("reasons").get(0).asString()).isEqualTo("variable kafka_brokers changed");
        JsonNode fraud = json.get("items").get(1);
        assertThat(fraud.get("action").asString()).isEqualTo("create");
        assertThat(fraud.get("mode").isNull()).isTrue();
        JsonNode legacy = json.get("items").get(2);
        assertThat(legacy.get("action").asString()).isEqualTo("delete");
        assertThat(legacy.get("mode").asString()).isEqualTo("final-savepoint");
        JsonNode summary = json.get("summary");
        assertThat(summary.get("create").asInt()).isEqualTo(1);
        assertThat(summary.get("upgrade").asInt()).isEqualTo(2);
        assertThat(summary.get("suspend").asInt()).isEqualTo(1);
        assertThat(summary.get("resume").asInt()).isZero();
        assertThat(summary.get("delete").asInt()).isEqualTo(1);
        assertThat(summary.get("unchanged").asInt()).isEqualTo(1);
        assertThat(summary.get("text").asString()).isEqualTo(
                "1 to create, 2 to upgrade, 1 to suspend, 0 to resume, 1 to delete, 1 unchanged");
        assertThat(json.get("clusters")).isEmpty();
    }

    @Test
    void jsonListsClusterActionsWithTheAppsTheyMove() throws IOException {
        JsonNode json = JsonMapper.shared().readTree(PlanFormat.json.render(plan(CASES.resolve("cluster-changes"))));
        JsonNode batch = json.get("clusters").get(0);
        assertThat(batch.get("cluster").asString()).isEqualTo("batch");
        assertThat(batch.get("action").asString()).isEqualTo("restart");
        assertThat(batch.get("apps").get(0).asString()).isEqualTo("payments/nightly");
        assertThat(json.at("/summary/clusters/restart").asInt()).isEqualTo(1);
        assertThat(json.at("/summary/clusters/start").asInt()).isEqualTo(1);
        assertThat(json.at("/summary/clusters/stop").asInt()).isEqualTo(1);
    }

    @Test
    void sameRevisionOnBothSidesPlansNothing() {
        Side side = new Side("main", new ConfigLoader().load(TestRepos.BASE).state());
        PlanReport report = PlanPreview.compare(side, side, NOW);
        assertThat(report.empty()).isTrue();
        assertThat(report.unchanged()).isEqualTo(1);
    }

    private PlanReport plan(Path folder) throws IOException {
        Side base = side("base", folder.resolve("base"));
        Side head = side("head", folder.resolve("head"));
        return PlanPreview.compare(base, head, NOW);
    }

    Side side(String label, Path overlay) throws IOException {
        Path repo = TestRepos.baseWith(Files.isDirectory(overlay) ? overlay : null, Files.createTempDirectory(temp, label));
        ConfigLoader.Result result = new ConfigLoader().load(repo);
        assertThat(result.errors()).as(label + " of " + overlay.getParent().getFileName()).isEmpty();
        return new Side(label, result.state());
    }
}
