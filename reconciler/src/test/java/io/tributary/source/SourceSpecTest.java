package io.tributary.source;

import io.tributary.store.MutableClock;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.tributary.source.SourceException.Reason;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Instant;
import org.eclipse.jgit.api.Git;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Locations, paths and credentials as given, and that no secret ever shows. */
class SourceSpecTest {
    private static final String TOKEN = "ghp_s3cretT0kenValue";

    @TempDir
    Path tmp;

    private final MutableClock clock = new MutableClock(Instant.parse("2026-03-01T10:00:00Z"));

    @Test
    void pathsAreNormalizedAndStayInside() {
        assertThat(new SourceSpec("x", null, "/a//b/./").path()).isEqualTo("a/b");
        assertThat(new SourceSpec("x", null, ".").path()).isNull();
        assertThat(new SourceSpec("x", " ", "").ref()).isNull();
        assertThat(new SourceSpec("x", null, null).credentials()).isInstanceOf(Credentials.None.class);
        assertThatThrownBy(() -> new SourceSpec("x", null, "a/../../etc")).hasMessageContaining("leaves the repository");
        assertThatThrownBy(() -> new SourceSpec(" ", null, null)).hasMessageContaining("empty");
    }

    @Test
    void locationsOfEachKind() throws Exception {
        assertThat(Location.parse("https://github.com/acme/config.git").protocol()).isEqualTo(Location.Protocol.HTTP);
        assertThat(Location.parse("ssh://git@github.com/acme/config.git").protocol()).isEqualTo(Location.Protocol.SSH);
        assertThat(Location.parse("git@github.com:acme/config.git").protocol()).isEqualTo(Location.Protocol.SSH);
        assertThat(Location.parse("git@github.com:acme/config.git").display()).isEqualTo("git@github.com:acme/config.git");
        assertThat(Location.parse("file:///srv/git/config.git").protocol()).isEqualTo(Location.Protocol.FILE);

        Path plain = Files.createDirectories(tmp.resolve("plain"));
        assertThat(Location.parse(plain.toString()).protocol()).isEqualTo(Location.Protocol.DIRECTORY);
        Path working = tmp.resolve("working");
        Git.init().setDirectory(working.toFile()).call().close();
        assertThat(Location.parse(working.toString()).protocol()).isEqualTo(Location.Protocol.FILE);
        Path bare = tmp.resolve("bare.git");
        Git.init().setBare(true).setDirectory(bare.toFile()).call().close();
        assertThat(Location.parse(bare.toString()).protocol()).isEqualTo(Location.Protocol.FILE);
        Path nested = Files.createDirectories(working.resolve("sub"));
        assertThat(Location.parse(nested.toString()).protocol()).as("a folder inside a repository is a plain folder")
                .isEqualTo(Location.Protocol.DIRECTORY);

        assertThatThrownBy(() -> Location.parse("ftp://host/x")).hasMessageContaining("unsupported protocol 'ftp'");
        Files.writeString(tmp.resolve("file.txt"), "x");
        assertThatThrownBy(() -> Location.parse(tmp.resolve("file.txt").toString())).hasMessageContaining("is a file");
    }

    @Test
    void aPasswordInTheUrlIsRefusedWithoutShowingIt() {
        assertThatThrownBy(() -> Location.parse("https://oauth2:" + TOKEN + "@gitlab.example.com/x.git"))
                .isInstanceOf(SourceException.class)
                .satisfies(e -> assertThat(e.getMessage()).doesNotContain(TOKEN))
                .hasMessageContaining("give it as the source's token credential");
    }

    @Test
    void credentialsMustFitTheProtocol() {
        assertThatThrownBy(() -> ConfigSource.open(
                new SourceSpec("git@github.com:acme/x.git", null, null, new Credentials.Token(TOKEN)), tmp, clock))
                .satisfies(e -> assertThat(((SourceException) e).reason()).isEqualTo(Reason.OTHER))
                .hasMessageContaining("a token works with https URLs")
                .satisfies(e -> assertThat(e.getMessage()).doesNotContain(TOKEN));
        assertThatThrownBy(() -> ConfigSource.open(new SourceSpec("https://github.com/acme/x.git", null, null,
                new Credentials.SshKey(tmp.resolve("id_ed25519"), "pass", null)), tmp, clock))
                .hasMessageContaining("an SSH key works with ssh URLs");
    }

    @Test
    void theTokenNeverShowsInDescriptionsMessagesOrToString() {
        Credentials.Token token = new Credentials.Token(" " + TOKEN + "\n");
        assertThat(token.token()).isEqualTo(TOKEN);
        SourceSpec spec = new SourceSpec("https://127.0.0.1:1/acme/config.git", "main", "prod", token);
        assertThat(token.toString()).doesNotContain(TOKEN);
        assertThat(spec.toString()).doesNotContain(TOKEN);
        assertThat(new Credentials.SshKey(Path.of("k"), TOKEN, null).toString()).doesNotContain(TOKEN);
        try (ConfigSource source = ConfigSource.open(spec, tmp, clock)) {
            assertThat(source.describe()).isEqualTo("git https://127.0.0.1:1/acme/config.git ref=main path=prod auth=token");
            assertThat(source.toString()).doesNotContain(TOKEN);
            assertThatThrownBy(source::fetch)
                    .satisfies(e -> assertThat(((SourceException) e).reason()).isEqualTo(Reason.UNREACHABLE))
                    .satisfies(e -> assertThat(e.getMessage()).doesNotContain(TOKEN))
                    .satisfies(e -> {
                        for (Throwable t = e; t != null; t = t.getCause()) {
                            assertThat(String.valueOf(t.getMessage())).doesNotContain(TOKEN);
                        }
                    });
        }
    }
}
