package io.tributary.plan;

import static org.assertj.core.api.Assertions.assertThat;

import io.tributary.model.Application;
import io.tributary.model.DesiredState;
import io.tributary.model.Metadata;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

/** A Project's rebuilt jar is a spec change of its apps, said as "artifact changed". */
class SpecDiffArtifactTest {
    private static final String JAR_1 = "1".repeat(64);
    private static final String JAR_2 = "2".repeat(64);

    private static Application app(String sha256, int parallelism) {
        Application.Jar jar = new Application.Jar(null, null,
                new Application.ProjectArtifact("jobs", "target/job.jar", null), "example.Job", List.of());
        Application app = new Application(new Metadata("sequence", "payments", Map.of(), Map.of()), new Application.Spec(
                null, new Application.Deployment(Application.DeploymentMode.STANDALONE_SESSION, "local", null, null),
                new Application.Job(Application.JobType.JAR, null, List.of(), jar), parallelism, null, null, false, null,
                null, null, null, Map.of(), List.of(), null));
        return app.withProjectArtifact(sha256);
    }

    private static List<String> reasons(Application before, Application after) {
        return SpecDiff.app(before, DesiredState.of(List.of(before)), after, DesiredState.of(List.of(after)));
    }

    @Test
    void aNewJarIsArtifactChangedAndChangesTheSpecHash() {
        Application before = app(JAR_1, 1);
        Application after = app(JAR_2, 1);
        assertThat(reasons(before, after)).containsExactly("artifact changed");
        assertThat(SpecHash.of(after, DesiredState.of(List.of(after))))
                .isNotEqualTo(SpecHash.of(before, DesiredState.of(List.of(before))));
    }

    @Test
    void theSameJarIsNoChangeAndOtherFieldsAreSaidAsBefore() {
        assertThat(reasons(app(JAR_1, 1), app(JAR_1, 1))).isEmpty();
        assertThat(reasons(app(JAR_1, 1), app(JAR_1, 2))).containsExactly("parallelism 1 -> 2");
    }
}
