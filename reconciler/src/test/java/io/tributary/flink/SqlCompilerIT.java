package io.tributary.flink;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.stream.Stream;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/**
 * SqlCompiler with the real planners of Flink 1.20.1 and 2.3.0 in one JVM. Their jars are copied into
 * target/flink-&lt;version&gt;/ by reconciler/pom.xml (the service's resolver will provide them later).
 */
class SqlCompilerIT {

    private static final String TABLES = """
            CREATE TABLE orders (
              id BIGINT,
              customer STRING,
              amount DOUBLE
            ) WITH ('connector' = 'datagen', 'rows-per-second' = '5');
            CREATE TABLE shown (customer STRING, total DOUBLE) WITH ('connector' = 'print');
            """; // lines 1-6

    private static final String VALID = TABLES + """
            INSERT INTO shown
            SELECT customer, SUM(amount) FROM orders GROUP BY customer;
            """;

    /** URL_ENCODE came with Flink 2.0: which answer comes back shows which planner compiled it. */
    private static final String NEWER_FUNCTION = TABLES + """
            INSERT INTO shown
            SELECT URL_ENCODE(customer), amount FROM orders;
            """;

    private static SqlCompiler compiler;
    private static Path runnerJar;

    @BeforeAll
    static void startCompiler() {
        compiler = new SqlCompiler();
        runnerJar = SqlRunnerJar.locate(Path.of("target", "sql-runner-work"));
    }

    @AfterAll
    static void closeCompiler() {
        compiler.close();
    }

    @ParameterizedTest(name = "Flink {0}")
    @ValueSource(strings = {"1.20.1", "2.3.0"})
    void wrongColumnIsOneProblemAtItsLineAndColumnWithFlinksMessage(String version) {
        List<SqlProblem> problems = check(version, TABLES + """
                INSERT INTO shown
                SELECT custmer, amount FROM orders;
                """);

        assertThat(problems).singleElement().satisfies(problem -> {
            assertThat(problem.line()).isEqualTo(8);
            assertThat(problem.column()).isEqualTo(8);
            assertThat(problem.message()).isEqualTo("SQL validation failed. From line 8, column 8 to line 8,"
                    + " column 14: Column 'custmer' not found in any table");
        });
    }

    @ParameterizedTest(name = "Flink {0}")
    @ValueSource(strings = {"1.20.1", "2.3.0"})
    void validDatagenToPrintScriptHasNoProblems(String version) {
        assertThat(check(version, VALID)).isEmpty();
    }

    @ParameterizedTest(name = "Flink {0}")
    @ValueSource(strings = {"1.20.1", "2.3.0"})
    void missingConnectorIsReportedAtTheInsertThatNeedsIt(String version) {
        List<SqlProblem> problems = check(version, TABLES + """
                CREATE TABLE events (id BIGINT) WITH ('connector' = 'kafka', 'topic' = 'events');
                INSERT INTO events SELECT id FROM orders;
                """);

        assertThat(problems).singleElement().satisfies(problem -> {
            assertThat(problem.line()).isEqualTo(8);
            assertThat(problem.message()).contains("Could not find any factory for identifier 'kafka'");
        });
    }

    @Test
    void versionsTakeTurnsInOneJvmWithoutSeeingEachOther() {
        List<SqlProblem> first = check("1.20.1", NEWER_FUNCTION);
        List<SqlProblem> second = check("2.3.0", NEWER_FUNCTION);
        List<SqlProblem> third = check("1.20.1", NEWER_FUNCTION);

        assertThat(first).singleElement().satisfies(problem -> {
            assertThat(problem.line()).isEqualTo(8);
            assertThat(problem.message()).contains("No match found for function signature URL_ENCODE");
        });
        assertThat(second).isEmpty();
        assertThat(third).isEqualTo(first);
        assertThat(check("2.3.0", VALID)).isEmpty();
        assertThat(compiler.loaders()).hasSize(2);
    }

    private static List<SqlProblem> check(String version, String script) {
        long start = System.nanoTime();
        List<SqlProblem> problems = compiler.check(classpath(version), script);
        // the module has no SLF4J binding in tests; the timings belong in the build's output
        System.out.printf("SQL check flink=%s millis=%d problems=%d%n", version, (System.nanoTime() - start) / 1_000_000,
                problems.size());
        return problems;
    }

    private static List<Path> classpath(String version) {
        String property = version.startsWith("1.") ? "tributary.it.flink1" : "tributary.it.flink2";
        Path lib = Path.of(System.getProperty(property, "target/flink-" + version));
        assertThat(lib.getFileName().toString()).as("the pom's Flink versions").isEqualTo("flink-" + version);
        List<Path> classpath = new ArrayList<>();
        try (Stream<Path> jars = Files.list(lib)) {
            jars.filter(jar -> jar.toString().endsWith(".jar")).sorted().forEach(classpath::add);
        } catch (IOException e) {
            throw new UncheckedIOException("run through Maven: the pom copies Flink's jars into " + lib, e);
        }
        classpath.add(runnerJar);
        return classpath;
    }
}
