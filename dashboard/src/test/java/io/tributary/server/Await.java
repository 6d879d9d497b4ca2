package io.tributary.server;

import java.time.Duration;
import java.util.function.BooleanSupplier;

/** Polling for a condition the tests wait for, with a deadline. */
final class Await {
    private static final Duration POLL = Duration.ofMillis(500);

    private Await() {}

    /**
     * Polls {@code condition} until it holds. An exception from it counts as "not yet" (a service still
     * starting refuses connections) and is named in the failure; an {@link AssertionError} fails at once.
     *
     * @throws AssertionError when {@code timeout} passes first
     */
    static void until(String what, Duration timeout, BooleanSupplier condition) {
        long deadline = System.nanoTime() + timeout.toNanos();
        RuntimeException last = null;
        while (true) {
            try {
                if (condition.getAsBoolean()) {
                    return;
                }
            } catch (RuntimeException e) {
                last = e;
            }
            if (System.nanoTime() > deadline) {
                AssertionError error = new AssertionError("timed out after " + timeout + " waiting until " + what
                        + (last == null ? "" : "; last error: " + last));
                if (last != null) {
                    error.initCause(last);
                }
                throw error;
            }
            try {
                Thread.sleep(POLL.toMillis());
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                throw new AssertionError("interrupted waiting until " + what, e);
            }
        }
    }
}
