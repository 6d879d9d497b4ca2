package io.tributary.server.auth;

import io.tributary.build.Digests;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.SecureRandom;
import java.util.Base64;

/** Random secrets (session cookies, API tokens, links) and the hashes under which they are stored. */
final class RandomSecrets {
    private static final SecureRandom RANDOM = new SecureRandom();

    private RandomSecrets() {}

    /** 32 random bytes, URL-safe Base64 without padding: 43 characters. */
    static String generate() {
        byte[] bytes = new byte[32];
        RANDOM.nextBytes(bytes);
        return Base64.getUrlEncoder().withoutPadding().encodeToString(bytes);
    }

    /**
     * SHA-256 in hex. A fast hash is right here, unlike for passwords: the secret has 256 random bits,
     * so there is nothing to guess from the hash.
     */
    static String hash(String secret) {
        return Digests.sha256(secret);
    }

    static boolean constantTimeEquals(String a, String b) {
        return MessageDigest.isEqual(a.getBytes(StandardCharsets.UTF_8), b.getBytes(StandardCharsets.UTF_8));
    }
}
