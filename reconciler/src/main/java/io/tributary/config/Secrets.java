package io.tributary.config;

import io.tributary.model.SecretRef;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Map;

/**
 * Reads secrets where the service runs: environment variables and files. A missing secret is a
 * {@link MissingSecret} that names where it was looked for, never what it holds.
 */
public final class Secrets {
    private final Map<String, String> environment;

    public Secrets(Map<String, String> environment) {
        this.environment = Map.copyOf(environment);
    }

    public static Secrets fromEnvironment() {
        return new Secrets(System.getenv());
    }

    public String read(SecretRef ref) {
        if (ref.env() != null) {
            String value = environment.get(ref.env());
            if (value == null) {
                throw new MissingSecret("environment variable " + ref.env() + " is not set on the service's host");
            }
            return value;
        }
        Path file = Path.of(ref.file());
        try {
            return Files.readString(file).strip();
        } catch (IOException e) {
            throw new MissingSecret("secret file " + file + " cannot be read (" + e.getClass().getSimpleName() + ")");
        }
    }

    /** A secret the service needs and cannot read. */
    public static final class MissingSecret extends RuntimeException {
        public MissingSecret(String message) {
            super(message);
        }
    }
}
