package io.tributary.flink;

import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayDeque;
import java.util.Deque;

/**
 * How often the watchdog may restart one process: at most {@code max} restarts within
 * {@code window}. A process that keeps dying (a port taken, a broken configuration) is then left
 * down and reported, instead of being restarted forever.
 */
final class RestartBudget {
    private final int max;
    private final Duration window;
    private final Clock clock;
    private final Deque<Instant> recent = new ArrayDeque<>();

    RestartBudget(int max, Duration window, Clock clock) {
        this.max = max;
        this.window = window;
        this.clock = clock;
    }

    /** True and counted when another restart fits in the window now. */
    synchronized boolean tryAcquire() {
        Instant now = clock.instant();
        while (!recent.isEmpty() && !recent.peekFirst().isAfter(now.minus(window))) {
            recent.removeFirst();
        }
        if (recent.size() >= max) {
            return false;
        }
        recent.addLast(now);
        return true;
    }
}
