package io.tributary.sqlrunner;

import java.util.Optional;

/**
 * The configuration SET and RESET change, by key, with string values. Flink's TableConfig in the job,
 * a map in tests and in the runner's look-ahead: so SET/RESET semantics are tested without Flink.
 */
interface ConfigTarget {

    /** The value in force for the key, from the job's own settings or what the cluster gave it. */
    Optional<String> get(String key);

    void set(String key, String value);

    /** Drop the job's own value, so the key falls back to the cluster's (absent when it had none). */
    void remove(String key);
}
