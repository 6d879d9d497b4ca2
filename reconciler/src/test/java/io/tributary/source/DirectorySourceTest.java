package io.tributary.source;

import io.tributary.store.MutableClock;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.tributary.source.SourceException.Reason;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.FileTime;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class DirectorySourceTest {
    @TempDir
    Path tmp;

    private final MutableClock clock = new MutableClock(Instant.parse("2026-03-01T10:00:00Z"));
    private Path folder;

    @BeforeEach
    void setUp() throws Exception {
        folder = Files.createDirectories(tmp.resolve("config"));
        Files.createDirectories(folder.resolve("teams/payments"));
        Files.writeString(folder.resolve("teams/payments/apps.yaml"), "kind: Application\n");
        Files.writeString(folder.resolve("flink.yaml"), "versions: []\n");
    }

    private ConfigSource open(String path) {
        return ConfigSource.open(new SourceSpec(folder.toString(), null, path), tmp.resolve("work"), clock);
    }

    @Test
    void aPlainFolderIsNamedByItsContents() {
        try (ConfigSource source = open(null)) {
            Checkout checkout = source.fetch();
            assertThat(checkout.revision().name()).matches("dir@sha256:[0-9a-f]{64}");
            assertThat(checkout.revision().name()).isEqualTo("dir@sha256:" + checkout.revision().id());
            assertThat(checkout.revision().message()).isNull();
            assertThat(checkout.revision().shortName()).isEqualTo("dir@sha256:" + checkout.revision().id().substring(0, 7));
            assertThat(checkout.root()).as("a copy, not the folder").isNotEqualTo(folder);
            assertThat(checkout.root().resolve("teams/payments/apps.yaml")).hasContent("kind: Application");
            assertThat(source.describe()).isEqualTo("folder " + folder);
        }
    }

    @Test
    void theNameChangesIfAndOnlyIfTheContentsChange() throws Exception {
        try (ConfigSource source = open(null)) {
            String original = source.fetch().revision().id();

            Files.setLastModifiedTime(folder.resolve("flink.yaml"), FileTime.from(Instant.parse("2020-01-01T00:00:00Z")));
            Files.createDirectories(folder.resolve(".git/objects"));
            Files.writeString(folder.resolve(".git/HEAD"), "ref: refs/heads/main\n");
            Files.createDirectories(folder.resolve("teams/.idea"));
            Files.writeString(folder.resolve("teams/.idea/workspace.xml"), "<x/>");
            Files.createDirectories(folder.resolve("empty"));
            assertThat(source.fetch().revision().id()).as("times, dot-folders, empty folders").isEqualTo(original);

            Files.writeString(folder.resolve("flink.yaml"), "versions: [1.20]\n");
            String edited = source.fetch().revision().id();
            assertThat(edited).isNotEqualTo(original);

            Files.writeString(folder.resolve("flink.yaml"), "versions: []\n");
            assertThat(source.fetch().revision().id()).as("same contents, same name").isEqualTo(original);

            Files.move(folder.resolve("flink.yaml"), folder.resolve("flink2.yaml"));
            String renamed = source.fetch().revision().id();
            assertThat(renamed).isNotEqualTo(original);

            Files.move(folder.resolve("flink2.yaml"), folder.resolve("flink.yaml"));
            Files.writeString(folder.resolve(".hidden.yaml"), "a dot-file is a file");
            assertThat(source.fetch().revision().id()).isNotEqualTo(original);
        }
    }

    @Test
    void contentsCannotBeShiftedBetweenPathAndFile() throws Exception {
        Path a = Files.createDirectories(tmp.resolve("a"));
        Path b = Files.createDirectories(tmp.resolve("b"));
        Files.writeString(a.resolve("x"), "yz");
        Files.writeString(b.resolve("xy"), "z");
        try (ConfigSource sa = ConfigSource.open(new SourceSpec(a.toString(), null, null), tmp, clock);
                ConfigSource sb = ConfigSource.open(new SourceSpec(b.toString(), null, null), tmp, clock)) {
            assertThat(sa.fetch().revision().id()).isNotEqualTo(sb.fetch().revision().id());
        }
    }

    @Test
    void thePathIsApplied() throws Exception {
        try (ConfigSource whole = open(null); ConfigSource teams = open("teams")) {
            Checkout checkout = teams.fetch();
            assertThat(checkout.root().resolve("payments/apps.yaml")).exists();
            assertThat(checkout.root().resolve("flink.yaml")).doesNotExist();
            String teamsId = checkout.revision().id();
            Files.writeString(folder.resolve("flink.yaml"), "outside the path");
            assertThat(teams.fetch().revision().id()).as("a change outside the path").isEqualTo(teamsId);
            assertThat(whole.fetch().revision().id()).isNotEqualTo(teamsId);
            assertThat(teams.describe()).isEqualTo("folder " + folder + " path=teams");
        }
        try (ConfigSource missing = open("nope")) {
            assertThatThrownBy(missing::fetch)
                    .satisfies(e -> assertThat(((SourceException) e).reason()).isEqualTo(Reason.PATH_NOT_FOUND))
                    .hasMessage("there is no folder 'nope' in " + folder + "; check the path");
        }
    }

    @Test
    void aCheckoutStaysAsItWasNamedWhileTheFolderIsEdited() throws Exception {
        try (ConfigSource source = open(null)) {
            Checkout before = source.fetch();
            Files.writeString(folder.resolve("flink.yaml"), "versions: [1.20]\n");
            Files.delete(folder.resolve("teams/payments/apps.yaml"));
            Checkout after = source.fetch();

            assertThat(before.root().resolve("flink.yaml")).hasContent("versions: []");
            assertThat(before.root().resolve("teams/payments/apps.yaml")).exists();
            assertThat(after.root().resolve("flink.yaml")).hasContent("versions: [1.20]");
            assertThat(after.root().resolve("teams/payments/apps.yaml")).doesNotExist();
            assertThat(after.revision().id()).isNotEqualTo(before.revision().id());
        }
    }

    @Test
    void anEarlierRevisionIsCheckedOutByNameHashOrPrefixAlsoAfterARestart() throws Exception {
        Revision first;
        try (ConfigSource source = open(null)) {
            first = source.fetch().revision();
            Files.writeString(folder.resolve("flink.yaml"), "versions: [1.20]\n");
            Revision second = source.fetch().revision();
            for (String name : new String[] {first.name(), first.id(), first.shortName(), first.id().substring(0, 7)}) {
                Checkout old = source.checkout(name);
                assertThat(old.revision().name()).as(name).isEqualTo(first.name());
                assertThat(old.root().resolve("flink.yaml")).as(name).hasContent("versions: []");
            }
            assertThat(source.checkout(second.shortName()).root().resolve("flink.yaml")).hasContent("versions: [1.20]");
        }
        try (ConfigSource restarted = open(null)) {
            assertThat(restarted.checkout(first.name()).root().resolve("flink.yaml")).hasContent("versions: []");
        }
    }

    @Test
    void prunedAndUnknownRevisionsAreNotFound() throws Exception {
        try (ConfigSource source = open(null)) {
            Revision inForce = source.fetch().revision();
            clock.advance(Duration.ofMinutes(1));
            Files.writeString(folder.resolve("flink.yaml"), "versions: [1]\n");
            Revision older = source.fetch().revision();
            clock.advance(Duration.ofMinutes(1));
            Files.writeString(folder.resolve("flink.yaml"), "versions: [2]\n");
            Revision newest = source.fetch().revision();

            source.prune(1, List.of(inForce));

            assertThat(source.checkout(inForce.name()).root().resolve("flink.yaml")).hasContent("versions: []");
            assertThat(source.checkout(newest.name()).revision()).isEqualTo(source.fetch().revision());
            assertThatThrownBy(() -> source.checkout(older.name()))
                    .satisfies(e -> assertThat(((SourceException) e).reason()).isEqualTo(Reason.REF_NOT_FOUND))
                    .hasMessageContaining("a plain folder has no history beyond copies of what was read from it lately (now "
                            + newest.shortName() + "), and '" + older.name() + "' is not one of them");
            assertThatThrownBy(() -> source.checkout("main"))
                    .satisfies(e -> assertThat(((SourceException) e).reason()).isEqualTo(Reason.REF_NOT_FOUND));
        }
    }

    @Test
    void aFolderInsideAGitRepositorySaysHowToReadItsRevisions() throws Exception {
        Path mono = tmp.resolve("mono");
        Path config = Files.createDirectories(mono.resolve("deploy/config"));
        Files.writeString(config.resolve("flink.yaml"), "versions: []\n");
        try (org.eclipse.jgit.api.Git git = org.eclipse.jgit.api.Git.init().setDirectory(mono.toFile()).call();
                ConfigSource source = ConfigSource.open(new SourceSpec(config.toString(), null, null), tmp.resolve("w"),
                        clock)) {
            assertThatThrownBy(() -> source.checkout("HEAD~1"))
                    .hasMessageEndingWith("it lies inside the Git repository " + mono.toRealPath()
                            + ": give --repo " + mono.toRealPath() + " --path deploy/config to compare its revisions");
        }
    }

    @Test
    void aFolderTakesNoRefAndNoCredentials() {
        assertThatThrownBy(() -> ConfigSource.open(new SourceSpec(folder.toString(), "main", null), tmp, clock))
                .hasMessageContaining("is a plain folder, which has no branch, tag or commit 'main'");
        assertThatThrownBy(() -> ConfigSource.open(
                new SourceSpec(folder.toString(), null, null, new Credentials.Token("t0ken")), tmp, clock))
                .hasMessageContaining("needs no credentials")
                .satisfies(e -> assertThat(e.getMessage()).doesNotContain("t0ken"));
    }

    @Test
    void aFolderThatGoesAwayIsUnreachable() throws Exception {
        try (ConfigSource source = open(null)) {
            source.fetch();
            Exports.deleteTree(folder);
            assertThatThrownBy(source::fetch)
                    .satisfies(e -> assertThat(((SourceException) e).reason()).isEqualTo(Reason.UNREACHABLE));
        }
    }
}
