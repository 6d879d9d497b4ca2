package io.tributary.server.webhooks;

import io.tributary.build.Digests;
import java.nio.charset.StandardCharsets;
import java.security.GeneralSecurityException;
import java.security.MessageDigest;
import java.util.HexFormat;
import java.util.Optional;
import java.util.function.UnaryOperator;
import javax.crypto.Mac;
import javax.crypto.spec.SecretKeySpec;

/**
 * Each provider's proof that a delivery comes from someone who knows the secret. Every comparison is
 * constant-time ({@link MessageDigest#isEqual}), and no failure reason ever contains the secret.
 */
final class Signatures {
    static final String GITHUB_HEADER = "X-Hub-Signature-256";
    static final String GITHUB_SHA1_HEADER = "X-Hub-Signature";
    static final String GITLAB_HEADER = "X-Gitlab-Token";
    static final String GITEA_HEADER = "X-Gitea-Signature";
    static final String BITBUCKET_HEADER = "X-Hub-Signature";
    static final String GENERIC_HEADER = "X-Tributary-Signature";
    private static final String SHA256_PREFIX = "sha256=";

    private Signatures() {}

    /**
     * Checks one delivery.
     *
     * @param headers a request header by name (case-insensitive), null when absent
     * @return empty when the delivery is authentic, else why not (for the 401 answer and the log)
     */
    static Optional<String> verify(Provider provider, UnaryOperator<String> headers, byte[] body, WebhookSecret secret) {
        switch (provider) {
            case GITHUB: {
                String signature = headers.apply(GITHUB_HEADER);
                if (signature == null && headers.apply(GITHUB_SHA1_HEADER) != null) {
                    return Optional.of("only " + GITHUB_SHA1_HEADER + " (SHA-1) was sent; Tributary checks "
                            + GITHUB_HEADER + ", which GitHub sends when the webhook has a secret");
                }
                return prefixedHmac(GITHUB_HEADER, signature, body, secret);
            }
            case GITLAB:
                return token(headers.apply(GITLAB_HEADER), secret);
            case GITEA:
                return hmac(GITEA_HEADER, headers.apply(GITEA_HEADER), body, secret);
            case BITBUCKET:
                return prefixedHmac(BITBUCKET_HEADER, headers.apply(BITBUCKET_HEADER), body, secret);
            case GENERIC:
                return prefixedHmac(GENERIC_HEADER, headers.apply(GENERIC_HEADER), body, secret);
            default:
                throw new IllegalArgumentException("no signature scheme for " + provider);
        }
    }

    /** {@code sha256=<hex of HMAC-SHA256(secret, body)>}: GitHub, Bitbucket, generic. */
    private static Optional<String> prefixedHmac(String header, String value, byte[] body, WebhookSecret secret) {
        if (value == null || value.isBlank()) {
            return missing(header);
        }
        if (!value.startsWith(SHA256_PREFIX)) {
            return Optional.of(header + " does not start with " + SHA256_PREFIX
                    + "; only HMAC-SHA256 signatures are accepted");
        }
        return hmac(header, value.substring(SHA256_PREFIX.length()), body, secret);
    }

    /** {@code <hex of HMAC-SHA256(secret, body)>}. */
    private static Optional<String> hmac(String header, String hex, byte[] body, WebhookSecret secret) {
        if (hex == null || hex.isBlank()) {
            return missing(header);
        }
        byte[] given;
        try {
            given = HexFormat.of().parseHex(hex.strip().toLowerCase(java.util.Locale.ROOT));
        } catch (IllegalArgumentException e) {
            return Optional.of(header + " is not hexadecimal");
        }
        if (!MessageDigest.isEqual(given, hmacSha256(secret.bytes(), body))) {
            return Optional.of(header + " does not match the body signed with the configured secret;"
                    + " check that the webhook's secret is the service's webhook secret");
        }
        return Optional.empty();
    }

    /** GitLab sends the secret itself; digests of both are compared so that not even its length leaks. */
    private static Optional<String> token(String value, WebhookSecret secret) {
        if (value == null || value.isEmpty()) {
            return missing(GITLAB_HEADER);
        }
        if (!MessageDigest.isEqual(sha256(value.getBytes(StandardCharsets.UTF_8)), sha256(secret.bytes()))) {
            return Optional.of(GITLAB_HEADER + " is not the configured secret;"
                    + " check the webhook's secret token in GitLab");
        }
        return Optional.empty();
    }

    private static Optional<String> missing(String header) {
        return Optional.of("no " + header + " header; set the service's webhook secret as the webhook's secret");
    }

    static byte[] hmacSha256(byte[] key, byte[] body) {
        try {
            Mac mac = Mac.getInstance("HmacSHA256");
            mac.init(new SecretKeySpec(key, "HmacSHA256"));
            return mac.doFinal(body);
        } catch (GeneralSecurityException e) {
            throw new IllegalStateException("HmacSHA256 is part of every Java runtime", e);
        }
    }

    /** {@code sha256=<hex>} of {@code body} under {@code key}: what GitHub, Bitbucket and generic senders send. */
    static String sign(byte[] key, byte[] body) {
        return SHA256_PREFIX + HexFormat.of().formatHex(hmacSha256(key, body));
    }

    private static byte[] sha256(byte[] bytes) {
        return Digests.newSha256().digest(bytes);
    }
}
