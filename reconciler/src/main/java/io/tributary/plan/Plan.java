package io.tributary.plan;

import java.util.List;
import java.util.Optional;

/** The planner's answer for one pass: per app at most one action and its status; cluster actions first. */
public record Plan(List<ClusterAction> clusters, List<AppPlan> apps) {
    public Plan {
        clusters = List.copyOf(clusters);
        apps = List.copyOf(apps);
    }

    /** One application's next action (if any) and how it stands. */
    public record AppPlan(String app, Optional<Action> action, Health health, Sync sync, String message) {}

    public List<Action> actions() {
        return apps.stream().flatMap(a -> a.action().stream()).toList();
    }

    public Optional<AppPlan> app(String app) {
        return apps.stream().filter(a -> a.app().equals(app)).findFirst();
    }
}
