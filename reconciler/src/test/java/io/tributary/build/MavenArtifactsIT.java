package io.tributary.build;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Real downloads from Maven Central into an empty local repository (small artifacts only). */
class MavenArtifactsIT {
    @TempDir
    Path local;

    @Test
    void downloadsAnArtifactWithItsRuntimeDependenciesVerifyingChecksums() {
        try (MavenArtifacts artifacts = new MavenArtifacts(local)) {
            List<Path> files = artifacts.resolve(List.of("org.apache.commons:commons-text:1.10.0"), true);

            assertThat(files).extracting(p -> p.getFileName().toString())
                    .containsExactly("commons-text-1.10.0.jar", "commons-lang3-3.12.0.jar");
            assertThat(files).allSatisfy(p -> assertThat(p).startsWith(local).isNotEmptyFile());
            assertThat(local.resolve("org/apache/commons/commons-text/1.10.0/commons-text-1.10.0.jar.sha1")).exists();
        }
    }

    @Test
    void anArtifactCentralDoesNotHaveIsNamedWithCentral() {
        try (MavenArtifacts artifacts = new MavenArtifacts(local)) {
            assertThatThrownBy(() -> artifacts.resolve(List.of("io.tributary.missing:nothing-here:0.0.1"), false))
                    .isInstanceOfSatisfying(ArtifactResolutionFailure.class, f -> {
                        assertThat(f.missing()).containsExactly("io.tributary.missing:nothing-here:0.0.1");
                        assertThat(f.getMessage()).startsWith("cannot resolve io.tributary.missing:nothing-here:0.0.1 from "
                                + "central (https://repo.maven.apache.org/maven2)");
                    });
        }
    }
}
