package io.tributary.build;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.tributary.model.Credential;
import io.tributary.model.Metadata;
import io.tributary.model.Project;
import io.tributary.model.SecretRef;
import io.tributary.model.Settings;
import io.tributary.secrets.SecretResolver;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The pure parts of builds: what a build is keyed by, which repository a push is about, where the jar is. */
class ProjectBuildsTest {
    @TempDir
    Path temp;

    private static Project project(List<String> goals) {
        return new Project(new Metadata("jobs", "payments", Map.of(), Map.of()), new Project.Spec(
                new Project.Git("https://git.example.com/payments/jobs.git", "main", null),
                new Project.Build(null, null, goals, null)));
    }

    private static Optional<Settings> settings(List<Settings.Mirror> mirrors) {
        return Optional.of(new Settings(new Metadata("platform", null, Map.of(), Map.of()), new Settings.Spec(
                new Settings.Maven(List.of(new Settings.Repository("corp", "https://repo.example.com/maven2",
                        new Credential(new SecretRef("REPO_TOKEN", null)))), mirrors, null), null, null, null, null)));
    }

    @Test
    void theBuildKeyChangesWithGoalsAndMavenSettingsOnly() {
        String base = ProjectBuilds.buildSpecHash(project(null), Optional.empty());
        assertThat(ProjectBuilds.buildSpecHash(project(List.of("clean", "package", "-DskipTests")), Optional.empty()))
                .as("the default goals written out").isEqualTo(base);
        assertThat(ProjectBuilds.buildSpecHash(project(List.of("package")), Optional.empty())).isNotEqualTo(base);
        String withRepo = ProjectBuilds.buildSpecHash(project(null), settings(List.of()));
        assertThat(withRepo).isNotEqualTo(base);
        assertThat(ProjectBuilds.buildSpecHash(project(null), settings(List.of(
                new Settings.Mirror("m", "https://mirror.example.com", "*"))))).isNotEqualTo(withRepo);
    }

    @Test
    void theUrlsOfOneRepositoryMatchWhateverTheSchemeUserOrSuffix() {
        String https = ProjectBuilds.normalizeUrl("https://git.example.com/payments/jobs.git");
        assertThat(ProjectBuilds.normalizeUrl("https://git.example.com/payments/jobs")).isEqualTo(https);
        assertThat(ProjectBuilds.normalizeUrl("git@git.example.com:payments/jobs.git")).isEqualTo(https);
        assertThat(ProjectBuilds.normalizeUrl("ssh://git@git.example.com/payments/jobs.git")).isEqualTo(https);
        assertThat(ProjectBuilds.normalizeUrl("HTTPS://x-access-token@Git.Example.com/payments/jobs/")).isEqualTo(https);
        assertThat(ProjectBuilds.normalizeUrl("https://git.example.com/payments/other.git")).isNotEqualTo(https);
        assertThat(ProjectBuilds.sameRepository("https://git.example.com/payments/jobs.git", "payments/jobs"))
                .as("a push naming only the repository's path").isTrue();
        assertThat(ProjectBuilds.sameRepository("https://git.example.com/payments/jobs.git", "other/jobs")).isFalse();
        assertThat(ProjectBuilds.sameRepository("https://git.example.com/payments/jobs.git",
                "https://elsewhere.example.com/payments/jobs")).isFalse();
    }

    @Test
    void theArtifactIsTheNamedFileOrTheOneFileAGlobMatches() throws IOException {
        Path target = Files.createDirectories(temp.resolve("enricher/target"));
        Files.writeString(target.resolve("enricher-1.4.jar"), "jar");
        Files.writeString(target.resolve("enricher-1.4-sources.jar"), "sources");
        assertThat(ProjectBuilds.find(temp, "enricher/target/enricher-1.4.jar")).isEqualTo(target.resolve("enricher-1.4.jar"));
        assertThat(ProjectBuilds.find(temp, "enricher/target/*-sources.jar")).isEqualTo(target.resolve("enricher-1.4-sources.jar"));
        assertThatThrownBy(() -> ProjectBuilds.find(temp, "enricher/target/enricher-*.jar"))
                .hasMessageContaining("matches 2 files").hasMessageContaining("exactly one");
        assertThatThrownBy(() -> ProjectBuilds.find(temp, "enricher/target/enricher.jar"))
                .hasMessage("the build produced no enricher/target/enricher.jar; jars there: "
                        + "enricher/target/enricher-1.4-sources.jar, enricher/target/enricher-1.4.jar");
        assertThatThrownBy(() -> ProjectBuilds.find(temp, "../outside.jar")).hasMessageContaining("leaves the repository");
    }

    @Test
    void settingsBecomeAGlobalSettingsFileWithMirrorsRepositoriesAndServers() {
        SecretResolver secrets = new SecretResolver(name -> "REPO_TOKEN".equals(name) ? "deployer:s3cret" : null,
                name -> null);
        Settings.Maven maven = settings(List.of(new Settings.Mirror("m", "https://mirror.example.com/all", "*")))
                .get().spec().maven();
        String xml = MavenSettingsFiles.globalSettings(maven, secrets, "Settings \"platform\" spec.maven");
        assertThat(xml).contains("<mirror><id>m</id><url>https://mirror.example.com/all</url><mirrorOf>*</mirrorOf></mirror>")
                .contains("<repository><id>corp</id><url>https://repo.example.com/maven2</url></repository>")
                .contains("<server><id>corp</id><username>deployer</username><password>s3cret</password></server>")
                .contains("<activeProfile>tributary</activeProfile>");
    }
}
