package io.tributary.plan;

import java.util.Map;

/** Everything observed in one reconcile pass: apps by {@code team/name}, clusters by name. */
public record Observed(Map<String, AppObservation> apps, Map<String, ClusterObservation> clusters) {
    public Observed {
        apps = Map.copyOf(apps);
        clusters = Map.copyOf(clusters);
    }

    public AppObservation app(String app) {
        return apps.getOrDefault(app, AppObservation.unknown(app));
    }
}
