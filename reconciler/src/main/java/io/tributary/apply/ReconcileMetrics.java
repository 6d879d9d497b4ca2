package io.tributary.apply;

import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.Timer;
import io.tributary.source.SourceException;
import java.time.Duration;
import java.util.Locale;
import java.util.function.Supplier;

/**
 * What the loop records (docs/metrics.md): pass durations, actions by type and result, failed
 * fetches. Every tag comes from a closed set (action kinds, operation statuses, fetch failure
 * reasons), so the number of series stays bounded.
 */
final class ReconcileMetrics {
    private static final Duration[] PASS_BUCKETS = {Duration.ofMillis(10), Duration.ofMillis(50),
            Duration.ofMillis(100), Duration.ofMillis(250), Duration.ofMillis(500), Duration.ofSeconds(1),
            Duration.ofSeconds(2), Duration.ofSeconds(5), Duration.ofSeconds(10), Duration.ofSeconds(30)};
    private static final Duration[] ACTION_BUCKETS = {Duration.ofSeconds(1), Duration.ofSeconds(5),
            Duration.ofSeconds(15), Duration.ofSeconds(30), Duration.ofMinutes(1), Duration.ofMinutes(2),
            Duration.ofMinutes(5), Duration.ofMinutes(10)};

    private final MeterRegistry registry;
    private final Timer pass;

    ReconcileMetrics(MeterRegistry registry) {
        this.registry = registry;
        this.pass = Timer.builder("tributary.reconcile.pass")
                .description("One reconcile pass: fetch when due, observe, plan, hand out actions (not their run)")
                .serviceLevelObjectives(PASS_BUCKETS)
                .register(registry);
    }

    <T> T timePass(Supplier<T> body) {
        return pass.record(body);
    }

    void fetchFailed(SourceException.Reason reason) {
        Counter.builder("tributary.git.fetch.failures")
                .description("Fetches of the config source that failed, by reason")
                .tag("reason", reason.name().toLowerCase(Locale.ROOT))
                .register(registry).increment();
    }

    /** An operation ended: {@code result} is its status ({@code done}, {@code failed}, {@code rolled-back}). */
    void actionEnded(String type, String result, long startNanos) {
        Counter.builder("tributary.actions")
                .description("Actions run by the loop or by an override, by type and result")
                .tag("type", type).tag("result", result)
                .register(registry).increment();
        Timer.builder("tributary.action.duration")
                .description("How long an action ran, from its intent to its recorded result")
                .tag("type", type).tag("result", result)
                .serviceLevelObjectives(ACTION_BUCKETS)
                .register(registry).record(Duration.ofNanos(System.nanoTime() - startNanos));
    }
}
