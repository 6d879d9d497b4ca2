package io.tributary.cli;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.PrintWriter;
import java.io.StringWriter;
import java.nio.file.Files;
import java.nio.file.Path;
import org.eclipse.jgit.revwalk.RevCommit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import picocli.CommandLine;
import tools.jackson.databind.JsonNode;
import tools.jackson.databind.json.JsonMapper;

/**
 * {@code tributary plan --base --head} as CI runs it, on a real Git repository of two commits:
 * the pull-request case's base, then its head.
 */
class PlanCommandTest {
    private static final Path CASE = PlanPreviewTest.CASES.resolve("pull-request");
    private static final Path UNKNOWN_CLUSTER = Path.of("src/test/resources/repos/invalid/unknown-cluster");

    @TempDir
    Path temp;

    private ConfigRepo repo;
    private RevCommit first;
    private RevCommit second;

    record Run(int exitCode, String out, String err) {}

    static Run run(String... args) {
        StringWriter out = new StringWriter();
        StringWriter err = new StringWriter();
        CommandLine cli = new CommandLine(new PlanCommand()).setCaseInsensitiveEnumValuesAllowed(true);
        cli.setOut(new PrintWriter(out));
        cli.setErr(new PrintWriter(err));
        int code = cli.execute(args);
        return new Run(code, out.toString(), err.toString());
    }

    @BeforeEach
    void twoCommits() throws Exception {
        repo = ConfigRepo.init(temp.resolve("config"));
        first = repo.tree(CASE.resolve("base")).commit("Payments apps");
        repo.tag("v1");
        second = repo.tree(CASE.resolve("head")).commit("Fraud app, new brokers, audit suspended");
    }

    @AfterEach
    void close() {
        repo.close();
    }

    private String expectedBody() throws Exception {
        String expected = Files.readString(CASE.resolve("expected.txt"));
        return expected.substring(expected.indexOf('\n'));
    }

    @Test
    void comparesTwoRevisionsByName() throws Exception {
        Run run = run("--repo", repo.dir.toString(), "--base", "v1", "--head", "main");
        assertThat(run.err).isEmpty();
        assertThat(run.exitCode).isZero();
        assertThat(run.out).isEqualTo("Plan: v1@sha1:" + first.name().substring(0, 7) + " -> main@sha1:"
                + second.name().substring(0, 7) + expectedBody());
    }

    @Test
    void revisionsMayBeCommitIdsOrFullRevisionNames() throws Exception {
        Run run = run("--repo", repo.dir.toString(), "--base", first.name().substring(0, 10),
                "--head", "main@sha1:" + second.name());
        assertThat(run.exitCode).isZero();
        assertThat(run.out).startsWith("Plan: sha1:" + first.name().substring(0, 7) + " -> main@sha1:"
                + second.name().substring(0, 7) + "\n").endsWith(expectedBody());
    }

    @Test
    void aLocalCheckoutTakesGitsOwnRevisionExpressions() throws Exception {
        Run run = run("--repo", repo.dir.toString(), "--base", "HEAD~1", "--head", "main");
        assertThat(run.err).isEmpty();
        assertThat(run.exitCode).isZero();
        assertThat(run.out).isEqualTo("Plan: sha1:" + first.name().substring(0, 7) + " -> main@sha1:"
                + second.name().substring(0, 7) + expectedBody());
        assertThat(run("--repo", repo.dir.toString(), "--base", "main^", "--head", "main").out)
                .startsWith("Plan: sha1:" + first.name().substring(0, 7) + " -> ");
    }

    @Test
    void withoutHeadTheWorkingTreeIsPlanned() throws Exception {
        repo.tree(null);
        Run run = run("--repo", repo.dir.toString(), "--base", "main");
        assertThat(run.exitCode).isZero();
        assertThat(run.out).startsWith("Plan: main@sha1:" + second.name().substring(0, 7) + " -> working tree\n")
                .contains("- payments/audit ", "- payments/fraud ", "- payments/ledger ", "- payments/refunds ")
                .contains("~ payments/orders   upgrade (savepoint): job.sql changed")
                .endsWith("0 to create, 1 to upgrade, 0 to suspend, 0 to resume, 4 to delete, 0 unchanged\n");
    }

    @Test
    void configInASubFolderIsFoundWithPath() throws Exception {
        try (ConfigRepo mono = ConfigRepo.init(temp.resolve("mono"))) {
            RevCommit before = mono.tree("deploy/flink", CASE.resolve("base")).commit("config");
            mono.tree("deploy/flink", CASE.resolve("head")).commit("change");
            Run run = run("--repo", mono.dir.toString(), "--path", "deploy/flink", "--base", before.name(),
                    "--head", "main");
            assertThat(run.exitCode).isZero();
            assertThat(run.out).endsWith(expectedBody());
        }
    }

    @Test
    void markdownFormatIsTheCommentToPost() {
        Run run = run("--repo", repo.dir.toString(), "--base", "v1", "--head", "main", "--format", "markdown");
        assertThat(run.exitCode).isZero();
        assertThat(run.out).startsWith("<!-- tributary-plan -->\n### Tributary plan\n\n`main@sha1:"
                        + second.name().substring(0, 7) + "` compared with `v1@sha1:" + first.name().substring(0, 7) + "`\n")
                .contains("| ~ | `payments/refunds` | upgrade (savepoint) | variable kafka_brokers changed |\n");
    }

    @Test
    void jsonFormatNamesRevisionsInFull() {
        Run run = run("--repo", repo.dir.toString(), "--base", "v1", "--head", "main", "--format=json");
        assertThat(run.exitCode).isZero();
        JsonNode json = JsonMapper.shared().readTree(run.out);
        assertThat(json.at("/revisions/base").asString()).isEqualTo("v1@sha1:" + first.name());
        assertThat(json.at("/revisions/head").asString()).isEqualTo("main@sha1:" + second.name());
        assertThat(json.get("items")).hasSize(5);
    }

    @Test
    void invalidHeadPrintsItsErrorsWithLocationsAndExitsOne() throws Exception {
        RevCommit broken = repo.tree(UNKNOWN_CLUSTER).commit("typo");
        Run run = run("--repo", repo.dir.toString(), "--base", "v1", "--head", broken.name());
        assertThat(run.exitCode).isEqualTo(1);
        assertThat(run.out).isEqualTo("The head revision sha1:" + broken.name().substring(0, 7)
                + " is invalid; nothing was planned.\n"
                + "teams/payments/case.yaml:7:14: spec.deployment.cluster: cluster \"lcoal\" does not exist;"
                + " did you mean \"local\"?\n"
                + "1 error\n");
    }

    @Test
    void invalidHeadInMarkdownIsACommentWithTheErrors() throws Exception {
        RevCommit broken = repo.tree(UNKNOWN_CLUSTER).commit("typo");
        Run run = run("--repo", repo.dir.toString(), "--base", "v1", "--head", broken.name(), "--format", "markdown");
        assertThat(run.exitCode).isEqualTo(1);
        assertThat(run.out).contains("The head revision `sha1:" + broken.name().substring(0, 7) + "` is invalid",
                "```text\nteams/payments/case.yaml:7:14: spec.deployment.cluster: cluster \"lcoal\" does not exist");
    }

    @Test
    void invalidBaseIsReportedToo() throws Exception {
        RevCommit broken = repo.tree(UNKNOWN_CLUSTER).commit("typo");
        Run run = run("--repo", repo.dir.toString(), "--base", broken.name(), "--head", "v1", "--format", "json");
        assertThat(run.exitCode).isEqualTo(1);
        JsonNode json = JsonMapper.shared().readTree(run.out);
        assertThat(json.get("invalid").asString()).isEqualTo("base");
        assertThat(json.at("/errors/0/file").asString()).isEqualTo("teams/payments/case.yaml");
        assertThat(json.at("/errors/0/line").asInt()).isEqualTo(7);
    }

    @Test
    void unknownRevisionIsAUsageError() {
        Run run = run("--repo", repo.dir.toString(), "--base", "v1", "--head", "feature/nope");
        assertThat(run.exitCode).isEqualTo(2);
        assertThat(run.out).isEmpty();
        assertThat(run.err).startsWith("tributary plan: no branch or tag 'feature/nope' in ")
                .contains("(branches: main)");
    }

    @Test
    void anUnreadableTokenFileIsAUsageErrorNamingItsFlag() {
        Path token = temp.resolve("no-such-token");
        Run run = run("--repo", repo.dir.toString(), "--base", "v1", "--git-token-file", token.toString());
        assertThat(run.exitCode).isEqualTo(2);
        assertThat(run.err.lines()).containsExactly("tributary plan: cannot read the token file " + token
                + ": there is no such file; check --git-token-file (or TRIBUTARY_GIT_TOKEN_FILE)");
    }

    @Test
    void baseIsRequiredWithoutServer() {
        Run run = run("--repo", repo.dir.toString(), "--head", "main");
        assertThat(run.exitCode).isEqualTo(2);
        assertThat(run.err).contains("--base is required");
    }

    @Test
    void baseAndServerExcludeEachOther() {
        Run run = run("--repo", repo.dir.toString(), "--base", "v1", "--server", "http://localhost:1");
        assertThat(run.exitCode).isEqualTo(2);
        assertThat(run.err).contains("--base and --server exclude each other");
    }

    @Test
    void unknownFormatIsAUsageError() {
        Run run = run("--repo", repo.dir.toString(), "--base", "v1", "--format", "html");
        assertThat(run.exitCode).isEqualTo(2);
        assertThat(run.err).contains("--format");
    }

    @Test
    void aPlainFolderHasNoRevisionsToCompare() throws Exception {
        Path folder = temp.resolve("plain");
        io.tributary.config.TestRepos.baseWith(null, folder);
        Run run = run("--repo", folder.toString(), "--base", "main");
        assertThat(run.exitCode).isEqualTo(2);
        assertThat(run.err).contains("make it a Git repository to compare revisions");
    }

    @Test
    void workDirKeepsTheCloneForTheNextRun() {
        Path work = temp.resolve("work");
        assertThat(run("--repo", repo.dir.toString(), "--base", "v1", "--head", "main", "--work-dir", work.toString())
                .exitCode).isZero();
        assertThat(work.resolve("revisions").resolve(first.name())).isDirectory();
        assertThat(run("--repo", repo.dir.toString(), "--base", first.name().substring(0, 8), "--head", "main",
                "--work-dir", work.toString()).exitCode).isZero();
    }
}
