package io.tributary.store;

import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.time.ZoneId;
import java.time.ZoneOffset;

/** A clock tests move by hand. */
public final class MutableClock extends Clock {
    private volatile Instant now;

    public MutableClock(Instant start) {
        this.now = start;
    }

    public void advance(Duration by) {
        now = now.plus(by);
    }

    @java.lang.Override
    public Instant instant() {
        return now;
    }

    @java.lang.Override
    public ZoneId getZone() {
        return ZoneOffset.UTC;
    }

    @java.lang.Override
    public Clock withZone(ZoneId zone) {
        return this;
    }
}
