package io.tributary.config;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.stream.Collectors;
import java.util.stream.Stream;
import org.junit.jupiter.api.DynamicTest;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestFactory;
import org.junit.jupiter.api.io.TempDir;

/**
 * The corpus under {@code src/test/resources/repos/}: each folder of {@code invalid/} is laid over
 * the valid base repository and must give exactly the errors in its {@code expected.txt}; each
 * folder of {@code valid/} must load without any.
 */
class ConfigCorpusTest {
    private static final ConfigLoader LOADER = new ConfigLoader();

    @TempDir
    Path temp;

    @Test
    void baseRepositoryIsValid() {
        assertThat(LOADER.load(TestRepos.BASE).errors()).isEmpty();
    }

    @TestFactory
    Stream<DynamicTest> eachInvalidCaseReportsExactlyItsErrors() throws IOException {
        List<Path> cases = caseFolders("invalid");
        assertThat(cases).hasSizeGreaterThanOrEqualTo(40);
        return cases.stream().map(folder -> DynamicTest.dynamicTest(folder.getFileName().toString(), () -> {
            Path repo = TestRepos.baseWith(folder, Files.createTempDirectory(temp, "repo"));
            String actual = LOADER.load(repo).errors().stream()
                    .map(ConfigError::toString)
                    .collect(Collectors.joining("\n"));
            String expected = Files.readString(folder.resolve("expected.txt")).strip();
            assertThat(actual).isEqualTo(expected);
        }));
    }

    @TestFactory
    Stream<DynamicTest> eachValidCaseLoadsWithoutErrors() throws IOException {
        return caseFolders("valid").stream().map(folder -> DynamicTest.dynamicTest(folder.getFileName().toString(),
                () -> {
                    Path repo = TestRepos.baseWith(folder, Files.createTempDirectory(temp, "repo"));
                    assertThat(LOADER.load(repo).errors()).isEmpty();
                }));
    }

    private static List<Path> caseFolders(String kind) throws IOException {
        try (Stream<Path> folders = Files.list(TestRepos.ROOT.resolve(kind))) {
            return folders.filter(Files::isDirectory).sorted().toList();
        }
    }
}
