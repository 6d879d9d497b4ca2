package io.tributary.apply;

import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Named points inside an operation where the crash-safety test makes the service die as if
 * killed with -9 ({@code TRIBUTARY_CRASH_AT=<name>}). Unset, as in every real deployment, they
 * do nothing.
 */
final class CrashPoint {
    static final String BEFORE_SAVEPOINT = "before-savepoint";
    static final String AFTER_SAVEPOINT = "after-savepoint";
    static final String AFTER_SUBMIT = "after-submit";

    private static final Logger LOG = LoggerFactory.getLogger(CrashPoint.class);
    private static final String WANTED = System.getenv("TRIBUTARY_CRASH_AT");

    private CrashPoint() {}

    static void reached(String name) {
        if (name.equals(WANTED)) {
            LOG.warn("crash-point={} reached; halting as TRIBUTARY_CRASH_AT asks", name);
            Runtime.getRuntime().halt(137);
        }
    }
}
