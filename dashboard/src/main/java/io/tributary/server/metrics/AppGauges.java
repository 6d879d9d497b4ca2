package io.tributary.server.metrics;

import io.micrometer.core.instrument.Gauge;
import io.micrometer.core.instrument.MeterRegistry;
import io.tributary.plan.Health;
import io.tributary.plan.Sync;
import io.tributary.store.AppStatus;
import io.tributary.store.Store;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;

/**
 * {@code tributary_apps_by_sync} and {@code tributary_apps_by_health}: how many apps are in each state,
 * counted from the store's statuses at each scrape. Every known label is always there (0 when no app
 * has it), so that an alert on {@code Degraded} needs no {@code absent()}.
 */
final class AppGauges {
    private final MeterRegistry registry;
    private final Store store;
    private final Set<String> registered = ConcurrentHashMap.newKeySet();
    private volatile Map<String, Long> bySync = Map.of();
    private volatile Map<String, Long> byHealth = Map.of();

    AppGauges(MeterRegistry registry, Store store) {
        this.registry = registry;
        this.store = store;
        for (Sync sync : Sync.values()) {
            gauge("sync", sync.label());
        }
        for (Health health : Health.values()) {
            gauge("health", health.label());
        }
    }

    /** Counts the statuses again (one query); a label seen for the first time gets its gauge. */
    void refresh() {
        Map<String, Long> sync = new ConcurrentHashMap<>();
        Map<String, Long> health = new ConcurrentHashMap<>();
        for (AppStatus status : store.statuses()) {
            if (status.sync() != null) {
                sync.merge(status.sync(), 1L, Long::sum);
            }
            if (status.health() != null) {
                health.merge(status.health(), 1L, Long::sum);
            }
        }
        bySync = sync;
        byHealth = health;
        sync.keySet().forEach(label -> gauge("sync", label));
        health.keySet().forEach(label -> gauge("health", label));
    }

    private void gauge(String dimension, String label) {
        if (!registered.add(dimension + "=" + label)) {
            return;
        }
        boolean isSync = "sync".equals(dimension);
        Gauge.builder("tributary.apps.by." + dimension, this,
                        g -> (isSync ? g.bySync : g.byHealth).getOrDefault(label, 0L))
                .description(isSync ? "Apps by sync: whether what runs matches the applied revision"
                        : "Apps by health, as the dashboard shows it")
                .tag(dimension, label)
                .register(registry);
    }
}
