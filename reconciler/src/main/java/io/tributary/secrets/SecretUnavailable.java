package io.tributary.secrets;

/**
 * A secret that was needed and could not be read: the message says who needed it and where it was
 * looked for (the environment variable or the file), never a value.
 */
public final class SecretUnavailable extends RuntimeException {
    public SecretUnavailable(String message) {
        super(message);
    }

    public SecretUnavailable(String message, Throwable cause) {
        super(message, cause);
    }
}
