package io.tributary.config;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.util.stream.Stream;

/** Config repositories for tests: a small valid base, with a case's files laid over a copy of it. */
public final class TestRepos {
    public static final Path ROOT = Path.of("src/test/resources/repos");
    public static final Path BASE = ROOT.resolve("base");

    private TestRepos() {}

    /** A copy of the base repository under {@code target} with {@code overlay}'s files added or replaced. */
    public static Path baseWith(Path overlay, Path target) {
        copyTree(BASE, target);
        if (overlay != null) {
            copyTree(overlay, target);
        }
        return target;
    }

    public static void copyTree(Path from, Path to) {
        try (Stream<Path> paths = Files.walk(from)) {
            for (Path source : paths.toList()) {
                Path relative = from.relativize(source);
                if (relative.toString().equals("expected.txt")) {
                    continue;
                }
                Path destination = to.resolve(relative.toString());
                if (Files.isDirectory(source)) {
                    Files.createDirectories(destination);
                } else {
                    Files.copy(source, destination, StandardCopyOption.REPLACE_EXISTING);
                }
            }
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }
}
