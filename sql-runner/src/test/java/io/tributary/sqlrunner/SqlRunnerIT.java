package io.tributary.sqlrunner;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Base64;
import java.util.List;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Runs SqlRunner.main in this JVM on Flink 1.20.1's local executor (a MiniCluster per job), the
 * way the cluster runs it from the REST run endpoint: the script arrives as base64.
 */
class SqlRunnerIT {

    @TempDir
    Path dir;

    @Test
    void runsScriptAsOneJobWritingEveryInsert() {
        Path rows = dir.resolve("rows");
        Path counts = dir.resolve("counts");
        String script = """
                -- a bounded batch job, and wait for it, so the test can read what it wrote
                SET 'execution.runtime-mode' = 'batch';
                SET 'table.dml-sync' = 'true';
                SET parallelism.default = 1;
                SET 'pipeline.name' = 'it-numbers';

                CREATE TABLE numbers (id BIGINT, label STRING) WITH (
                  'connector' = 'datagen',
                  'number-of-rows' = '50',
                  'fields.id.min' = '1', 'fields.id.max' = '1000',
                  'fields.label.length' = '5'
                );
                CREATE TABLE all_rows (id BIGINT, label STRING)
                  WITH ('connector' = 'filesystem', 'path' = '%s', 'format' = 'csv');
                CREATE TABLE row_count (n BIGINT)
                  WITH ('connector' = 'filesystem', 'path' = '%s', 'format' = 'csv');

                EXECUTE STATEMENT SET BEGIN
                  INSERT INTO all_rows SELECT id, label FROM numbers;
                  INSERT INTO row_count SELECT COUNT(*) FROM numbers; -- a semicolon; in a comment
                END;
                """.formatted(rows.toUri(), counts.toUri());

        SqlRunner.main(new String[] {"--script-base64", base64(script), "--name", "it"});

        assertThat(dataLines(rows)).hasSize(50).allMatch(line -> line.matches("\\d+,\\w{5}"));
        assertThat(dataLines(counts)).containsExactly("50");
    }

    @Test
    void rejectedStatementIsReportedAtItsScriptLineWithFlinksMessage() {
        String script = """
                CREATE TABLE numbers (id BIGINT) WITH ('connector' = 'datagen', 'number-of-rows' = '1');
                CREATE TABLE sink (id BIGINT) WITH ('connector' = 'blackhole');

                INSERT INTO sink
                SELECT id FROM nope;
                """;

        assertThatThrownBy(() -> SqlRunner.main(new String[] {"--script-base64", base64(script)}))
                .isInstanceOf(SqlScriptException.class)
                .hasMessageStartingWith("line 5, column 16: Flink rejected the statement starting at line 4, column 1:")
                .hasMessageContaining("Object 'nope' not found");
    }

    private static String base64(String script) {
        return Base64.getEncoder().encodeToString(script.getBytes(StandardCharsets.UTF_8));
    }

    /** Lines of the files a filesystem sink committed; staging and hidden files start with '.' or '_'. */
    private static List<String> dataLines(Path sinkDir) {
        try (Stream<Path> files = Files.walk(sinkDir)) {
            return files.filter(Files::isRegularFile)
                    .filter(file -> !file.getFileName().toString().startsWith(".")
                            && !file.getFileName().toString().startsWith("_"))
                    .flatMap(file -> {
                        try {
                            return Files.readAllLines(file, StandardCharsets.UTF_8).stream();
                        } catch (IOException e) {
                            throw new UncheckedIOException(e);
                        }
                    })
                    .filter(line -> !line.isBlank())
                    .toList();
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }
}
