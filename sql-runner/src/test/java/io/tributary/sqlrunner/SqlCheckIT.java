package io.tributary.sqlrunner;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.file.Files;
import java.nio.file.Path;
import java.io.IOException;
import java.util.List;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** SqlCheck on Flink 1.20.1's real planner, in this JVM (the module's test-scoped table jars). */
class SqlCheckIT {

    private static final String TABLES = """
            CREATE TABLE orders (
              id BIGINT,
              customer STRING,
              amount DOUBLE
            ) WITH ('connector' = 'datagen');
            CREATE TABLE totals (customer STRING, total DOUBLE) WITH ('connector' = 'blackhole');
            """; // lines 1-6

    @TempDir
    Path dir;

    @Test
    void validScriptHasNoProblems() {
        assertThat(SqlCheck.check(TABLES + """
                INSERT INTO totals
                SELECT customer, SUM(amount) FROM orders GROUP BY customer;
                """)).isEmpty();
    }

    @Test
    void wrongColumnIsReportedAtItsLineAndColumnInTheScript() {
        List<String> problems = SqlCheck.check(TABLES + """
                INSERT INTO totals
                SELECT custmer, amount FROM orders;
                """);

        assertThat(problems).singleElement().satisfies(problem -> {
            assertThat(problem).startsWith("8:8:");
            assertThat(problem).contains("Column 'custmer' not found in any table");
            // Flink's own "From line 2, column 8" is about the statement: shown as the file's line
            assertThat(problem).contains("SQL validation failed. From line 8, column 8 to line 8, column 14");
        });
    }

    @Test
    void unknownTableIsReportedWhereItIsNamed() {
        List<String> problems = SqlCheck.check(TABLES + "INSERT INTO totals SELECT customer, amount FROM ordres;\n");

        assertThat(problems).singleElement().satisfies(problem -> {
            assertThat(problem).startsWith("7:49:");
            assertThat(problem).contains("Object 'ordres' not found");
        });
    }

    @Test
    void syntaxErrorIsReportedAtTheToken() {
        List<String> problems = SqlCheck.check(TABLES + """
                INSERT INTO totals
                SELECT customer, FROM orders;
                """);

        assertThat(problems).singleElement().satisfies(problem -> {
            assertThat(problem).startsWith("8:18:");
            assertThat(problem).contains("SQL parse failed. Incorrect syntax near the keyword 'FROM' at line 8, column 18")
                    .doesNotContain("Was expecting one of");
        });
    }

    @Test
    void goesOnAfterAFailingInsertButStopsAfterAFailingDdl() {
        List<String> problems = SqlCheck.check(TABLES + """
                INSERT INTO totals SELECT nope, amount FROM orders;
                INSERT INTO totals SELECT customer, nope FROM orders;
                CREATE TABLE broken (x INTEGR) WITH ('connector' = 'blackhole');
                INSERT INTO broken SELECT 1;
                INSERT INTO totals SELECT 1;
                """);

        assertThat(problems).hasSize(3);
        assertThat(problems.get(0)).startsWith("7:27:").contains("Column 'nope' not found");
        assertThat(problems.get(1)).startsWith("8:37:").contains("Column 'nope' not found");
        assertThat(problems.get(2)).startsWith("9:").contains("INTEGR");
    }

    @Test
    void datagenSourceIntoFilesystemSinkPlans() throws IOException {
        String script = """
                SET 'execution.runtime-mode' = 'batch';
                CREATE TABLE numbers (id BIGINT, label STRING)
                  WITH ('connector' = 'datagen', 'number-of-rows' = '10');
                CREATE TABLE out_rows (id BIGINT, label STRING)
                  WITH ('connector' = 'filesystem', 'path' = '%s', 'format' = 'csv');
                EXECUTE STATEMENT SET BEGIN
                  INSERT INTO out_rows SELECT id, label FROM numbers WHERE id > 0;
                END;
                """.formatted(dir.resolve("out").toUri());

        assertThat(SqlCheck.check(script)).isEmpty();
        // Flink's batch file sink makes its (empty) staging directory while it is planned; no rows are written
        assertThat(regularFiles(dir)).isEmpty();
    }

    @Test
    void connectorOptionsAreCheckedByTheFactory() {
        List<String> problems = SqlCheck.check("""
                CREATE TABLE src (id BIGINT) WITH ('connector' = 'datagen', 'rows-per-secnd' = '5');
                CREATE TABLE dst (id BIGINT) WITH ('connector' = 'no-such-connector');
                INSERT INTO dst SELECT id FROM src;
                """);

        assertThat(problems).singleElement().satisfies(problem -> {
            assertThat(problem).startsWith("3:1:");
            assertThat(problem).contains("Unsupported options found for 'datagen'").contains("rows-per-secnd");
        });
    }

    @Test
    void batchModeFromTheScriptIsWhatThePlannerSees() {
        String unboundedIntoBatch = """
                SET 'execution.runtime-mode' = 'batch';
                CREATE TABLE src (id BIGINT) WITH ('connector' = 'datagen');
                CREATE TABLE dst (id BIGINT) WITH ('connector' = 'blackhole');
                INSERT INTO dst SELECT id FROM src;
                """;

        assertThat(SqlCheck.check(unboundedIntoBatch)).singleElement()
                .satisfies(problem -> assertThat(problem).startsWith("4:1:").containsIgnoringCase("unbounded"));
        assertThat(SqlCheck.check(unboundedIntoBatch.replace("'batch'", "'streaming'"))).isEmpty();
    }

    @Test
    void runnerRulesAreReportedToo() {
        List<String> problems = SqlCheck.check("""
                CREATE TABLE src (id BIGINT) WITH ('connector' = 'datagen');
                SELECT id FROM src;
                """);

        assertThat(problems).containsExactly(
                "2:1:a query at the top level has nowhere to write its rows: a job must write to a table,"
                        + " so use INSERT INTO <table> SELECT ...",
                "0:0:the script has no INSERT statement, so there is no job to run: a SQL application must write"
                        + " to a table (INSERT INTO <table> SELECT ...)");
    }

    @Test
    void unclosedQuoteIsReportedWhereItOpens() {
        assertThat(SqlCheck.check("CREATE TABLE t (id BIGINT) WITH ('connector' = 'datagen);\n"))
                .singleElement().satisfies(problem -> assertThat(problem).startsWith("1:48:string literal is never closed"));
    }

    @Test
    void statementsThatWouldRunJobsAreOnlyValidated() {
        Path written = dir.resolve("compiled-plan.json");
        List<String> problems = SqlCheck.check("""
                CREATE TABLE src (id BIGINT) WITH ('connector' = 'datagen');
                CREATE TABLE dst (id BIGINT) WITH ('connector' = 'blackhole');
                COMPILE PLAN '%s' FOR INSERT INTO dst SELECT id FROM src;
                INSERT INTO dst SELECT id FROM src;
                """.formatted(written.toUri()));

        assertThat(problems).isEmpty();
        assertThat(Files.exists(written)).as("COMPILE PLAN wrote its file").isFalse();
    }

    @Test
    void externalCatalogEndsTheCheckWithoutConnecting() {
        List<String> problems = SqlCheck.check("""
                CREATE CATALOG warehouse WITH ('type' = 'jdbc', 'base-url' = 'jdbc:postgresql://db.invalid:5432');
                INSERT INTO warehouse.public.t SELECT 1;
                """);

        // Flink 1.20.1 here has no jdbc catalog factory, but parsing does not look for one
        assertThat(problems).isEmpty();
    }

    private static List<Path> regularFiles(Path root) throws IOException {
        try (Stream<Path> files = Files.walk(root)) {
            return files.filter(Files::isRegularFile).toList();
        }
    }
}
