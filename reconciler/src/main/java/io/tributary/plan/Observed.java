package io.tributary.plan;

import java.util.Map;

/**
 * Everything observed in one reconcile pass: apps by {@code team/name}, clusters by name, and apps Tributary
 * deleted that an app's first deploy restores from ({@code spec.restore.application}), known by their records.
 */
public record Observed(Map<String, AppObservation> apps, Map<String, ClusterObservation> clusters,
        Map<String, AppObservation> deletedApps) {
    public Observed {
        apps = Map.copyOf(apps);
        clusters = Map.copyOf(clusters);
        deletedApps = Map.copyOf(deletedApps);
    }

    public Observed(Map<String, AppObservation> apps, Map<String, ClusterObservation> clusters) {
        this(apps, clusters, Map.of());
    }

    public AppObservation app(String app) {
        return apps.getOrDefault(app, AppObservation.unknown(app));
    }

    /** An app to restore from: one Git declares or Tributary still runs, else one it deleted. */
    public AppObservation restoreSource(String app) {
        AppObservation known = apps.get(app);
        return known != null ? known : deletedApps.getOrDefault(app, AppObservation.unknown(app));
    }
}
