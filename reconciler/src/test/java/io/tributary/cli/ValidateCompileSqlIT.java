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

/** {@code validate --compile-sql}: the real planner's complaints, at the line of the config repository. */
class ValidateCompileSqlIT {
    private static final Path BASE = TestRepos.BASE;
    private static final String M2 = Path.of(System.getProperty("user.home"), ".m2", "repository").toString();

    @TempDir
    static Path data;

    @TempDir
    Path repo;

    private String[] run(Path directory) {
        StringWriter out = new StringWriter();
        CommandLine cli = new CommandLine(new ValidateCommand());
        cli.setOut(new PrintWriter(out));
        int code = cli.execute("--compile-sql", "--data-dir", data.toString(), "--maven-repository", M2,
                directory.toString());
        return new String[] {String.valueOf(code), out.toString()};
    }

    private void copyBase() {
        TestRepos.copyTree(BASE, repo);
    }

    @Test
    void validSqlCompiles() throws Exception {
        copyBase();
        String[] result = run(repo);
        assertThat(result[1]).isEqualTo("valid: 14 documents\n");
        assertThat(result[0]).isEqualTo("0");
    }

    @Test
    void aWrongColumnInASqlFileIsReportedAtItsLine() throws Exception {
        copyBase();
        Files.writeString(repo.resolve("sql/orders.sql"), """
                CREATE TABLE orders (id BIGINT) WITH ('connector' = 'datagen', 'rows-per-second' = '${orders_rate}');
                CREATE TABLE sink (id BIGINT) WITH ('connector' = 'blackhole');
                INSERT INTO sink
                SELECT idd FROM orders;
                """);
        String[] result = run(repo);
        assertThat(result[0]).isEqualTo("1");
        assertThat(result[1]).startsWith("sql/orders.sql:4:8: ").contains("idd").contains("Flink 1.20.1 planner")
                .endsWith("1 error\n");
    }

    @Test
    void aWrongTableInAnInlineScriptIsReportedAtItsYamlLine() throws Exception {
        copyBase();
        Files.writeString(repo.resolve("teams/payments/inline.yaml"), """
                apiVersion: tributary.io/v1
                kind: Application
                metadata: {name: inline, team: payments}
                spec:
                  flinkVersion: flink-2
                  deployment: {mode: yarn-application}
                  job:
                    type: sql
                    sql:
                      script: |
                        CREATE TABLE s (id BIGINT) WITH ('connector' = 'datagen');
                        CREATE TABLE t (id BIGINT) WITH ('connector' = 'blackhole');
                        INSERT INTO t SELECT id FROM nowhere;
                """);
        String[] result = run(repo);
        assertThat(result[0]).isEqualTo("1");
        assertThat(result[1]).as("the line and column in the YAML file, past the block's indentation")
                .startsWith("teams/payments/inline.yaml:13:38: ").contains("nowhere")
                .contains("Flink 2.3.0 planner");
    }
}
