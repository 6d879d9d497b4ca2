package io.tributary.flink;

import static org.assertj.core.api.Assertions.assertThat;

import io.tributary.store.MutableClock;
import java.time.Duration;
import java.time.Instant;
import org.junit.jupiter.api.Test;

class RestartBudgetTest {
    @Test
    void allowsMaxRestartsPerWindowThenRefusesUntilTheOldestLeavesTheWindow() {
        MutableClock clock = new MutableClock(Instant.parse("2026-01-01T00:00:00Z"));
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
