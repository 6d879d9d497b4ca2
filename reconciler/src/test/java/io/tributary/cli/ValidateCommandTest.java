package io.tributary.cli;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.PrintWriter;
import java.io.StringWriter;
import java.nio.file.Files;
import java.nio.file.Path;
import io.tributary.config.TestRepos;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import picocli.CommandLine;

/** The command as CI calls it: exit codes and the three output formats. */
class ValidateCommandTest {
    private static final Path BASE = TestRepos.BASE;
    private static final Path UNKNOWN_CLUSTER = Path.of("src/test/resources/repos/invalid/unknown-cluster");

    @TempDir
    Path temp;

    private record Run(int exitCode, String out, String err) {}

    private static Run run(String... args) {
        StringWriter out = new StringWriter();
        StringWriter err = new StringWriter();
        CommandLine cli = new CommandLine(new ValidateCommand()).setCaseInsensitiveEnumValuesAllowed(true);
        cli.setOut(new PrintWriter(out));
        cli.setErr(new PrintWriter(err));
        int code = cli.execute(args);
        return new Run(code, out.toString(), err.toString());
    }

    private Path brokenRepo() {
        return TestRepos.baseWith(UNKNOWN_CLUSTER, temp.resolve("repo"));
    }

    @Test
    void validRepositoryExitsZero() {
        Run run = run(BASE.toString());
        assertThat(run.exitCode).isZero();
        assertThat(run.out).contains("valid: 14 documents");
    }

    @Test
    void invalidRepositoryExitsOneWithLocatedErrors() throws Exception {
        Run run = run(brokenRepo().toString());
        assertThat(run.exitCode).isEqualTo(1);
        assertThat(run.out).startsWith("teams/payments/case.yaml:7:14: spec.deployment.cluster: cluster \"lcoal\""
                + " does not exist; did you mean \"local\"?\n").endsWith("1 error\n");
    }

    @Test
    void githubFormatPrintsWorkflowAnnotations() throws Exception {
        Run run = run("--format", "github", brokenRepo().toString());
        assertThat(run.out).startsWith("::error file=teams/payments/case.yaml,line=7,col=14::spec.deployment.cluster:"
                + " cluster \"lcoal\" does not exist; did you mean \"local\"?\n");
    }

    @Test
    void jsonFormatListsErrorsAsObjects() throws Exception {
        Run run = run("--format=json", brokenRepo().toString());
        assertThat(run.out).contains("\"valid\" : false", "\"file\" : \"teams/payments/case.yaml\"", "\"line\" : 7",
                "\"column\" : 14", "\"field\" : \"spec.deployment.cluster\"");
    }

    @Test
    void missingDirectoryIsAUsageError() {
        Run run = run(temp.resolve("nope").toString());
        assertThat(run.exitCode).isEqualTo(2);
        assertThat(run.err).contains("is not a directory");
    }

    @Test
    void aFolderWithoutAnyDocumentIsAUsageErrorNotAPass() throws Exception {
        Path empty = Files.createDirectories(temp.resolve("not-the-config"));
        Files.writeString(empty.resolve("README.md"), "# something else\n");
        Run run = run(empty.toString());
        assertThat(run.exitCode).isEqualTo(2);
        assertThat(run.err).contains("holds no YAML documents");
    }

    @Test
    void compileSqlNamesTheMissingSecretOfAMavenRepositoryBeforeResolvingAnything() throws Exception {
        Path repo = TestRepos.baseWith(null, temp.resolve("repo"));
        Files.writeString(repo.resolve("platform/settings.yaml"), """
                apiVersion: tributary.io/v1
                kind: Settings
                metadata: {name: platform}
                spec:
                  maven:
                    repositories:
                      - id: corp
                        url: https://nexus.example.com/repository/maven
                        credentials: {secret: {env: TRIBUTARY_TEST_UNSET_NEXUS_TOKEN}}
                """);
        Path data = temp.resolve("data");

        Run run = run("--compile-sql", "--data-dir", data.toString(), "--maven-repository", temp.resolve("m2").toString(),
                repo.toString());

        assertThat(run.exitCode).isEqualTo(2);
        assertThat(run.err).isEqualTo("tributary validate: --compile-sql cannot get the jars it needs: Settings"
                + " \"platform\" spec.maven.repositories[corp].credentials: environment variable"
                + " TRIBUTARY_TEST_UNSET_NEXUS_TOKEN is not set\n");
        assertThat(run.out).isEmpty();
        assertThat(data.resolve("flink")).doesNotExist();
    }

    @Test
    void unknownFormatIsAUsageError() {
        Run run = run("--format", "xml", BASE.toString());
        assertThat(run.exitCode).isEqualTo(2);
        assertThat(run.err).contains("--format");
    }
}
