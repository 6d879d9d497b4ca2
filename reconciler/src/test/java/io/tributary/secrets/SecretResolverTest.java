package io.tributary.secrets;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.tributary.model.Credential;
import io.tributary.model.DesiredState;
import io.tributary.model.Metadata;
import io.tributary.model.SecretRef;
import io.tributary.model.Variable;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class SecretResolverTest {
    private static final String WHERE = "Settings \"platform\" spec.maven.repositories[corp].credentials";

    @TempDir
    Path tmp;

    private final Map<String, String> env = Map.of("NEXUS_TOKEN", "ci:s3cret", "EMPTY", "");
    private final Map<String, Variable> variables = Map.of(
            "nexus", new Variable(Metadata.of("nexus", null), new Variable.Spec(null, new SecretRef("NEXUS_TOKEN", null), null)),
            "plain", new Variable(Metadata.of("plain", null), new Variable.Spec("value", null, null)));
    private final SecretResolver secrets = new SecretResolver(env::get, variables::get);

    @Test
    void anEnvironmentVariableIsReadAsItIs() {
        assertThat(secrets.resolve(new SecretRef("NEXUS_TOKEN", null), WHERE)).isEqualTo("ci:s3cret");
    }

    @Test
    void anUnsetOrEmptyVariableIsNamedWithWhoNeedsIt() {
        assertThatThrownBy(() -> secrets.resolve(new SecretRef("NEXUS_PASSWORD", null), WHERE))
                .isInstanceOf(SecretUnavailable.class)
                .hasMessage(WHERE + ": environment variable NEXUS_PASSWORD is not set");
        assertThatThrownBy(() -> secrets.resolve(new SecretRef("EMPTY", null), WHERE))
                .hasMessage(WHERE + ": environment variable EMPTY is empty");
    }

    @Test
    void aFileLosesItsTrailingLineBreakOnly() throws Exception {
        Path file = Files.writeString(tmp.resolve("token"), " tok en \n");
        assertThat(secrets.resolve(new SecretRef(null, file.toString()), WHERE)).isEqualTo(" tok en ");
    }

    @Test
    void aMissingOrEmptyFileIsNamed() throws Exception {
        Path missing = tmp.resolve("nope");
        assertThatThrownBy(() -> secrets.resolve(new SecretRef(null, missing.toString()), WHERE))
                .isInstanceOf(SecretUnavailable.class)
                .hasMessage(WHERE + ": file " + missing + " cannot be read (it does not exist)");
        Path empty = Files.writeString(tmp.resolve("empty"), "\n");
        assertThatThrownBy(() -> secrets.resolve(new SecretRef(null, empty.toString()), WHERE))
                .hasMessage(WHERE + ": file " + empty + " is empty");
    }

    @Test
    void aCredentialIsItsSecretOrTheSecretOfItsVariable() {
        assertThat(secrets.resolve(new Credential(new SecretRef("NEXUS_TOKEN", null)), WHERE)).isEqualTo("ci:s3cret");
        assertThat(secrets.resolve(Credential.ofVariable("${nexus}"), WHERE)).isEqualTo("ci:s3cret");
    }

    @Test
    void aCredentialVariableThatIsNotAPlatformSecretIsRefused() {
        assertThatThrownBy(() -> secrets.resolve(Credential.ofVariable("${plain}"), WHERE))
                .hasMessage(WHERE + ": \"${plain}\" names no platform-wide secret Variable");
        assertThatThrownBy(() -> secrets.resolve(Credential.ofVariable("${gone}"), WHERE))
                .hasMessage(WHERE + ": \"${gone}\" names no platform-wide secret Variable");
    }

    @Test
    void aMissingVariableSecretSaysWhichVariableItCameThrough() {
        SecretResolver noEnvironment = new SecretResolver(name -> null, variables::get);
        assertThatThrownBy(() -> noEnvironment.resolve(Credential.ofVariable("${nexus}"), WHERE))
                .hasMessage(WHERE + " (secret Variable nexus): environment variable NEXUS_TOKEN is not set");
    }

    @Test
    void fromADesiredStateOnlyPlatformVariablesAreSeen() {
        Variable team = new Variable(Metadata.of("teamonly", "payments"),
                new Variable.Spec(null, new SecretRef("PATH", null), null));
        Variable platform = new Variable(Metadata.of("shell", null), new Variable.Spec(null, new SecretRef("PATH", null), null));
        SecretResolver fromState = SecretResolver.of(DesiredState.of(List.of(team, platform)));

        assertThat(fromState.resolve(Credential.ofVariable("${shell}"), WHERE)).isEqualTo(System.getenv("PATH"));
        assertThatThrownBy(() -> fromState.resolve(Credential.ofVariable("${teamonly}"), WHERE))
                .isInstanceOf(SecretUnavailable.class);
    }

    @Test
    void aTextGetsTheSecretsOfItsTeamBeforeThePlatformsAndKeepsOtherReferences() {
        Variable teamHook = new Variable(Metadata.of("hook", "payments"),
                new Variable.Spec(null, new SecretRef("TEAM_HOOK", null), null));
        Variable platformHook = new Variable(Metadata.of("hook", null),
                new Variable.Spec(null, new SecretRef("PLATFORM_HOOK", null), null));
        Variable plain = new Variable(Metadata.of("region", null), new Variable.Spec("eu", null, null));
        DesiredState state = DesiredState.of(List.of(teamHook, platformHook, plain));
        SecretResolver resolver = new SecretResolver(
                Map.of("TEAM_HOOK", "https://team.example/h", "PLATFORM_HOOK", "https://platform.example/h")::get,
                name -> null);

        assertThat(resolver.substitute("${hook}?r=${region}&x=${nowhere}", "payments", state, WHERE))
                .isEqualTo("https://team.example/h?r=${region}&x=${nowhere}");
        assertThat(resolver.substitute("${hook}", "analytics", state, WHERE)).isEqualTo("https://platform.example/h");
        assertThat(resolver.substitute("${hook}", null, state, WHERE)).isEqualTo("https://platform.example/h");
        assertThatThrownBy(() -> new SecretResolver(name -> null, name -> null).substitute("${hook}", null, state, WHERE))
                .hasMessage(WHERE + " (secret Variable hook): environment variable PLATFORM_HOOK is not set");
    }
}
