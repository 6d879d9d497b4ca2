package io.tributary.model;

/**
 * Where a secret lives on the service's host: an environment variable or a file. Never the
 * secret itself; exactly one of the two is set.
 */
public record SecretRef(String env, String file) {
    @Override
    public String toString() {
        return env != null ? "{env: " + env + "}" : "{file: " + file + "}";
    }
}
