package io.tributary.source;

import java.time.Duration;
import java.util.Objects;

/**
 * Bounded exponential backoff for retrying a fetch: {@code initial}, then times {@code factor} after
 * each failure, never more than {@code max}; {@link #reset()} after a success. Deterministic: the
 * same failures give the same delays. Thread-safe.
 */
public final class Backoff {
    private final Duration initial;
    private final Duration max;
    private final double factor;
    private Duration next;
    private int failures;

    public Backoff(Duration initial, Duration max, double factor) {
        Objects.requireNonNull(initial, "initial");
        Objects.requireNonNull(max, "max");
        if (initial.isNegative() || initial.isZero()) {
            throw new IllegalArgumentException("initial backoff must be positive: " + initial);
        }
        if (max.compareTo(initial) < 0) {
            throw new IllegalArgumentException("max backoff " + max + " is shorter than initial " + initial);
        }
        if (!(factor >= 1.0) || Double.isInfinite(factor)) {
            throw new IllegalArgumentException("backoff factor must be at least 1: " + factor);
        }
        this.initial = initial;
        this.max = max;
        this.factor = factor;
        this.next = initial;
    }

    /** 5 s, 10 s, 20 s, ... up to 5 minutes: what a fetch loop uses against a Git server. */
    public static Backoff forFetches() {
        return new Backoff(Duration.ofSeconds(5), Duration.ofMinutes(5), 2.0);
    }

    /** The delay before the next attempt; counts a failure and grows the delay after it. */
    public synchronized Duration nextDelay() {
        Duration delay = next;
        failures++;
        double grown = next.toNanos() * factor;
        next = grown >= max.toNanos() ? max : Duration.ofNanos((long) grown);
        return delay;
    }

    /** Back to {@code initial} after a success. */
    public synchronized void reset() {
        next = initial;
        failures = 0;
    }

    /** Failures since the last reset (the number of delays handed out). */
    public synchronized int failures() {
        return failures;
    }

    @Override
    public synchronized String toString() {
        return "Backoff[initial=" + initial + ", max=" + max + ", factor=" + factor + ", failures=" + failures + "]";
    }
}
