package io.tributary.flink;

import static org.assertj.core.api.Assertions.assertThat;

import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.time.ZoneId;
import java.time.ZoneOffset;
import org.junit.jupiter.api.Test;

class RestartBudgetTest {
    /** A clock the test moves by hand. */
    static final class ManualClock extends Clock {
        private Instant now = Instant.parse("2026-01-01T00:00:00Z");

        void advance(Duration d) {
            now = now.plus(d);
        }

        @Override
        public ZoneId getZone() {
            return ZoneOffset.UTC;
        }

        @Override
        public Clock withZone(ZoneId zone) {
            return this;
        }

        @Override
        public Instant instant() {
            return now;
        }
    }

    @Test
    void allowsMaxRestartsPerWindowThenRefusesUntilTheOldestLeavesTheWindow() {
        ManualClock clock = new ManualClock();
        RestartBudget budget = new RestartBudget(3, Duration.ofMinutes(5), clock);

        assertThat(budget.tryAcquire()).isTrue();
        clock.advance(Duration.ofMinutes(1));
        assertThat(budget.tryAcquire()).isTrue();
        assertThat(budget.tryAcquire()).isTrue();
        assertThat(budget.tryAcquire()).as("fourth within 5 minutes").isFalse();

        clock.advance(Duration.ofMinutes(4));
        assertThat(budget.tryAcquire()).as("the first restart left the window").isTrue();
        assertThat(budget.tryAcquire()).isFalse();

        clock.advance(Duration.ofMinutes(10));
        assertThat(budget.tryAcquire()).isTrue();
    }
}
