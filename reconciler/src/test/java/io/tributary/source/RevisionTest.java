package io.tributary.source;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.time.Instant;
import org.junit.jupiter.api.Test;

class RevisionTest {
    private static final String SHA1 = "ab12cd34ef56ab12cd34ef56ab12cd34ef56ab12";
    private static final Instant NOW = Instant.parse("2026-03-01T10:00:00Z");

    @Test
    void namesOfEachKind() {
        assertThat(Revision.ofRef("main", SHA1, NOW, "m").name()).isEqualTo("main@sha1:" + SHA1);
        assertThat(Revision.ofRef("release/1.2", SHA1, NOW, "m").ref()).isEqualTo("release/1.2");
        assertThat(Revision.ofCommit(SHA1, NOW, "m").name()).isEqualTo("sha1:" + SHA1);
        assertThat(Revision.ofCommit(SHA1, NOW, "m").ref()).isNull();
        assertThat(Revision.ofDirectory("00ff".repeat(16), NOW).name()).isEqualTo("dir@sha256:" + "00ff".repeat(16));
    }

    @Test
    void shortNamesCutTheHashToSeven() {
        assertThat(Revision.ofRef("main", SHA1, NOW, null).shortName()).isEqualTo("main@sha1:ab12cd3");
        assertThat(Revision.ofCommit(SHA1, NOW, null).shortName()).isEqualTo("sha1:ab12cd3");
        assertThat(Revision.ofRef("main", SHA1, NOW, null)).hasToString("main@sha1:" + SHA1);
    }

    @Test
    void theIdIsBareLowerCaseHexAtTheEndOfTheName() {
        assertThatThrownBy(() -> new Revision("main@sha1:ABC", "ABC", NOW, null)).hasMessageContaining("hex");
        assertThatThrownBy(() -> new Revision("main@sha1:abc", "abd", NOW, null)).hasMessageContaining("does not end with");
    }
}
