package io.tributary.server.webhooks;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.charset.StandardCharsets;
import java.util.HexFormat;
import java.util.Map;
import java.util.Optional;
import java.util.TreeMap;
import org.junit.jupiter.api.Test;

class SignaturesTest {
    private static final WebhookSecret SECRET = WebhookSecret.of("It's a Secret to Everybody", "test");
    private static final byte[] BODY = "Hello, World!".getBytes(StandardCharsets.UTF_8);
    /** GitHub's published example: this body under this secret. */
    private static final String GITHUB_EXAMPLE = "757107ea0eb2509fc211221cce984b8a37570b6d7586c22c46f4379c8b043e17";

    @Test
    void hmacMatchesRfc4231TestCase2() {
        byte[] mac = Signatures.hmacSha256("Jefe".getBytes(StandardCharsets.US_ASCII),
                "what do ya want for nothing?".getBytes(StandardCharsets.US_ASCII));
        assertThat(HexFormat.of().formatHex(mac))
                .isEqualTo("5bdcc146bf60754e6a042426089575c75a003f089d2739839dec58b964ec3843");
    }

    @Test
    void githubsPublishedExampleIsAccepted() {
        assertThat(verify(Provider.GITHUB, Map.of("X-Hub-Signature-256", "sha256=" + GITHUB_EXAMPLE))).isEmpty();
    }

    @Test
    void eachProvidersOwnHeaderCarriesTheSignature() {
        assertThat(verify(Provider.GITEA, Map.of("X-Gitea-Signature", GITHUB_EXAMPLE))).isEmpty();
        assertThat(verify(Provider.BITBUCKET, Map.of("X-Hub-Signature", "sha256=" + GITHUB_EXAMPLE))).isEmpty();
        assertThat(verify(Provider.GENERIC, Map.of("X-Tributary-Signature", "sha256=" + GITHUB_EXAMPLE))).isEmpty();
        assertThat(verify(Provider.GITLAB, Map.of("X-Gitlab-Token", "It's a Secret to Everybody"))).isEmpty();
    }

    @Test
    void upperCaseHexIsTheSameSignature() {
        assertThat(verify(Provider.GITEA, Map.of("X-Gitea-Signature", GITHUB_EXAMPLE.toUpperCase()))).isEmpty();
    }

    @Test
    void aChangedBodyIsRefused() {
        Optional<String> reason = Signatures.verify(Provider.GITHUB,
                headers(Map.of("X-Hub-Signature-256", "sha256=" + GITHUB_EXAMPLE)),
                "Hello, World?".getBytes(StandardCharsets.UTF_8), SECRET);
        assertThat(reason).hasValueSatisfying(r -> assertThat(r).contains("does not match"));
    }

    @Test
    void anotherSecretIsRefusedAndNeverNamed() {
        WebhookSecret other = WebhookSecret.of("a different secret", "test");
        Optional<String> reason = Signatures.verify(Provider.BITBUCKET,
                headers(Map.of("X-Hub-Signature", "sha256=" + GITHUB_EXAMPLE)), BODY, other);
        assertThat(reason).hasValueSatisfying(r -> assertThat(r).contains("X-Hub-Signature does not match")
                .doesNotContain("a different secret"));
        Optional<String> token = Signatures.verify(Provider.GITLAB,
                headers(Map.of("X-Gitlab-Token", "It's a Secret to Everybody")), BODY, other);
        assertThat(token).hasValueSatisfying(r -> assertThat(r).contains("X-Gitlab-Token is not the configured secret")
                .doesNotContain("a different secret").doesNotContain("Everybody"));
    }

    @Test
    void aMissingHeaderIsRefusedNamingTheHeader() {
        assertThat(verify(Provider.GITHUB, Map.of())).hasValueSatisfying(r -> assertThat(r)
                .startsWith("no X-Hub-Signature-256 header"));
        assertThat(verify(Provider.GITLAB, Map.of())).hasValueSatisfying(r -> assertThat(r)
                .startsWith("no X-Gitlab-Token header"));
        assertThat(verify(Provider.GITEA, Map.of())).hasValueSatisfying(r -> assertThat(r)
                .startsWith("no X-Gitea-Signature header"));
        assertThat(verify(Provider.GENERIC, Map.of())).hasValueSatisfying(r -> assertThat(r)
                .startsWith("no X-Tributary-Signature header"));
    }

    @Test
    void githubsSha1OnlyHeaderIsRefusedWithAHint() {
        assertThat(verify(Provider.GITHUB, Map.of("X-Hub-Signature", "sha1=0123456789abcdef")))
                .hasValueSatisfying(r -> assertThat(r).contains("only X-Hub-Signature (SHA-1)"));
    }

    @Test
    void malformedSignaturesAreRefused() {
        assertThat(verify(Provider.GITHUB, Map.of("X-Hub-Signature-256", GITHUB_EXAMPLE)))
                .hasValueSatisfying(r -> assertThat(r).contains("does not start with sha256="));
        assertThat(verify(Provider.GITEA, Map.of("X-Gitea-Signature", "not-hex")))
                .hasValueSatisfying(r -> assertThat(r).contains("is not hexadecimal"));
        assertThat(verify(Provider.GENERIC, Map.of("X-Tributary-Signature", "sha256=" + GITHUB_EXAMPLE.substring(2))))
                .hasValueSatisfying(r -> assertThat(r).contains("does not match"));
    }

    @Test
    void theSecretIsMaskedWhenPrinted() {
        assertThat(SECRET.toString()).isEqualTo("**** (from test)").doesNotContain("Secret");
    }

    private static Optional<String> verify(Provider provider, Map<String, String> headers) {
        return Signatures.verify(provider, headers(headers), BODY, SECRET);
    }

    /** Header names are case-insensitive, as in HTTP. */
    private static java.util.function.UnaryOperator<String> headers(Map<String, String> headers) {
        Map<String, String> map = new TreeMap<>(String.CASE_INSENSITIVE_ORDER);
        map.putAll(headers);
        return map::get;
    }
}
