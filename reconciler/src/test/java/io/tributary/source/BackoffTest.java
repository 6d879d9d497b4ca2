package io.tributary.source;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.time.Duration;
import org.junit.jupiter.api.Test;

class BackoffTest {
    @Test
    void growsByTheFactorUpToTheMaximum() {
        Backoff backoff = new Backoff(Duration.ofSeconds(1), Duration.ofSeconds(10), 2.0);
        assertThat(backoff.nextDelay()).isEqualTo(Duration.ofSeconds(1));
        assertThat(backoff.nextDelay()).isEqualTo(Duration.ofSeconds(2));
        assertThat(backoff.nextDelay()).isEqualTo(Duration.ofSeconds(4));
        assertThat(backoff.nextDelay()).isEqualTo(Duration.ofSeconds(8));
        assertThat(backoff.nextDelay()).isEqualTo(Duration.ofSeconds(10));
        assertThat(backoff.nextDelay()).isEqualTo(Duration.ofSeconds(10));
        assertThat(backoff.failures()).isEqualTo(6);
    }

    @Test
    void resetStartsOver() {
        Backoff backoff = new Backoff(Duration.ofMillis(100), Duration.ofSeconds(1), 3.0);
        backoff.nextDelay();
        backoff.nextDelay();
        backoff.reset();
        assertThat(backoff.failures()).isZero();
        assertThat(backoff.nextDelay()).isEqualTo(Duration.ofMillis(100));
        assertThat(backoff.nextDelay()).isEqualTo(Duration.ofMillis(300));
    }

    @Test
    void aFactorOfOneIsAFixedDelay() {
        Backoff backoff = new Backoff(Duration.ofSeconds(5), Duration.ofSeconds(5), 1.0);
        assertThat(backoff.nextDelay()).isEqualTo(Duration.ofSeconds(5));
        assertThat(backoff.nextDelay()).isEqualTo(Duration.ofSeconds(5));
    }

    @Test
    void neverOverflowsAfterManyFailures() {
        Backoff backoff = Backoff.forFetches();
        for (int i = 0; i < 1_000; i++) {
            assertThat(backoff.nextDelay()).isBetween(Duration.ofSeconds(5), Duration.ofMinutes(5));
        }
        assertThat(backoff.nextDelay()).isEqualTo(Duration.ofMinutes(5));
    }

    @Test
    void rejectsSettingsThatAreNotBounded() {
        assertThatThrownBy(() -> new Backoff(Duration.ZERO, Duration.ofSeconds(1), 2)).hasMessageContaining("positive");
        assertThatThrownBy(() -> new Backoff(Duration.ofSeconds(2), Duration.ofSeconds(1), 2)).hasMessageContaining("shorter");
        assertThatThrownBy(() -> new Backoff(Duration.ofSeconds(1), Duration.ofSeconds(2), 0.5)).hasMessageContaining("at least 1");
        assertThatThrownBy(() -> new Backoff(Duration.ofSeconds(1), Duration.ofSeconds(2), Double.NaN)).hasMessageContaining("at least 1");
    }
}
