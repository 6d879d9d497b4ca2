package io.tributary.flink;

import io.tributary.build.MavenArtifacts;
import java.nio.file.Path;

/** Shared fixtures of the Flink integration tests. */
public final class FlinkTestSupport {
    private FlinkTestSupport() {}

    /** The developer's and CI's own ~/.m2/repository, so Flink's jars are downloaded once per machine. */
    public static MavenArtifacts sharedRepository() {
        return new MavenArtifacts(Path.of(System.getProperty("user.home"), ".m2", "repository"));
    }
}
