package io.tributary.build;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.tributary.model.Credential;
import io.tributary.model.Metadata;
import io.tributary.model.SecretRef;
import io.tributary.model.Settings;
import io.tributary.secrets.SecretResolver;
import io.tributary.secrets.SecretUnavailable;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.HexFormat;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Resolution rules against a repository on disk (file://), so no network is needed. */
class MavenArtifactsTest {
    @TempDir
    Path tmp;

    private Path remote;
    private Path local;

    @BeforeEach
    void setUp() throws IOException {
        remote = Files.createDirectories(tmp.resolve("remote"));
        local = Files.createDirectories(tmp.resolve("local"));
    }

    @Test
    void transitiveResolutionKeepsCompileAndRuntimeDependenciesOnly() throws Exception {
        publish("t", "app", "1.0",
                dep("t", "lib", "1.0", "compile", false),
                dep("t", "driver", "1.0", "runtime", false),
                dep("t", "junit", "1.0", "test", false),
                dep("t", "servlet", "1.0", "provided", false),
                dep("t", "hadoop", "1.0", "compile", true));
        publish("t", "lib", "1.0", dep("t", "util", "1.0", "compile", false));
        publish("t", "util", "1.0");
        publish("t", "driver", "1.0");
        publish("t", "junit", "1.0");
        publish("t", "servlet", "1.0");
        publish("t", "hadoop", "1.0");

        List<Path> files = artifacts().resolve(List.of("t:app:1.0"), true);

        assertThat(files).extracting(p -> p.getFileName().toString())
                .first().isEqualTo("app-1.0.jar");
        assertThat(files).extracting(p -> p.getFileName().toString())
                .containsExactlyInAnyOrder("app-1.0.jar", "lib-1.0.jar", "driver-1.0.jar", "util-1.0.jar");
        assertThat(files).allSatisfy(p -> assertThat(p).startsWith(local).isRegularFile());
    }

    @Test
    void nearestVersionWinsAsInMaven() throws Exception {
        publish("t", "app", "1.0", dep("t", "lib", "1.0", "compile", false), dep("t", "util", "2.0", "compile", false));
        publish("t", "lib", "1.0", dep("t", "util", "1.0", "compile", false));
        publish("t", "util", "1.0");
        publish("t", "util", "2.0");

        List<Path> files = artifacts().resolve(List.of("t:app:1.0"), true);

        assertThat(files).extracting(p -> p.getFileName().toString())
                .containsExactlyInAnyOrder("app-1.0.jar", "lib-1.0.jar", "util-2.0.jar");
    }

    @Test
    void collectNamesWhatATransitiveResolveFetchesWithoutFetchingJars() throws Exception {
        publish("t", "app", "1.0", dep("t", "lib", "1.0", "compile", false), dep("t", "junit", "1.0", "test", false));
        publish("t", "lib", "1.0", dep("t", "util", "1.0", "runtime", false));
        publish("t", "util", "1.0");
        MavenArtifacts artifacts = artifacts();

        List<String> collected = artifacts.collect(List.of("t:app:1.0"));

        assertThat(collected).containsExactly("t:app:1.0", "t:lib:1.0", "t:util:1.0");
        assertThat(local.resolve("t/app/1.0/app-1.0.jar")).doesNotExist();
        assertThat(artifacts.resolve(collected, false)).isEqualTo(artifacts.resolve(List.of("t:app:1.0"), true));
    }

    @Test
    void nonTransitiveResolutionReturnsOnlyTheGivenArtifactsInOrder() throws Exception {
        publish("t", "lib", "1.0", dep("t", "util", "1.0", "compile", false));
        publish("t", "util", "1.0");
        publishFile("t", "lib", "1.0", "tests", "jar", "test classes");

        List<Path> files = artifacts().resolve(List.of("t:util:1.0", "t:lib:jar:tests:1.0", "t:lib:1.0"), false);

        assertThat(files).extracting(p -> p.getFileName().toString())
                .containsExactly("util-1.0.jar", "lib-1.0-tests.jar", "lib-1.0.jar");
    }

    @Test
    void missingArtifactIsNamedWithTheRepositoriesTried() {
        MavenArtifacts artifacts = artifacts();

        assertThatThrownBy(() -> artifacts.resolve(List.of("t:nowhere:1.0"), false))
                .isInstanceOfSatisfying(ArtifactResolutionFailure.class, f -> {
                    assertThat(f.missing()).containsExactly("t:nowhere:1.0");
                    assertThat(f.repositories()).containsExactly("test (" + remote.toUri() + ")");
                    assertThat(f.getMessage()).startsWith("cannot resolve t:nowhere:1.0 from test (" + remote.toUri() + ")");
                });
    }

    @Test
    void missingTransitiveDependencyIsNamed() throws Exception {
        publish("t", "app", "1.0", dep("t", "gone", "3.1", "compile", false));

        assertThatThrownBy(() -> artifacts().resolve(List.of("t:app:1.0"), true))
                .isInstanceOfSatisfying(ArtifactResolutionFailure.class,
                        f -> assertThat(f.missing()).containsExactly("t:gone:3.1"));
    }

    @Test
    void checksumMismatchFailsTheDownload() throws Exception {
        publish("t", "lib", "1.0");
        Files.writeString(remote.resolve("t/lib/1.0/lib-1.0.jar.sha1"), "0000000000000000000000000000000000000000");

        assertThatThrownBy(() -> artifacts().resolve(List.of("t:lib:1.0"), false))
                .isInstanceOfSatisfying(ArtifactResolutionFailure.class, f -> {
                    assertThat(f.missing()).containsExactly("t:lib:1.0");
                    assertThat(f.getMessage()).containsIgnoringCase("checksum");
                });
        assertThat(local.resolve("t/lib/1.0/lib-1.0.jar")).doesNotExist();
    }

    @Test
    void mirrorServesARepositoryThatIsNotReachable() throws Exception {
        publish("t", "lib", "1.0");
        MavenArtifacts.Repository unreachable = new MavenArtifacts.Repository("corp", tmp.resolve("absent").toUri().toString());
        MavenArtifacts.Mirror mirror = new MavenArtifacts.Mirror("local-mirror", remote.toUri().toString(), "*");

        try (MavenArtifacts artifacts = new MavenArtifacts(local, List.of(unreachable), List.of(mirror))) {
            assertThat(artifacts.resolve(List.of("t:lib:1.0"), false)).hasSize(1);
            assertThatThrownBy(() -> artifacts.resolve(List.of("t:other:1.0"), false))
                    .hasMessageContaining("local-mirror (" + remote.toUri() + ", mirror of corp)");
        }
    }

    @Test
    void emptyRepositoryListMeansMavenCentral() throws Exception {
        // Nothing is fetched: the failure only tells which repositories would have been tried.
        try (MavenArtifacts artifacts = new MavenArtifacts(local, List.of(),
                List.of(new MavenArtifacts.Mirror("m", remote.toUri().toString(), "central")))) {
            assertThatThrownBy(() -> artifacts.resolve(List.of("t:none:1.0"), false))
                    .isInstanceOfSatisfying(ArtifactResolutionFailure.class, f -> assertThat(f.repositories())
                            .containsExactly("m (" + remote.toUri() + ", mirror of central)"));
        }
    }

    @Test
    void malformedCoordinatesAreRejectedWithTheExpectedForm() {
        assertThatThrownBy(() -> artifacts().resolve(List.of("just-a-name"), false))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("'just-a-name'")
                .hasMessageContaining("groupId:artifactId:version");
    }

    @Test
    void coordinatesAreShownInTheUsersNotation() {
        assertThat(MavenArtifacts.coordinate(MavenArtifacts.parse("g:a:1"))).isEqualTo("g:a:1");
        assertThat(MavenArtifacts.coordinate(MavenArtifacts.parse("g:a:pom:1"))).isEqualTo("g:a:pom:1");
        assertThat(MavenArtifacts.coordinate(MavenArtifacts.parse("g:a:jar:tests:1"))).isEqualTo("g:a:jar:tests:1");
    }

    @Test
    void repositoryPasswordIsNeverPrinted() {
        MavenArtifacts.Repository r = new MavenArtifacts.Repository("corp", "https://repo.example.com", "ci", "s3cret");
        assertThat(r.toString()).isEqualTo("corp (https://repo.example.com)").doesNotContain("s3cret");
    }

    @Test
    void settingsWithoutRepositoriesMeanMavenCentral() {
        try (MavenArtifacts none = MavenArtifacts.forSettings(Optional.empty(), local, NO_SECRETS);
                MavenArtifacts empty = MavenArtifacts.forSettings(Optional.of(settings(List.of(), List.of())), local,
                        NO_SECRETS)) {
            assertThat(none.repositories()).containsExactly(MavenArtifacts.MAVEN_CENTRAL);
            assertThat(empty.repositories()).containsExactly(MavenArtifacts.MAVEN_CENTRAL);
            assertThat(empty.localRepository()).isEqualTo(local);
        }
    }

    @Test
    void settingsRepositoriesKeepTheirOrderAndTheirCredentialsAreReadThen() {
        Map<String, String> env = Map.of("CORP_LOGIN", "ci:pa:ss", "GITLAB_TOKEN", "glpat-123");
        List<Settings.Repository> repositories = List.of(
                new Settings.Repository("corp", "https://nexus.example.com/maven", env("CORP_LOGIN")),
                new Settings.Repository("gitlab", "https://gitlab.example.com/maven", env("GITLAB_TOKEN")),
                new Settings.Repository("central", "https://repo.maven.apache.org/maven2", null));
        List<Settings.Mirror> mirrors = List.of(new Settings.Mirror("proxy", "https://proxy.example.com/m2", "central"));

        try (MavenArtifacts artifacts = MavenArtifacts.forSettings(Optional.of(settings(repositories, mirrors)), local,
                new SecretResolver(env::get, name -> null))) {
            assertThat(artifacts.repositories()).containsExactly(
                    new MavenArtifacts.Repository("corp", "https://nexus.example.com/maven", "ci", "pa:ss"),
                    new MavenArtifacts.Repository("gitlab", "https://gitlab.example.com/maven", null, "glpat-123"),
                    new MavenArtifacts.Repository("central", "https://repo.maven.apache.org/maven2"));
            assertThat(artifacts.repositoryNames()).containsExactly(
                    "corp (https://nexus.example.com/maven)",
                    "gitlab (https://gitlab.example.com/maven)",
                    "proxy (https://proxy.example.com/m2, mirror of central)");
        }
    }

    @Test
    void aMissingCredentialNamesTheRepositoryAndTheVariable() {
        Settings settings = settings(List.of(new Settings.Repository("corp", "https://nexus.example.com/maven",
                env("NEXUS_TOKEN"))), List.of());

        assertThatThrownBy(() -> MavenArtifacts.forSettings(Optional.of(settings), local, NO_SECRETS))
                .isInstanceOf(SecretUnavailable.class)
                .hasMessage("Settings \"platform\" spec.maven.repositories[corp].credentials: environment variable"
                        + " NEXUS_TOKEN is not set");
    }

    @Test
    void aSettingsMirrorOnDiskServesARepositoryThatCannotBeReached() throws Exception {
        publish("t", "lib", "1.0", dep("t", "util", "1.0", "compile", false));
        publish("t", "util", "1.0");
        Settings settings = settings(List.of(new Settings.Repository("corp", "http://127.0.0.1:9/maven", null)),
                List.of(new Settings.Mirror("disk", remote.toUri().toString(), "*")));

        try (MavenArtifacts artifacts = MavenArtifacts.forSettings(Optional.of(settings), local, NO_SECRETS)) {
            assertThat(artifacts.resolve(List.of("t:lib:1.0"), true)).extracting(p -> p.getFileName().toString())
                    .containsExactly("lib-1.0.jar", "util-1.0.jar");
        }
    }

    private static final SecretResolver NO_SECRETS = new SecretResolver(name -> null, name -> null);

    private static Credential env(String name) {
        return new Credential(new SecretRef(name, null));
    }

    private static Settings settings(List<Settings.Repository> repositories, List<Settings.Mirror> mirrors) {
        return new Settings(Metadata.of("platform", null),
                new Settings.Spec(new Settings.Maven(repositories, mirrors, null), null, null, null, null));
    }

    private MavenArtifacts artifacts() {
        return new MavenArtifacts(local, List.of(new MavenArtifacts.Repository("test", remote.toUri().toString())), List.of());
    }

    private static String dep(String g, String a, String v, String scope, boolean optional) {
        return "<dependency><groupId>" + g + "</groupId><artifactId>" + a + "</artifactId><version>" + v
                + "</version><scope>" + scope + "</scope><optional>" + optional + "</optional></dependency>";
    }

    private void publish(String g, String a, String v, String... dependencies) throws Exception {
        String pom = "<project><modelVersion>4.0.0</modelVersion><groupId>" + g + "</groupId><artifactId>" + a
                + "</artifactId><version>" + v + "</version><dependencies>" + String.join("", dependencies)
                + "</dependencies></project>";
        publishFile(g, a, v, null, "pom", pom);
        publishFile(g, a, v, null, "jar", "classes of " + a + " " + v);
    }

    private void publishFile(String g, String a, String v, String classifier, String ext, String content) throws Exception {
        Path dir = Files.createDirectories(remote.resolve(g.replace('.', '/')).resolve(a).resolve(v));
        String name = a + "-" + v + (classifier == null ? "" : "-" + classifier) + "." + ext;
        byte[] bytes = content.getBytes(StandardCharsets.UTF_8);
        Files.write(dir.resolve(name), bytes);
        Files.writeString(dir.resolve(name + ".sha1"), sha1(bytes));
    }

    private static String sha1(byte[] bytes) throws NoSuchAlgorithmException {
        return HexFormat.of().formatHex(MessageDigest.getInstance("SHA-1").digest(bytes));
    }
}
