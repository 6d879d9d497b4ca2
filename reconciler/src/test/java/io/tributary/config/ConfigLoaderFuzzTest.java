package io.tributary.config;

import static org.assertj.core.api.Assertions.assertThat;
import static org.junit.jupiter.api.Assertions.assertTimeoutPreemptively;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.stream.Stream;
import net.jqwik.api.Arbitraries;
import net.jqwik.api.Arbitrary;
import net.jqwik.api.Combinators;
import net.jqwik.api.Example;
import net.jqwik.api.ForAll;
import net.jqwik.api.Property;
import net.jqwik.api.Provide;

/**
 * The config loader fuzzed (jqwik): random YAML-like text, and the sample repository with random
 * edits of the kinds a hurried user or a bad merge makes. Whatever the input, {@code load} returns
 * (never throws), within seconds (never hangs), and every error it reports names a file of the
 * repository and a line in it, so {@code validate} can point at the problem.
 */
class ConfigLoaderFuzzTest {
    private static final Path SAMPLE = Path.of("../sample-repo");
    /** Per try: far above a real load (well under a second), far below a hang. */
    private static final Duration TRY_TIMEOUT = Duration.ofSeconds(20);
    private static final ConfigLoader LOADER = new ConfigLoader();

    /** Pieces YAML parsers trip on, and pieces of our kinds, so random text gets far into the loader. */
    private static final List<String> TOKENS = List.of(
            "apiVersion: tributary.io/v1\n", "apiVersion: v2\n", "kind: Application\n", "kind: Cluster\n",
            "kind: Team\n", "kind: Variable\n", "kind: FlinkVersion\n", "kind: Settings\n", "kind: User\n",
            "metadata:\n", "metadata: {name: a, team: t}\n", "  name: app\n", "  team: payments\n", "spec:\n",
            "  deployment: {mode: standalone-session, cluster: local}\n", "  job: {type: sql, sql: {file: ../../etc/passwd}}\n",
            "  parallelism: ", "  upgradeMode: savepoint\n", "  checkpoints: {interval: 10s}\n", "  value: ",
            "---\n", "...\n", "- ", "[", "]", "{", "}", ": ", ", ", "&a ", "*a ", "*b ", "<<: *a\n", "!!binary ",
            "!!str ", "!!map ", "!custom ", "? ", "|\n", ">-\n", "\t", "  ", "    ", "\n", "\r\n", "'", "\"", "# c\n",
            "~", "null", "true", "yes", "${x}", "${", "}", "$${y}", "%YAML 1.2\n", "%TAG ! tag:x:\n", "\u0000",
            "\uFEFF", "\u00e9", "\uD83D\uDE00", "1e999", "0x1F", "-0", ".inf", "99999999999999999999999", "2s",
            "-1", "a", "b", "local", "flink-1.20", "team");

    @Property(tries = 200)
    void randomTextNeverBreaksTheLoader(@ForAll("yamlish") String text) {
        Path repo = newRepo();
        try {
            write(repo.resolve("platform/fuzz.yaml"), text);
            assertLoadsWithLocatedErrors(repo);
        } finally {
            delete(repo);
        }
    }

    @Property(tries = 50)
    void editedSampleRepositoryNeverBreaksTheLoader(@ForAll("sampleFiles") Path file,
            @ForAll("edits") List<Edit> edits) {
        Path repo = newRepo();
        try {
            TestRepos.copyTree(SAMPLE, repo);
            Path target = repo.resolve(SAMPLE.relativize(file).toString());
            List<String> lines = new ArrayList<>(List.of(read(target).split("\n", -1)));
            for (Edit edit : edits) {
                edit.apply(lines);
            }
            write(target, String.join("\n", lines));
            assertLoadsWithLocatedErrors(repo);
        } finally {
            delete(repo);
        }
    }

    @Example
    void aliasBombIsRefusedAtItsLine() {
        StringBuilder yaml = new StringBuilder("a0: &a0 [x, x, x, x, x, x, x, x, x, x]\n");
        for (int i = 1; i < 30; i++) {
            yaml.append("a").append(i).append(": &a").append(i).append(" [");
            for (int j = 0; j < 10; j++) {
                yaml.append(j == 0 ? "" : ", ").append("*a").append(i - 1);
            }
            yaml.append("]\n");
        }
        assertThat(loadOne(yaml.toString())).isNotEmpty();
    }

    @Example
    void deepNestingIsRefusedNotAStackOverflow() {
        assertThat(loadOne("a: " + "[".repeat(100_000))).isNotEmpty();
        assertThat(loadOne("a:\n" + "  - ".repeat(5_000) + "x\n")).isNotEmpty();
    }

    @Example
    void hugeAndBinaryFilesAreErrorsOfTheirFile() throws IOException {
        assertThat(loadOne("k: " + "x".repeat(9 * 1024 * 1024))).isNotEmpty();
        assertThat(loadOne("k: " + "x".repeat(1024 * 1024))).isNotEmpty();
        assertThat(loadOne("k: \"" + "x ".repeat(100_000) + "\"\n")).isNotEmpty(); // long but allowed: quick
        Path repo = newRepo();
        try {
            Files.createDirectories(repo.resolve("platform"));
            Files.write(repo.resolve("platform/binary.yaml"), new byte[] {(byte) 0xC3, 0x28, 0x00, (byte) 0xFF, 0x0A});
            assertThat(assertLoadsWithLocatedErrors(repo)).isNotEmpty();
        } finally {
            delete(repo);
        }
    }

    // ---- what every try checks

    private static List<ConfigError> loadOne(String text) {
        Path repo = newRepo();
        try {
            write(repo.resolve("platform/one.yaml"), text);
            return assertLoadsWithLocatedErrors(repo);
        } finally {
            delete(repo);
        }
    }

    private static List<ConfigError> assertLoadsWithLocatedErrors(Path repo) {
        ConfigLoader.Result result = assertTimeoutPreemptively(TRY_TIMEOUT, () -> LOADER.load(repo),
                "the loader did not return within " + TRY_TIMEOUT);
        assertThat(result).isNotNull();
        for (ConfigError error : result.errors()) {
            assertThat(error.file()).as("file of %s", error).isNotBlank();
            assertThat(repo.resolve(error.file())).as("file of %s", error).exists();
            assertThat(error.line()).as("line of %s", error).isPositive();
            int lines = lineCount(repo.resolve(error.file()));
            assertThat(error.line()).as("line of %s (the file has %d)", error, lines).isLessThanOrEqualTo(lines + 1);
            assertThat(error.column()).as("column of %s", error).isPositive();
            assertThat(error.message()).as("message of %s", error).isNotBlank();
        }
        if (result.valid()) {
            assertThat(result.state()).as("the state of a valid load").isNotNull();
        }
        return result.errors();
    }

    // ---- generators

    @Provide
    Arbitrary<String> yamlish() {
        Arbitrary<String> tokens = Arbitraries.of(TOKENS).list().ofMaxSize(120).map(l -> String.join("", l));
        Arbitrary<String> chars = Arbitraries.strings().all().ofMaxLength(400);
        Arbitrary<String> printable = Arbitraries.strings().withChars(":-[]{}&*!|>'\"#%@`,?\n\t abc0123").ofMaxLength(400);
        return Arbitraries.frequencyOf(
                net.jqwik.api.Tuple.of(6, tokens), net.jqwik.api.Tuple.of(2, chars), net.jqwik.api.Tuple.of(2, printable));
    }

    @Provide
    Arbitrary<Path> sampleFiles() {
        try (Stream<Path> files = Files.walk(SAMPLE)) {
            return Arbitraries.of(files.filter(f -> f.toString().endsWith(".yaml") || f.toString().endsWith(".sql"))
                    .sorted().toList());
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    /** One edit of a file's lines, at a position taken modulo the file's length. */
    record Edit(String kind, int at, String text) {
        void apply(List<String> lines) {
            if (lines.isEmpty()) {
                lines.add(text);
                return;
            }
            int i = Math.floorMod(at, lines.size());
            String line = lines.get(i);
            switch (kind) {
                case "delete" -> lines.remove(i);
                case "duplicate" -> lines.add(i, line);
                case "swap" -> {
                    int j = Math.floorMod(at * 31 + 7, lines.size());
                    lines.set(i, lines.get(j));
                    lines.set(j, line);
                }
                case "indent" -> lines.set(i, "  " + line);
                case "dedent" -> lines.set(i, line.stripLeading());
                case "tab" -> lines.set(i, "\t" + line);
                case "insert" -> lines.add(i, text);
                case "replace-value" -> {
                    int colon = line.indexOf(": ");
                    lines.set(i, colon < 0 ? text : line.substring(0, colon + 2) + text);
                }
                case "splice" -> {
                    int c = Math.floorMod(at, line.length() + 1);
                    lines.set(i, line.substring(0, c) + text + line.substring(c));
                }
                case "truncate" -> lines.subList(i, lines.size()).clear();
                default -> throw new IllegalArgumentException(kind);
            }
        }
    }

    @Provide
    Arbitrary<List<Edit>> edits() {
        Arbitrary<String> kinds = Arbitraries.of("delete", "duplicate", "swap", "indent", "dedent", "tab", "insert",
                "replace-value", "splice", "truncate");
        Arbitrary<String> texts = Arbitraries.oneOf(Arbitraries.of(TOKENS),
                Arbitraries.of("[", "{a: ", "&x", "*x", "${nope}", "${", "-1", "0", "999999999999", "1.5", "[]", "{}",
                        "''", "\"\"", "local", "lcoal", "RUNNING", "sql/../../x.sql", "/etc/passwd", "x".repeat(5000)),
                Arbitraries.strings().all().ofMaxLength(40));
        Arbitrary<Edit> edit = Combinators.combine(kinds, Arbitraries.integers().between(0, 10_000), texts)
                .as(Edit::new);
        return edit.list().ofMinSize(1).ofMaxSize(4);
    }

    // ---- files

    private static Path newRepo() {
        try {
            return Files.createTempDirectory("tributary-fuzz-");
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    private static void write(Path file, String text) {
        try {
            Files.createDirectories(file.getParent());
            Files.write(file, text.getBytes(StandardCharsets.UTF_8)); // a lone surrogate becomes '?'

        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    private static String read(Path file) {
        try {
            return Files.readString(file, StandardCharsets.UTF_8);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    private static int lineCount(Path file) {
        try {
            byte[] bytes = Files.readAllBytes(file);
            int n = 1;
            for (byte b : bytes) {
                if (b == '\n') {
                    n++;
                }
            }
            return n;
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    private static void delete(Path dir) {
        try (Stream<Path> paths = Files.walk(dir)) {
            paths.sorted(Comparator.reverseOrder()).forEach(p -> p.toFile().delete());
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }
}
