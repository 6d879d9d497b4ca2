package io.tributary.build;

import static org.assertj.core.api.Assertions.assertThat;

import io.tributary.store.MutableClock;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.Set;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Jars by content: stored once, found by digest only, and forgotten when nothing uses them. */
class ArtifactStoreTest {
    @TempDir
    Path temp;

    private final MutableClock clock = new MutableClock(Instant.parse("2026-11-26T10:00:00Z"));

    private Path jar(String name, String content) throws IOException {
        Path file = temp.resolve(name);
        Files.writeString(file, content);
        return file;
    }

    @Test
    void theSameContentIsStoredOnceUnderItsSha256() throws IOException {
        ArtifactStore store = new ArtifactStore(temp.resolve("artifacts"), clock);
        String a = store.put(jar("a.jar", "one"));
        String b = store.put(jar("b.jar", "one"));
        assertThat(a).isEqualTo(b).isEqualTo(Digests.sha256("one"));
        assertThat(store.path(a)).hasValueSatisfying(p -> assertThat(p).hasContent("one"));
        try (var files = Files.list(store.dir())) {
            assertThat(files.map(p -> p.getFileName().toString())).containsExactly(a + ".jar");
        }
    }

    @Test
    void onlyA64HexDigitNameOfAStoredJarIsFound() throws IOException {
        ArtifactStore store = new ArtifactStore(temp.resolve("artifacts"), clock);
        String sha = store.put(jar("a.jar", "one"));
        assertThat(store.path(sha.toUpperCase())).isEmpty();
        assertThat(store.path("../" + sha)).isEmpty();
        assertThat(store.path(sha.substring(1))).isEmpty();
        assertThat(store.path("0".repeat(64))).isEmpty();
        assertThat(store.path(null)).isEmpty();
        assertThat(store.has(sha)).isTrue();
    }

    @Test
    void retentionDeletesOnlyBuiltJarsNoAppUsesAfterTheGracePeriod() throws IOException {
        ArtifactStore store = new ArtifactStore(temp.resolve("artifacts"), clock);
        String used = store.put(jar("used.jar", "used"));
        String unused = store.put(jar("unused.jar", "unused"));
        String downloaded = store.put(jar("downloaded.jar", "by url"));
        Set<String> built = Set.of(used, unused);

        assertThat(store.retain(built, Set.of(used), Duration.ofHours(1))).as("within the grace period").isZero();
        clock.advance(Duration.ofHours(2));
        assertThat(store.retain(built, Set.of(used), Duration.ofHours(1))).isEqualTo(1);
        assertThat(store.has(unused)).isFalse();
        assertThat(store.has(used)).isTrue();
        assertThat(store.has(downloaded)).as("not a build's jar: left to its cache").isTrue();
    }
}
