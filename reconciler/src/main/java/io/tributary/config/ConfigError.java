package io.tributary.config;

import java.util.Comparator;

/**
 * A problem users can act on, located in the config repository: {@code file} is relative to the
 * repository root, {@code line} and {@code column} are 1-based, {@code field} is the dotted path
 * of the offending key ({@code spec.deployment.cluster}), or empty when the problem is not in a
 * YAML field (a syntax error, a line of a SQL file).
 */
public record ConfigError(String file, int line, int column, String field, String message) {

    public static final Comparator<ConfigError> BY_LOCATION = Comparator.comparing(ConfigError::file)
            .thenComparingInt(ConfigError::line)
            .thenComparingInt(ConfigError::column)
            .thenComparing(ConfigError::message);

    /** {@code teams/payments/apps.yaml:14:5: spec.deployment.cluster: cluster "lcoal" does not exist}. */
    @Override
    public String toString() {
        String location = file + ":" + line + ":" + column + ": ";
        return field.isEmpty() ? location + message : location + field + ": " + message;
    }
}
