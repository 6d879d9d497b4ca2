package io.tributary.server.webhooks;

import java.nio.charset.StandardCharsets;

/**
 * The shared secret webhook deliveries are signed with. Its {@link #toString()} is masked, so it can
 * be printed with the rest of the configuration and never shows up in a log.
 */
public final class WebhookSecret {
    private final byte[] value;
    private final String origin;

    private WebhookSecret(byte[] value, String origin) {
        this.value = value;
        this.origin = origin;
    }

    /**
     * A secret given as text; surrounding white space (a file's final newline) is dropped.
     *
     * @param origin where it came from, for the start-up line ({@code TRIBUTARY_WEBHOOK_SECRET}, a file)
     * @throws IllegalArgumentException when nothing is left
     */
    public static WebhookSecret of(String text, String origin) {
        String secret = text.strip();
        if (secret.isEmpty()) {
            throw new IllegalArgumentException("the webhook secret from " + origin + " is empty; put a random string"
                    + " in it (e.g. `openssl rand -hex 32`) and the same one in the Git server's webhook settings");
        }
        return new WebhookSecret(secret.getBytes(StandardCharsets.UTF_8), origin);
    }

    byte[] bytes() {
        return value.clone();
    }

    @Override
    public String toString() {
        return "**** (from " + origin + ")";
    }
}
