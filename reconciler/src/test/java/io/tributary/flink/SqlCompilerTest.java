package io.tributary.flink;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.io.IOException;
import java.net.URISyntaxException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.slf4j.LoggerFactory;

/**
 * The class-loader bookkeeping, without Flink: a script the splitter rejects never reaches Flink's
 * classes, so the runner jar and SLF4J alone answer. SqlCompilerIT checks with the planners of real versions.
 */
class SqlCompilerTest {

    /** Fails in the splitter, before any Flink class is needed. */
    private static final String UNCLOSED = "CREATE TABLE t (x INT)\nWITH ('connector' = 'datagen);";

    @TempDir
    Path dir;

    private final Path runnerJar = SqlRunnerJar.locate(Path.of("target", "sql-runner-work"));
    /** Every Flink lib has SLF4J, which the runner logs with: the runner alone cannot load. */
    private final Path slf4j = codeSource(LoggerFactory.class);

    @Test
    void problemsComeBackWithTheirPositions() {
        try (SqlCompiler compiler = new SqlCompiler()) {
            assertThat(compiler.check(List.of(runnerJar, slf4j), UNCLOSED))
                    .containsExactly(new SqlProblem(2, 21, "string literal is never closed: the closing ' is missing"));
        }
    }

    @Test
    void theServicesClassesAreNotVisibleToTheCheck() throws ClassNotFoundException {
        try (SqlCompiler compiler = new SqlCompiler()) {
            compiler.check(List.of(runnerJar, slf4j), UNCLOSED);
            ClassLoader loader = compiler.loaders().values().iterator().next();

            assertThat(loader.getParent()).isSameAs(ClassLoader.getPlatformClassLoader());
            assertThat(loader.loadClass("io.tributary.sqlrunner.SqlCheck").getClassLoader()).isSameAs(loader);
            assertThat(loader.loadClass("org.slf4j.LoggerFactory")).as("its own copy").isNotSameAs(LoggerFactory.class);
            assertThatThrownBy(() -> loader.loadClass(SqlCompiler.class.getName()))
                    .isInstanceOf(ClassNotFoundException.class);
        }
    }

    @Test
    void theSameClassPathReusesItsLoader() {
        try (SqlCompiler compiler = new SqlCompiler()) {
            compiler.check(List.of(runnerJar, slf4j), UNCLOSED);
            Path parent = runnerJar.toAbsolutePath().getParent();
            Path roundabout = parent.resolve("..").resolve(parent.getFileName()).resolve(runnerJar.getFileName());
            compiler.check(List.of(roundabout, slf4j), UNCLOSED);

            assertThat(compiler.loaders()).hasSize(1);
        }
    }

    @Test
    void leastRecentlyUsedLoaderIsClosedWhenMoreAreNeeded() throws IOException {
        Path a = Files.createDirectory(dir.resolve("a"));
        Path b = Files.createDirectory(dir.resolve("b"));
        Path c = Files.createDirectory(dir.resolve("c"));
        try (SqlCompiler compiler = new SqlCompiler(2)) {
            compiler.check(List.of(runnerJar, slf4j, a), UNCLOSED);
            ClassLoader first = compiler.loaders().values().iterator().next();
            compiler.check(List.of(runnerJar, slf4j, b), UNCLOSED);
            compiler.check(List.of(runnerJar, slf4j, a), UNCLOSED); // a is now the most recently used
            compiler.check(List.of(runnerJar, slf4j, c), UNCLOSED);

            assertThat(compiler.loaders().keySet()).extracting(classpath -> classpath.get(2).getFileName().toString())
                    .containsExactly("a", "c");
            assertThat(compiler.loaders()).containsValue(first);
        }
    }

    @Test
    void evictedAndClosedLoadersAreClosed() throws IOException {
        Path a = Files.createDirectory(dir.resolve("a"));
        SqlCompiler compiler = new SqlCompiler(1);
        compiler.check(List.of(runnerJar, slf4j, a), UNCLOSED);
        ClassLoader evicted = compiler.loaders().values().iterator().next();
        compiler.check(List.of(runnerJar, slf4j), UNCLOSED);
        ClassLoader kept = compiler.loaders().values().iterator().next();
        assertThat(evicted.getResource("io/tributary/sqlrunner/SqlCheck.class")).as("closed").isNull();
        assertThat(kept.getResource("io/tributary/sqlrunner/SqlCheck.class")).isNotNull();

        compiler.close();

        assertThat(kept.getResource("io/tributary/sqlrunner/SqlCheck.class")).as("closed").isNull();
        assertThatThrownBy(() -> compiler.check(List.of(runnerJar, slf4j), UNCLOSED)).isInstanceOf(IllegalStateException.class);
    }

    @Test
    void classPathWithoutTheRunnerIsRefused() {
        try (SqlCompiler compiler = new SqlCompiler()) {
            assertThatThrownBy(() -> compiler.check(List.of(dir), UNCLOSED))
                    .isInstanceOf(IllegalStateException.class)
                    .hasMessageContaining("holds no SQL runner jar");
        }
    }

    @Test
    void missingClassPathEntryIsRefused() {
        try (SqlCompiler compiler = new SqlCompiler()) {
            assertThatThrownBy(() -> compiler.check(List.of(runnerJar, slf4j, dir.resolve("flink-core.jar")), UNCLOSED))
                    .isInstanceOf(IllegalArgumentException.class)
                    .hasMessageContaining("flink-core.jar");
        }
    }

    private static Path codeSource(Class<?> type) {
        try {
            return Path.of(type.getProtectionDomain().getCodeSource().getLocation().toURI());
        } catch (URISyntaxException e) {
            throw new IllegalStateException(e);
        }
    }

    @Test
    void problemTextIsReadAsLineColumnMessage() {
        assertThat(SqlProblem.parse("12:5:Column 'x' not found: really")).isEqualTo(new SqlProblem(12, 5,
                "Column 'x' not found: really"));
        assertThat(SqlProblem.parse("0:0:no INSERT")).isEqualTo(new SqlProblem(0, 0, "no INSERT"));
        assertThat(new SqlProblem(3, 1, "m")).hasToString("3:1: m");
        assertThatThrownBy(() -> SqlProblem.parse("12:oops")).isInstanceOf(IllegalArgumentException.class);
    }
}
