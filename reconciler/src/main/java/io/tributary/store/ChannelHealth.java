package io.tributary.store;

import java.time.Instant;

/**
 * How deliveries to one channel went: the last attempt, the last success (null: none yet), and how
 * many attempts failed since that success. A channel that keeps failing shows on the dashboard.
 */
public record ChannelHealth(String channel, Instant lastAttemptAt, Instant lastOkAt, int failuresSinceOk,
        String lastDetail) {

    /** Failing: its latest attempts failed, and not once or twice by chance. */
    public boolean failing() {
        return failuresSinceOk >= 3;
    }
}
