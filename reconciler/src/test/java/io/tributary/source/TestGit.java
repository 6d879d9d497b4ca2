package io.tributary.source;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Instant;
import java.util.TimeZone;
import org.eclipse.jgit.api.Git;
import org.eclipse.jgit.api.ResetCommand.ResetType;
import org.eclipse.jgit.api.errors.GitAPIException;
import org.eclipse.jgit.lib.ObjectId;
import org.eclipse.jgit.lib.PersonIdent;
import org.eclipse.jgit.lib.RefUpdate;
import org.eclipse.jgit.revwalk.RevCommit;

/** A real repository in a folder, to be the remote a source fetches from. */
final class TestGit implements AutoCloseable {
    private static final Instant EPOCH = Instant.parse("2026-01-01T00:00:00Z");

    final Path dir;
    final Git git;
    private int commits;

    private TestGit(Path dir, Git git) {
        this.dir = dir;
        this.git = git;
    }

    /** A working repository whose first branch is {@code branch}. */
    static TestGit init(Path dir, String branch) throws GitAPIException {
        return new TestGit(dir, Git.init().setDirectory(dir.toFile()).setInitialBranch(branch).call());
    }

    TestGit write(String path, String content) throws IOException {
        Path file = dir.resolve(path);
        Files.createDirectories(file.getParent());
        Files.writeString(file, content, StandardCharsets.UTF_8);
        return this;
    }

    TestGit delete(String path) throws IOException {
        Files.delete(dir.resolve(path));
        return this;
    }

    /** Stages everything (additions, changes, deletions) and commits it. */
    RevCommit commit(String message) throws GitAPIException {
        git.add().addFilepattern(".").call();
        git.add().addFilepattern(".").setUpdate(true).call();
        PersonIdent who = new PersonIdent("Test", "test@example.com", EPOCH.plusSeconds(60L * ++commits), TimeZone.getTimeZone("UTC").toZoneId());
        return git.commit().setMessage(message).setAuthor(who).setCommitter(who).setSign(false).call();
    }

    void lightweightTag(String name, ObjectId at) throws GitAPIException, IOException {
        try (var walk = new org.eclipse.jgit.revwalk.RevWalk(git.getRepository())) {
            git.tag().setName(name).setObjectId(walk.parseCommit(at)).setAnnotated(false).call();
        }
    }

    void annotatedTag(String name, ObjectId at, String message) throws GitAPIException, IOException {
        try (var walk = new org.eclipse.jgit.revwalk.RevWalk(git.getRepository())) {
            PersonIdent who = new PersonIdent("Test", "test@example.com", EPOCH, TimeZone.getTimeZone("UTC").toZoneId());
            git.tag().setName(name).setObjectId(walk.parseCommit(at)).setAnnotated(true).setMessage(message)
                    .setTagger(who).setSigned(false).call();
        }
    }

    void branch(String name, ObjectId at) throws GitAPIException, IOException {
        try (var walk = new org.eclipse.jgit.revwalk.RevWalk(git.getRepository())) {
            git.branchCreate().setName(name).setStartPoint(walk.parseCommit(at)).call();
        }
    }

    /** What a force-push does to a remote: the checked-out branch now points at {@code to}. */
    void resetHard(ObjectId to) throws GitAPIException {
        git.reset().setMode(ResetType.HARD).setRef(to.name()).call();
    }

    /** Moves any branch to {@code to}, whatever it pointed at. */
    void forceUpdate(String ref, ObjectId to) throws IOException {
        RefUpdate update = git.getRepository().updateRef(ref);
        update.setNewObjectId(to);
        update.setForceUpdate(true);
        RefUpdate.Result result = update.update();
        if (result != RefUpdate.Result.FORCED && result != RefUpdate.Result.NEW && result != RefUpdate.Result.FAST_FORWARD) {
            throw new IOException("cannot move " + ref + ": " + result);
        }
    }

    private boolean closed;

    @Override
    public void close() {
        if (!closed) {
            closed = true;
            git.close();
        }
    }
}
