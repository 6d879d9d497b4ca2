package io.tributary.flink;

import java.security.SecureRandom;
import java.util.HexFormat;
import java.util.regex.Pattern;

/**
 * A Flink JobID: 32 lowercase hex digits. Tributary chooses it before submitting, so the intent
 * can be recorded first and a retried submit can be recognised.
 */
public record JobId(String hex) {
    private static final Pattern FORM = Pattern.compile("[0-9a-f]{32}");
    private static final SecureRandom RANDOM = new SecureRandom();

    public JobId {
        if (hex == null || !FORM.matcher(hex).matches()) {
            throw new IllegalArgumentException("not a Flink JobID: " + hex);
        }
    }

    public static JobId random() {
        byte[] bytes = new byte[16];
        RANDOM.nextBytes(bytes);
        return new JobId(HexFormat.of().formatHex(bytes));
    }

    @Override
    public String toString() {
        return hex;
    }
}
