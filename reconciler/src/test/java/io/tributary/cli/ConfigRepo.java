package io.tributary.cli;

import io.tributary.config.TestRepos;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Instant;
import java.util.Comparator;
import java.util.TimeZone;
import java.util.stream.Stream;
import org.eclipse.jgit.api.Git;
import org.eclipse.jgit.api.errors.GitAPIException;
import org.eclipse.jgit.lib.PersonIdent;
import org.eclipse.jgit.revwalk.RevCommit;

/** A real Git repository whose working tree is set to the test base repo plus an overlay, commit by commit. */
final class ConfigRepo implements AutoCloseable {
    private static final Instant EPOCH = Instant.parse("2026-01-01T00:00:00Z");

    final Path dir;
    private final Git git;
    private int commits;

    private ConfigRepo(Path dir, Git git) {
        this.dir = dir;
        this.git = git;
    }

    static ConfigRepo init(Path dir) throws GitAPIException {
        return new ConfigRepo(dir, Git.init().setDirectory(dir.toFile()).setInitialBranch("main").call());
    }

    /** Replaces the working tree (below {@code folder}, "" for the top) with the base repo and {@code overlay}. */
    ConfigRepo tree(String folder, Path overlay) throws IOException {
        Path root = folder.isEmpty() ? dir : dir.resolve(folder);
        if (Files.isDirectory(root)) {
            try (Stream<Path> paths = Files.walk(root)) {
                for (Path p : paths.sorted(Comparator.reverseOrder()).toList()) {
                    if (!p.equals(root) && !dir.relativize(p).toString().startsWith(".git")) {
                        Files.delete(p);
                    }
                }
            }
        }
        Files.createDirectories(root);
        TestRepos.baseWith(overlay != null && Files.isDirectory(overlay) ? overlay : null, root);
        return this;
    }

    ConfigRepo tree(Path overlay) throws IOException {
        return tree("", overlay);
    }

    /** Stages everything (deletions too) and commits it. */
    RevCommit commit(String message) throws GitAPIException {
        git.add().addFilepattern(".").call();
        git.add().addFilepattern(".").setUpdate(true).call();
        PersonIdent who = new PersonIdent("Test", "test@example.com", EPOCH.plusSeconds(60L * ++commits),
                TimeZone.getTimeZone("UTC").toZoneId());
        return git.commit().setMessage(message).setAuthor(who).setCommitter(who).setSign(false).call();
    }

    void tag(String name) throws GitAPIException {
        git.tag().setName(name).setAnnotated(false).call();
    }

    @Override
    public void close() {
        git.close();
    }
}
