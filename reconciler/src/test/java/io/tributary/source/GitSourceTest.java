package io.tributary.source;

import io.tributary.store.MutableClock;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.tributary.source.SourceException.Reason;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.stream.Stream;
import org.eclipse.jgit.revwalk.RevCommit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Git sources against real repositories in temporary folders, over the local and file:// transports. */
class GitSourceTest {
    @TempDir
    Path tmp;

    private final MutableClock clock = new MutableClock(Instant.parse("2026-03-01T10:00:00Z"));
    private TestGit remote;
    private Path work;

    @BeforeEach
    void setUp() throws Exception {
        remote = TestGit.init(tmp.resolve("remote"), "main");
        work = tmp.resolve("work");
    }

    @AfterEach
    void tearDown() {
        remote.close();
    }

    private ConfigSource open(String ref, String path) {
        return ConfigSource.open(new SourceSpec(remote.dir.toString(), ref, path), work, clock);
    }

    @Test
    void followsABranchAndNamesEachCommit() throws Exception {
        RevCommit first = remote.write("apps.yaml", "one").commit("First config\n\nwith a body");
        try (ConfigSource source = open("main", null)) {
            Revision r1 = source.fetch().revision();
            assertThat(r1.name()).isEqualTo("main@sha1:" + first.name());
            assertThat(r1.id()).isEqualTo(first.name());
            assertThat(r1.message()).isEqualTo("First config");
            assertThat(r1.fetchedAt()).isEqualTo(clock.instant());
            assertThat(r1.shortName()).isEqualTo("main@sha1:" + first.name().substring(0, 7));

            assertThat(source.fetch().revision().id()).as("nothing new").isEqualTo(first.name());

            RevCommit second = remote.write("apps.yaml", "two").commit("Second config");
            Revision r2 = source.fetch().revision();
            assertThat(r2.name()).isEqualTo("main@sha1:" + second.name());
            assertThat(r2.message()).isEqualTo("Second config");
        }
    }

    @Test
    void exportHoldsExactlyTheRevisionsFilesAndStaysUnchangedAfterLaterFetches() throws Exception {
        remote.write("platform/flink.yaml", "versions: [1.20]\n")
                .write("teams/payments/apps.yaml", "kind: Application\n")
                .write("README.md", "hello\n")
                .commit("one");
        try (ConfigSource source = open(null, null)) {
            Checkout first = source.fetch();
            Map<String, String> before = files(first.root());
            assertThat(before).containsExactly(
                    Map.entry("README.md", "hello\n"),
                    Map.entry("platform/flink.yaml", "versions: [1.20]\n"),
                    Map.entry("teams/payments/apps.yaml", "kind: Application\n"));
            assertThat(first.root()).isEqualTo(work.resolve("revisions").resolve(first.revision().id()));

            remote.write("teams/payments/apps.yaml", "kind: Application # changed\n")
                    .delete("README.md")
                    .write("teams/risk/apps.yaml", "new\n")
                    .commit("two");
            Checkout second = source.fetch();

            assertThat(second.root()).isNotEqualTo(first.root());
            assertThat(files(first.root())).as("first export untouched").isEqualTo(before);
            assertThat(files(second.root())).containsExactly(
                    Map.entry("platform/flink.yaml", "versions: [1.20]\n"),
                    Map.entry("teams/payments/apps.yaml", "kind: Application # changed\n"),
                    Map.entry("teams/risk/apps.yaml", "new\n"));
            assertThat(files(remote.dir)).as("the remote's working tree is not read").containsKey("teams/risk/apps.yaml");
        }
    }

    @Test
    void aNewRevisionWritesOnlyItsChangedFilesAndOutlivesTheExportBeforeIt() throws Exception {
        remote.write("platform/flink.yaml", "versions: [1.20]\n").write("teams/a.yaml", "a\n").commit("one");
        try (ConfigSource source = open("main", null)) {
            Checkout first = source.fetch();
            remote.write("teams/a.yaml", "a changed\n").commit("two");
            clock.advance(Duration.ofMinutes(1));
            Checkout second = source.fetch();

            assertThat(fileKey(second.root().resolve("platform/flink.yaml")))
                    .as("an unchanged file is the same file on disk").isEqualTo(fileKey(first.root().resolve("platform/flink.yaml")));
            assertThat(fileKey(second.root().resolve("teams/a.yaml"))).isNotEqualTo(fileKey(first.root().resolve("teams/a.yaml")));
            assertThat(files(first.root())).containsEntry("teams/a.yaml", "a\n");

            source.prune(0, List.of(second.revision()));
            assertThat(first.root()).doesNotExist();
            assertThat(files(second.root())).containsExactly(
                    Map.entry("platform/flink.yaml", "versions: [1.20]\n"),
                    Map.entry("teams/a.yaml", "a changed\n"));
            // the first export is gone, its unchanged file lives on in the second, and the third links it from there
            remote.write("teams/b.yaml", "b\n").commit("three");
            clock.advance(Duration.ofMinutes(1));
            Checkout third = source.fetch();
            assertThat(files(third.root())).containsEntry("platform/flink.yaml", "versions: [1.20]\n")
                    .containsEntry("teams/b.yaml", "b\n");
        }
    }

    private static Object fileKey(Path file) throws IOException {
        return Files.readAttributes(file, java.nio.file.attribute.BasicFileAttributes.class).fileKey();
    }

    @Test
    void anExistingExportIsReusedNotRewritten() throws Exception {
        remote.write("a.yaml", "a").commit("one");
        try (ConfigSource source = open("main", null)) {
            Checkout first = source.fetch();
            Path file = first.root().resolve("a.yaml");
            Object inode = Files.readAttributes(file, java.nio.file.attribute.BasicFileAttributes.class).fileKey();
            clock.advance(Duration.ofMinutes(1));
            Checkout again = source.fetch();
            assertThat(again.root()).isEqualTo(first.root());
            assertThat(Files.readAttributes(file, java.nio.file.attribute.BasicFileAttributes.class).fileKey()).isEqualTo(inode);
        }
    }

    @Test
    void theDefaultBranchIsTheRemotesHead() throws Exception {
        remote.close();
        remote = TestGit.init(tmp.resolve("trunk-remote"), "trunk");
        RevCommit commit = remote.write("a.yaml", "a").commit("on trunk");
        try (ConfigSource source = open(null, null)) {
            assertThat(source.fetch().revision().name()).isEqualTo("trunk@sha1:" + commit.name());
            assertThat(source.describe()).contains("ref=(default branch)");
        }
    }

    @Test
    void aWorkingClonesCheckoutOfAnotherBranchDoesNotChangeTheBranchFollowed() throws Exception {
        RevCommit onMain = remote.write("a.yaml", "a").commit("on main");
        try (ConfigSource source = open(null, null)) {
            assertThat(source.fetch().revision().name()).isEqualTo("main@sha1:" + onMain.name());

            // someone tries a change in the clone the service reads: it is not what runs
            remote.git.checkout().setCreateBranch(true).setName("experiment").call();
            remote.write("a.yaml", "experimental").commit("trying something");
            assertThat(source.fetch().revision().name()).isEqualTo("main@sha1:" + onMain.name());

            remote.git.checkout().setName("main").call();
            RevCommit next = remote.write("a.yaml", "b").commit("next on main");
            assertThat(source.fetch().revision().name()).isEqualTo("main@sha1:" + next.name());
        }
    }

    @Test
    void aTagIsPinnedAndNamedAfterTheTag() throws Exception {
        RevCommit tagged = remote.write("a.yaml", "v1").commit("release 1");
        remote.annotatedTag("v1.0", tagged, "the first release");
        remote.lightweightTag("light", tagged);
        remote.write("a.yaml", "v2").commit("after the release");
        try (ConfigSource annotated = open("v1.0", null); ConfigSource lightweight = open("refs/tags/light", null)) {
            Checkout checkout = annotated.fetch();
            assertThat(checkout.revision().name()).as("the commit, not the tag object").isEqualTo("v1.0@sha1:" + tagged.name());
            assertThat(checkout.revision().message()).isEqualTo("release 1");
            assertThat(files(checkout.root())).containsExactly(Map.entry("a.yaml", "v1"));
            assertThat(lightweight.fetch().revision().name()).isEqualTo("light@sha1:" + tagged.name());

            remote.write("a.yaml", "v3").commit("more");
            assertThat(annotated.fetch().revision().id()).isEqualTo(tagged.name());
        }
    }

    @Test
    void aCommitIsPinnedAndNeedsNoNetworkOnceFetched() throws Exception {
        RevCommit pinned = remote.write("a.yaml", "pinned").commit("pin me");
        remote.write("a.yaml", "later").commit("later");
        try (ConfigSource source = open(pinned.name(), null)) {
            Checkout checkout = source.fetch();
            assertThat(checkout.revision().name()).isEqualTo("sha1:" + pinned.name());
            assertThat(checkout.revision().message()).isEqualTo("pin me");
            assertThat(files(checkout.root())).containsExactly(Map.entry("a.yaml", "pinned"));

            remote.close();
            Exports.deleteTree(remote.dir);
            assertThat(source.fetch().revision().id()).isEqualTo(pinned.name());
        }
    }

    @Test
    void aLocalRepositorysNewCommitIsKeptInTheCloneAfterTheRepositoryIsGone() throws Exception {
        remote.write("a.yaml", "first").commit("first");
        try (ConfigSource source = open("main", null)) {
            source.fetch();
            RevCommit second = remote.write("a.yaml", "second").write("b/c.yaml", "new").commit("second");
            Revision read = source.fetch().revision();
            assertThat(read.id()).isEqualTo(second.name());
            source.settle(); // what the reconciler does once no job of its own is starting

            remote.close();
            Exports.deleteTree(remote.dir);
            Exports.deleteTree(work.resolve("revisions"));
            assertThat(files(source.checkout(read.name()).root()))
                    .containsExactly(Map.entry("a.yaml", "second"), Map.entry("b/c.yaml", "new"));
        }
    }

    @Test
    void aLocalRepositorysNewCommitCanBeCheckedOutByIdRightAfterItsFetch() throws Exception {
        remote.write("a.yaml", "first").commit("first");
        try (ConfigSource source = open("main", null)) {
            source.fetch();
            remote.write("a.yaml", "second").commit("second");
            Revision read = source.fetch().revision();

            Exports.deleteTree(work.resolve("revisions"));
            assertThat(files(source.checkout("sha1:" + read.id()).root())).containsExactly(Map.entry("a.yaml", "second"));
        }
    }

    @Test
    void aForcePushIsANewRevision() throws Exception {
        RevCommit base = remote.write("a.yaml", "base").commit("base");
        RevCommit pushed = remote.write("a.yaml", "pushed").commit("pushed");
        try (ConfigSource source = open("main", null)) {
            assertThat(source.fetch().revision().id()).isEqualTo(pushed.name());

            remote.resetHard(base);
            RevCommit rewritten = remote.write("a.yaml", "rewritten").commit("rewritten history");
            Checkout afterRewrite = source.fetch();
            assertThat(afterRewrite.revision().name()).isEqualTo("main@sha1:" + rewritten.name());
            assertThat(files(afterRewrite.root())).containsExactly(Map.entry("a.yaml", "rewritten"));

            remote.forceUpdate("refs/heads/main", base);
            assertThat(source.fetch().revision().name()).as("back to a commit the clone already has")
                    .isEqualTo("main@sha1:" + base.name());
        }
    }

    @Test
    void thePathIsAppliedToTheExport() throws Exception {
        remote.write("sample-repo/platform/flink.yaml", "x").write("src/Main.java", "class Main {}").commit("monorepo");
        try (ConfigSource source = open("main", "/sample-repo/")) {
            Checkout checkout = source.fetch();
            assertThat(checkout.root().getFileName().toString()).isEqualTo("sample-repo");
            assertThat(files(checkout.root())).containsExactly(Map.entry("platform/flink.yaml", "x"));
            assertThat(source.describe()).contains("path=sample-repo");
        }
    }

    @Test
    void aMissingPathIsPathNotFound() throws Exception {
        remote.write("config/a.yaml", "a").write("file", "f").commit("one");
        try (ConfigSource missing = open("main", "cfg"); ConfigSource file = open("main", "file")) {
            assertThatThrownBy(missing::fetch).isInstanceOf(SourceException.class)
                    .satisfies(e -> assertThat(((SourceException) e).reason()).isEqualTo(Reason.PATH_NOT_FOUND))
                    .hasMessageContaining("no folder 'cfg' in main@sha1:")
                    .hasMessageContaining("check the path");
            assertThatThrownBy(file::fetch).hasMessageContaining("(it is a file)");
        }
    }

    @Test
    void aMissingRefIsRefNotFoundAndListsTheBranches() throws Exception {
        RevCommit commit = remote.write("a.yaml", "a").commit("one");
        remote.branch("develop", commit);
        try (ConfigSource source = open("mian", null)) {
            assertThatThrownBy(source::fetch).isInstanceOf(SourceException.class)
                    .satisfies(e -> assertThat(((SourceException) e).reason()).isEqualTo(Reason.REF_NOT_FOUND))
                    .hasMessage("no branch or tag 'mian' in " + remote.dir + "; check the ref (branches: develop, main)");
        }
        try (ConfigSource source = open("0123456789012345678901234567890123456789", null)) {
            assertThatThrownBy(source::fetch)
                    .satisfies(e -> assertThat(((SourceException) e).reason()).isEqualTo(Reason.REF_NOT_FOUND))
                    .hasMessageContaining("commit 0123456789012345678901234567890123456789");
        }
    }

    @Test
    void anEmptyRepositoryHasNoDefaultBranch() throws Exception {
        try (ConfigSource source = open(null, null)) {
            assertThatThrownBy(source::fetch)
                    .satisfies(e -> assertThat(((SourceException) e).reason()).isEqualTo(Reason.REF_NOT_FOUND))
                    .hasMessageContaining("has no default branch");
        }
    }

    @Test
    void aMissingRepositoryIsUnreachableWithAHint() {
        String gone = tmp.resolve("no-such-repo").toUri().toString();
        try (ConfigSource source = ConfigSource.open(new SourceSpec(gone, "main", null), work, clock)) {
            assertThatThrownBy(source::fetch).isInstanceOf(SourceException.class)
                    .satisfies(e -> assertThat(((SourceException) e).reason()).isEqualTo(Reason.UNREACHABLE))
                    .hasMessageStartingWith("cannot reach " + gone.replaceFirst("/$", ""))
                    .hasMessageContaining("check the URL");
        }
        assertThatThrownBy(() -> ConfigSource.open(new SourceSpec(tmp.resolve("nope").toString(), null, null), work, clock))
                .satisfies(e -> assertThat(((SourceException) e).reason()).isEqualTo(Reason.UNREACHABLE))
                .hasMessage("no folder " + tmp.resolve("nope") + "; check the location (a path on this machine, or a Git URL)");
    }

    @Test
    void anUnreachableHostIsUnreachable() {
        // nothing listens on port 1 of the loopback address
        try (ConfigSource source = ConfigSource.open(new SourceSpec("https://127.0.0.1:1/x.git", "main", null), work, clock)) {
            assertThatThrownBy(source::fetch)
                    .satisfies(e -> assertThat(((SourceException) e).reason()).isEqualTo(Reason.UNREACHABLE))
                    .hasMessage("cannot reach https://127.0.0.1:1/x.git: connection refused; check the URL and network");
        }
    }

    @Test
    void aLocalWorkingRepositoryAndItsFileUrlGiveTheSameRevision() throws Exception {
        RevCommit commit = remote.write("a.yaml", "a").commit("one");
        remote.write("a.yaml", "uncommitted");
        try (ConfigSource byPath = open("main", null);
                ConfigSource byUrl = ConfigSource.open(new SourceSpec(remote.dir.toUri().toString(), "main", null), work, clock)) {
            Checkout a = byPath.fetch();
            Checkout b = byUrl.fetch();
            assertThat(a.revision().name()).isEqualTo(b.revision().name()).isEqualTo("main@sha1:" + commit.name());
            assertThat(a.root()).isEqualTo(b.root());
            assertThat(files(a.root())).as("committed content only").containsExactly(Map.entry("a.yaml", "a"));
            assertThat(byPath.describe()).isEqualTo("git " + remote.dir + " ref=main auth=none");
        }
    }

    @Test
    void theRemoteIsClonedOnceBareUnderTheWorkDirectory() throws Exception {
        remote.write("a.yaml", "a").commit("one");
        try (ConfigSource source = open("main", null)) {
            source.fetch();
        }
        try (Stream<Path> clones = Files.list(work.resolve("git"))) {
            List<Path> all = clones.toList();
            assertThat(all).hasSize(1);
            assertThat(all.get(0).resolve("objects")).isDirectory();
            assertThat(all.get(0).resolve("HEAD")).isRegularFile();
            assertThat(all.get(0).resolve("refs/heads/main")).as("the ref was fetched into the clone").exists();
        }
        remote.write("a.yaml", "b").commit("two");
        try (ConfigSource again = open("main", null)) {
            assertThat(again.fetch().revision().message()).isEqualTo("two");
        }
        try (Stream<Path> clones = Files.list(work.resolve("git"))) {
            assertThat(clones.count()).as("reused").isEqualTo(1);
        }
    }

    @Test
    void checkoutMaterializesBranchesTagsCommitsAndRevisionNamesSideBySide() throws Exception {
        RevCommit a = remote.write("a.yaml", "A").commit("A");
        remote.lightweightTag("v1", a);
        RevCommit b = remote.write("a.yaml", "B").commit("B");
        remote.branch("feature", b);
        RevCommit c = remote.write("a.yaml", "C").commit("C");
        try (ConfigSource source = open("main", null)) {
            Checkout head = source.fetch();
            assertThat(head.revision().id()).isEqualTo(c.name());

            Checkout base = source.checkout("main@sha1:" + a.name());
            assertThat(base.revision().name()).isEqualTo("main@sha1:" + a.name());
            assertThat(files(base.root())).containsExactly(Map.entry("a.yaml", "A"));
            assertThat(files(head.root())).as("both readable at once").containsExactly(Map.entry("a.yaml", "C"));

            assertThat(source.checkout("refs/heads/main@sha1:" + a.name()).revision().name()).isEqualTo("main@sha1:" + a.name());
            assertThat(source.checkout("v1").revision().name()).isEqualTo("v1@sha1:" + a.name());
            assertThat(source.checkout("feature").revision().name()).isEqualTo("feature@sha1:" + b.name());
            assertThat(source.checkout(b.name()).revision().name()).isEqualTo("sha1:" + b.name());
            assertThat(source.checkout("sha1:" + a.name()).revision().name()).isEqualTo("sha1:" + a.name());
            assertThat(source.checkout(b.name().substring(0, 8)).revision().name()).isEqualTo("sha1:" + b.name());
            assertThat(source.checkout("HEAD").revision().name()).isEqualTo("main@sha1:" + c.name());

            assertThatThrownBy(() -> source.checkout("nope"))
                    .satisfies(e -> assertThat(((SourceException) e).reason()).isEqualTo(Reason.REF_NOT_FOUND));
            assertThatThrownBy(() -> source.checkout("main@sha1:abc"))
                    .satisfies(e -> assertThat(((SourceException) e).reason()).isEqualTo(Reason.REF_NOT_FOUND))
                    .hasMessageContaining("40 hex digits");
        }
    }

    @Test
    void aShortCommitIdIsFoundInAFreshClone() throws Exception {
        RevCommit a = remote.write("a.yaml", "A").commit("A");
        remote.write("a.yaml", "B").commit("B");
        try (ConfigSource source = open("main", null)) {
            assertThat(source.checkout(a.name().substring(0, 7)).revision().name()).isEqualTo("sha1:" + a.name());
            assertThatThrownBy(() -> source.checkout("0000000"))
                    .satisfies(e -> assertThat(((SourceException) e).reason()).isEqualTo(Reason.REF_NOT_FOUND))
                    .hasMessageContaining("'0000000' is no branch or tag, nor the start of a commit id");
        }
    }

    @Test
    void aCommitOfAnotherBranchIsFetchedWhenCheckedOut() throws Exception {
        RevCommit main = remote.write("a.yaml", "main").commit("main");
        remote.branch("other", main);
        remote.git.checkout().setName("other").call();
        RevCommit other = remote.write("a.yaml", "other").commit("only on other");
        remote.git.checkout().setName("main").call();
        try (ConfigSource source = open("main", null)) {
            source.fetch();
            Checkout checkout = source.checkout("sha1:" + other.name());
            assertThat(files(checkout.root())).containsExactly(Map.entry("a.yaml", "other"));
            assertThat(source.checkout("other@sha1:" + other.name()).revision().message()).isEqualTo("only on other");
        }
    }

    @Test
    void pruneKeepsTheNewestAndTheKeptRevisions() throws Exception {
        RevCommit[] commits = new RevCommit[5];
        try (ConfigSource source = open("main", null)) {
            Revision[] revisions = new Revision[5];
            for (int i = 0; i < 5; i++) {
                commits[i] = remote.write("a.yaml", "v" + i).commit("commit " + i);
                revisions[i] = source.fetch().revision();
                clock.advance(Duration.ofMinutes(1));
            }
            source.prune(2, List.of(revisions[0]));

            assertThat(exportIds()).containsExactlyInAnyOrder(revisions[0].id(), revisions[3].id(), revisions[4].id());

            // using an old revision again makes it one of the newest
            source.checkout(revisions[0].name());
            clock.advance(Duration.ofMinutes(1));
            source.prune(1, List.of());
            assertThat(exportIds()).containsExactly(revisions[0].id());

            // a pruned revision comes back from the clone
            Checkout again = source.checkout(revisions[2].name());
            assertThat(files(again.root())).containsExactly(Map.entry("a.yaml", "v2"));
        }
    }

    @Test
    void theDefaultPruneKeepsFive() throws Exception {
        try (ConfigSource source = open("main", null)) {
            for (int i = 0; i < 7; i++) {
                remote.write("a.yaml", "v" + i).commit("commit " + i);
                source.fetch();
                clock.advance(Duration.ofMinutes(1));
            }
            source.prune(List.of());
            assertThat(exportIds()).hasSize(ConfigSource.DEFAULT_KEEP);
        }
    }

    @Test
    void executableFilesStayExecutable() throws Exception {
        remote.write("bin/run.sh", "#!/bin/sh\n");
        remote.dir.resolve("bin/run.sh").toFile().setExecutable(true);
        remote.write("plain.txt", "x").commit("scripts");
        try (ConfigSource source = open("main", null)) {
            Checkout checkout = source.fetch();
            assertThat(Files.isExecutable(checkout.root().resolve("bin/run.sh"))).isTrue();
            assertThat(Files.isExecutable(checkout.root().resolve("plain.txt"))).isFalse();
        }
    }

    @Test
    void aSymbolicLinkInsideTheTreeIsKeptOneOutsideIsLeftOut() throws Exception {
        remote.write("real.yaml", "real");
        Files.createSymbolicLink(remote.dir.resolve("inside.yaml"), Path.of("real.yaml"));
        Files.createSymbolicLink(remote.dir.resolve("outside.yaml"), Path.of("/etc/hostname"));
        remote.commit("links");
        try (ConfigSource source = open("main", null)) {
            Path root = source.fetch().root();
            assertThat(Files.readString(root.resolve("inside.yaml"))).isEqualTo("real");
            assertThat(root.resolve("outside.yaml")).doesNotExist();
        }
    }

    private List<String> exportIds() throws IOException {
        try (Stream<Path> dirs = Files.list(work.resolve("revisions"))) {
            return dirs.map(p -> p.getFileName().toString()).toList();
        }
    }

    /** Every regular file under {@code root} by relative path, {@code .git} left out. */
    static Map<String, String> files(Path root) throws IOException {
        Map<String, String> files = new TreeMap<>();
        try (Stream<Path> paths = Files.walk(root)) {
            for (Path p : (Iterable<Path>) paths::iterator) {
                String relative = root.relativize(p).toString();
                if (Files.isRegularFile(p) && !relative.startsWith(".git")) {
                    files.put(relative, Files.readString(p, StandardCharsets.UTF_8));
                }
            }
        }
        return files;
    }
}
