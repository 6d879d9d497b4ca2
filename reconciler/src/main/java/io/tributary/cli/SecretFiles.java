package io.tributary.cli;

import java.io.IOException;
import java.nio.file.AccessDeniedException;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;

/**
 * Secrets a command is started with: a file (a mounted Kubernetes or Docker secret) named by a flag
 * or its environment variable, or the secret itself in an environment variable, never in a flag,
 * which {@code ps} would show.
 */
public final class SecretFiles {
    private SecretFiles() {}

    /** A secret file that cannot be read: a mistake in how the command was started, said in one line. */
    public static final class Unreadable extends RuntimeException {
        private static final long serialVersionUID = 1L;

        Unreadable(String message) {
            super(message);
        }
    }

    /**
     * The file's text without the whitespace around it.
     *
     * @param what what the file holds, for the message ("token", "database password")
     * @param flag the flag and environment variable the file was named by, for the message
     */
    public static String read(Path file, String what, String flag, String variable) {
        try {
            return Files.readString(file).strip();
        } catch (NoSuchFileException e) {
            throw unreadable(file, what, "there is no such file", flag, variable);
        } catch (AccessDeniedException e) {
            throw unreadable(file, what, "permission denied", flag, variable);
        } catch (IOException e) {
            throw unreadable(file, what, e.getMessage(), flag, variable);
        }
    }

    private static Unreadable unreadable(Path file, String what, String why, String flag, String variable) {
        return new Unreadable("cannot read the " + what + " file " + file + ": " + why + "; check " + flag + " (or "
                + variable + ")");
    }

    /** A secret in an environment variable; set but empty (compose's {@code ${X:-}}, an env file's {@code X=}) is unset. */
    public static String variable(String name) {
        String value = System.getenv(name);
        return value == null || value.isBlank() ? null : value;
    }
}
