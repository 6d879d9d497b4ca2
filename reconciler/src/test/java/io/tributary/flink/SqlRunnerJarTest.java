package io.tributary.flink;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.net.URL;
import java.net.URLClassLoader;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.FileTime;
import java.util.zip.ZipFile;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class SqlRunnerJarTest {

    @TempDir
    Path dir;

    @Test
    void withoutAnEmbeddedJarTheRunnersOwnJarOrClassesAreUsed() throws IOException {
        Path runner = SqlRunnerJar.locate(dir.resolve("work"));

        if (Files.isDirectory(runner)) {
            assertThat(runner.resolve("io/tributary/sqlrunner/SqlCheck.class")).isRegularFile();
        } else {
            assertThat(runner.getFileName().toString()).startsWith("tributary-sql-runner");
            try (ZipFile jar = new ZipFile(runner.toFile())) {
                assertThat(jar.getEntry("io/tributary/sqlrunner/SqlCheck.class")).isNotNull();
            }
        }
        assertThat(dir.resolve("work")).doesNotExist();
    }

    @Test
    void embeddedJarIsExtractedOnceUnderANameFromItsContent() throws IOException {
        Path work = dir.resolve("work");
        try (URLClassLoader service = serviceWithEmbeddedJar("first")) {
            Path extracted = SqlRunnerJar.locate(work, service);
            assertThat(extracted).hasParent(work).hasContent("first");
            assertThat(extracted.getFileName().toString()).matches("sql-runner-[0-9a-f]{16}\\.jar");

            FileTime written = FileTime.fromMillis(1_000_000);
            Files.setLastModifiedTime(extracted, written);
            assertThat(SqlRunnerJar.locate(work, service)).isEqualTo(extracted);
            assertThat(Files.getLastModifiedTime(extracted)).as("not written again").isEqualTo(written);
        }
        try (URLClassLoader upgraded = serviceWithEmbeddedJar("second")) {
            Path extracted = SqlRunnerJar.locate(work, upgraded);
            assertThat(extracted).hasContent("second");
            try (var files = Files.list(work)) {
                assertThat(files.map(f -> f.getFileName().toString())).hasSize(2).noneMatch(n -> n.endsWith(".partial"));
            }
        }
    }

    /** A class loader that holds the resource as the packaged service does. */
    private URLClassLoader serviceWithEmbeddedJar(String content) throws IOException {
        Path classes = Files.createTempDirectory(dir, "classes");
        Files.createDirectories(classes.resolve("tributary"));
        Files.writeString(classes.resolve(SqlRunnerJar.RESOURCE), content);
        return new URLClassLoader(new URL[] {classes.toUri().toURL()}, null);
    }
}
