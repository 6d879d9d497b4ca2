package io.tributary.cli;

import io.tributary.cli.PlanReport.AppItem;
import io.tributary.cli.PlanReport.Change;
import io.tributary.cli.PlanReport.ClusterItem;
import io.tributary.model.Application;
import io.tributary.model.Cluster;
import io.tributary.model.DesiredState;
import io.tributary.model.JobState;
import io.tributary.plan.Action;
import io.tributary.plan.AppObservation;
import io.tributary.plan.AppObservation.AppliedSpec;
import io.tributary.plan.AppObservation.CurrentJob;
import io.tributary.plan.AppObservation.KeptSavepoint;
import io.tributary.plan.ClusterAction;
import io.tributary.plan.ClusterObservation;
import io.tributary.plan.Health;
import io.tributary.plan.Observed;
import io.tributary.plan.Plan;
import io.tributary.plan.Plan.AppPlan;
import io.tributary.plan.Planner;
import io.tributary.plan.SpecDiff;
import io.tributary.plan.SpecHash;
import io.tributary.plan.Sync;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;
import java.util.function.Function;
import java.util.function.Supplier;

/**
 * A preview of what the service would do with a head revision, from the pure {@link Planner}: the
 * world it would find is either a base revision taken as fully applied (every app of base running
 * with base's spec, or suspended with a savepoint; every managed cluster of base up with base's
 * spec), or the live state a running service reports. The planner's actions are then told as
 * creates, upgrades, suspends, resumes and deletes, each with why.
 */
final class PlanPreview {
    /** The job id given to base's apps; the planner only needs one to exist. */
    private static final String BASE_JOB = "running-in-base";

    private PlanPreview() {}

    /** One side of a comparison: its name for people and what it declares. */
    record Side(String label, DesiredState state) {}

    /** The spec an app's job runs with and the state it was loaded in (its variables and Flink versions). */
    record Prior(Application spec, DesiredState state) {}

    /**
     * What is known of an app before the head applies, besides the observation.
     *
     * @param desiredState {@code running} or {@code suspended} before; null when not known
     * @param deployedFrom the revision its job was deployed from; null when not known
     * @param liveMessage the service's own message about the app; null offline
     * @param prior the spec its job runs with, for field-by-field reasons; asked only for apps
     *     whose spec changed, since finding it may mean reading another revision
     */
    record Known(String desiredState, String deployedFrom, String liveMessage, Supplier<Optional<Prior>> prior) {
        static final Known NOTHING = new Known(null, null, null, Optional::empty);
    }

    /** Applying {@code head} after {@code base}: the comparison a pull request asks for. */
    static PlanReport compare(Side base, Side head, Instant now) {
        Map<String, AppObservation> apps = new HashMap<>();
        Map<String, Known> known = new HashMap<>();
        for (Application app : base.state().applications()) {
            String key = app.id().qualifiedName();
            AppliedSpec applied = new AppliedSpec(SpecHash.of(app, base.state()), base.label(),
                    app.spec().upgradeMode(), app.spec().prune());
            boolean running = app.spec().state() == Application.DesiredState.RUNNING;
            Optional<CurrentJob> job = running
                    ? Optional.of(new CurrentJob(BASE_JOB, Optional.of(JobState.RUNNING), now, Optional.empty(), now,
                            base.state().jobClusterName(app)))
                    : Optional.empty();
            List<KeptSavepoint> savepoints = running ? List.of()
                    : List.of(new KeptSavepoint(1, "the savepoint " + key + " was suspended with", now));
            apps.put(key, new AppObservation(key, job, Optional.of(applied), true, savepoints, List.of(),
                    Optional.empty(), false, Optional.empty(), false));
            Optional<Prior> prior = Optional.of(new Prior(app, base.state()));
            known.put(key, new Known(app.spec().state().yamlName(), base.label(), null, () -> prior));
        }
        Map<String, ClusterObservation> clusters = new HashMap<>();
        for (Cluster cluster : base.state().all(Cluster.class)) {
            if (cluster.spec().managed() && Planner.runsWhenSettled(cluster, base.state())) {
                String name = cluster.id().qualifiedName();
                clusters.put(name, new ClusterObservation(name, true, true, true,
                        Optional.of(SpecHash.of(cluster, base.state()))));
            }
        }
        Observed observed = new Observed(apps, clusters);
        Plan clusterPlan = Planner.plan(head.state(), observed, now);
        List<ClusterItem> clusterItems = new ArrayList<>();
        for (ClusterAction action : clusterPlan.clusters()) {
            clusterItems.add(clusterItem(action, base.state(), head.state()));
        }
        // a cluster Git removed is stopped once the apps on it have moved off or been deleted: a later pass
        Observed moved = new Observed(settledJobs(apps, head.state(), now), clusters);
        for (ClusterAction action : Planner.plan(head.state(), moved, now).clusters()) {
            if (action instanceof ClusterAction.StopCluster && clusterPlan.clusters().stream()
                    .noneMatch(a -> a.cluster().equals(action.cluster()))) {
                clusterItems.add(new ClusterItem(action.cluster(), "stop", List.of(action.reason()
                        + ", once the apps on it have moved off"), List.of()));
            }
        }
        return report(base.label(), head, null, observed, clusterItems, now,
                app -> known.getOrDefault(app, Known.NOTHING));
    }

    /**
     * Applying {@code head} to what a running service reports: {@code observed} built from its
     * applications API. Clusters are not in that API, so only applications are planned; {@code known}
     * gives the specs the running jobs were deployed with, where they can be read.
     */
    static PlanReport live(String baseLabel, String server, Side head, Observed observed, Function<String, Known> known,
            Instant now) {
        return report(baseLabel, head, server, observed, List.of(), now, known);
    }

    private static PlanReport report(String baseLabel, Side head, String server, Observed observed,
            List<ClusterItem> clusterItems, Instant now, Function<String, Known> known) {
        // Plan the apps as they end up once the clusters are settled: an app on a cluster being
        // started or restarted waits for it in one pass and is handled in the next.
        Map<String, ClusterObservation> settled = new HashMap<>();
        for (Cluster cluster : head.state().all(Cluster.class)) {
            if (cluster.spec().managed() && Planner.runsWhenSettled(cluster, head.state())) {
                String name = cluster.id().qualifiedName();
                settled.put(name, new ClusterObservation(name, true, true, true,
                        Optional.of(SpecHash.of(cluster, head.state()))));
            }
        }
        Plan plan = Planner.plan(head.state(), new Observed(observed.apps(), settled), now);
        Map<String, Application> headApps = new HashMap<>();
        head.state().applications().forEach(a -> headApps.put(a.id().qualifiedName(), a));
        Map<String, String> restartedWith = new HashMap<>();
        clusterItems.stream().filter(c -> c.action().equals("restart"))
                .forEach(c -> c.apps().forEach(app -> restartedWith.put(app, c.cluster())));
        List<AppItem> items = new ArrayList<>();
        int unchanged = 0;
        for (AppPlan p : plan.apps()) {
            Optional<Application> headApp = Optional.ofNullable(headApps.get(p.app()));
            boolean sourceKnown = headApp.map(PlanPreview::restoreSource).map(observed.apps()::containsKey).orElse(true);
            Optional<AppItem> item = item(p, headApp, head.state(), observed.app(p.app()), sourceKnown,
                    known.apply(p.app()));
            if (item.isPresent() && restartedWith.containsKey(p.app()) && headApps.containsKey(p.app())) {
                item = Optional.of(withClusterRestart(item.get(), headApps.get(p.app()), restartedWith.get(p.app())));
            }
            Optional<String> restartedUnder = observed.app(p.app()).job().flatMap(CurrentJob::cluster)
                    .filter(c -> clusterItems.stream().anyMatch(i -> i.cluster().equals(c) && i.action().equals("restart")));
            if (item.isPresent() && item.get().change() == Change.KEEP && restartedUnder.isPresent()) {
                item = Optional.of(new AppItem(p.app(), Change.SUSPEND, "savepoint", List.of("removed from Git with"
                        + " prune: false; the restart of cluster " + restartedUnder.get() + " stops its job, which is not"
                        + " resumed until the app is declared again")));
            }
            if (item.isPresent()) {
                items.add(item.get());
            } else {
                unchanged++;
            }
        }
        return new PlanReport(baseLabel, head.label(), server, clusterItems, withRenameNotes(items, headApps), unchanged);
    }

    /** @param sourceKnown whether the app it restores from ({@code spec.restore.application}), if any, is observed */
    private static Optional<AppItem> item(AppPlan p, Optional<Application> headApp, DesiredState head,
            AppObservation obs, boolean sourceKnown, Known known) {
        String key = p.app();
        // an app the base declares (or the service has in force) is not new, though it may never have run
        boolean isKnown = obs.everDeployed() || obs.applied().isPresent() || obs.job().isPresent()
                || known.desiredState() != null;
        if (p.action().isPresent()) {
            Action action = p.action().get();
            if (action instanceof Action.Deploy deploy) {
                if (!isKnown) {
                    String source = restoreSource(headApp.get());
                    return Optional.of(new AppItem(key, Change.CREATE,
                            source != null ? "from-application" : deploy.restoreFrom().isPresent() ? "from-savepoint" : null,
                            source != null ? List.of("new application" + where(headApp.get(), head), deploy.reason())
                                    : List.of("new application" + where(headApp.get(), head))));
                }
                List<String> reasons = new ArrayList<>(stateChange(known, "running", deploy.reason()));
                reasons.addAll(why(known, headApp.get(), head, obs));
                return Optional.of(new AppItem(key, Change.START, null, reasons));
            }
            if (action instanceof Action.Upgrade upgrade) {
                return Optional.of(new AppItem(key, Change.UPGRADE, upgradeMode(upgrade),
                        why(known, headApp.get(), head, obs)));
            }
            if (action instanceof Action.Suspend move && wantsRunning(headApp, obs)) {
                // Git wants it running: it is suspended only to be resumed on the cluster Git now names
                List<String> reasons = why(known, headApp.get(), head, obs);
                return Optional.of(new AppItem(key, Change.MOVE, stopMode(move), !reasons.isEmpty() ? reasons
                        : List.of("cluster: " + obs.job().flatMap(CurrentJob::cluster).orElseThrow() + " -> "
                                + head.jobClusterName(headApp.get()).orElseThrow())));
            }
            if (action instanceof Action.Suspend suspend) {
                List<String> reasons = new ArrayList<>(stateChange(known, "suspended", suspend.reason()));
                reasons.addAll(why(known, headApp.get(), head, obs));
                return Optional.of(new AppItem(key, Change.SUSPEND, stopMode(suspend), reasons));
            }
            if (action instanceof Action.Resume resume) {
                List<String> reasons = new ArrayList<>(stateChange(known, "running", resume.reason()));
                reasons.addAll(why(known, headApp.get(), head, obs));
                return Optional.of(new AppItem(key, Change.RESUME, "savepoint", reasons));
            }
            if (action instanceof Action.Restart restart) {
                return Optional.of(new AppItem(key, Change.RESTART, null, List.of(restart.reason())));
            }
            if (action instanceof Action.Delete delete) {
                boolean stateless = obs.applied().map(a -> a.upgradeMode() == Application.UpgradeMode.STATELESS)
                        .orElse(false);
                String detail = delete.finalSavepoint() ? "removed from Git"
                        : stateless ? "removed from Git; upgradeMode stateless takes no savepoint"
                        : "removed from Git; no job runs";
                return Optional.of(new AppItem(key, Change.DELETE,
                        delete.finalSavepoint() ? "final-savepoint" : "no-savepoint", List.of(detail)));
            }
            // periodic savepoints and retention are housekeeping, not a change from Git
            return Optional.empty();
        }
        if (headApp.isEmpty()) {
            boolean kept = obs.applied().map(a -> !a.prune()).orElse(false);
            if (kept && obs.job().flatMap(CurrentJob::state).filter(JobState::isAlive).isPresent()) {
                return Optional.of(new AppItem(key, Change.KEEP, null,
                        List.of("removed from Git; prune: false leaves its job as it is")));
            }
            if (kept) {
                return Optional.of(new AppItem(key, Change.NONE, null,
                        List.of("removed from Git with prune: false; no job runs, so nothing is stopped")));
            }
            return Optional.of(new AppItem(key, Change.NONE, null, List.of(message(p, obs, known))));
        }
        Application app = headApp.get();
        boolean wantsRunning = app.spec().state() == Application.DesiredState.RUNNING;
        if (!isKnown) {
            if (!wantsRunning && p.sync() == Sync.SYNCED) {
                return Optional.of(new AppItem(key, Change.CREATE, "suspended",
                        List.of("new application" + where(app, head) + ", declared suspended")));
            }
            String source = restoreSource(app);
            if (wantsRunning && source != null && p.health() == Health.PROGRESSING) {
                // its source is stopping in this same change (a rename): the next pass starts it from the final savepoint
                return Optional.of(new AppItem(key, Change.CREATE, "from-application", List.of(
                        "new application" + where(app, head), "starts from the final savepoint of " + source
                                + " once its job has stopped")));
            }
            if (wantsRunning && source != null && !sourceKnown) {
                // deleted before the base: only the service's records know its savepoints
                return Optional.of(new AppItem(key, Change.CREATE, "from-application", List.of(
                        "new application" + where(app, head), "starts from the latest savepoint the service recorded"
                                + " for " + source + ", which is not in the base; without one it does not start"
                                + " (unless allowStatelessFallback)")));
            }
            return Optional.of(new AppItem(key, Change.NONE, null, List.of(message(p, obs, known))));
        }
        String headHash = SpecHash.of(app, head);
        // with no spec applied yet (never ran) there is nothing for a change to differ from
        boolean specDiffers = obs.applied().map(a -> !a.specHash().equals(headHash)).orElse(false);
        boolean alive = obs.job().flatMap(CurrentJob::state).filter(s -> !s.isTerminal() && s != JobState.LOST)
                .isPresent();
        if (p.sync() != Sync.SYNCED && (specDiffers || alive != wantsRunning)) {
            return Optional.of(new AppItem(key, Change.NONE, null, List.of(message(p, obs, known))));
        }
        if (specDiffers && !wantsRunning && !alive) {
            return Optional.of(new AppItem(key, Change.UPDATE, null, why(known, app, head, obs)));
        }
        return Optional.empty();
    }

    /** The {@code team/name} the app's first deploy takes its state from, or null. */
    private static String restoreSource(Application app) {
        return app.spec().restore() == null ? null : app.spec().restore().sourceApp(app.id().team());
    }

    /**
     * Renames and moves between teams: a deleted app that a new one restores from says so; a new app whose name
     * contains a deleted one's, or the other way round, looks like a rename or move that starts without the old
     * app's state, which is said beside its create.
     */
    private static List<AppItem> withRenameNotes(List<AppItem> items, Map<String, Application> headApps) {
        Map<String, String> takenOverBy = new HashMap<>();
        headApps.forEach((key, app) -> {
            String source = restoreSource(app);
            if (source != null) {
                takenOverBy.put(source, key);
            }
        });
        List<String> deleted = items.stream().filter(i -> i.change() == Change.DELETE).map(AppItem::app)
                .filter(app -> !takenOverBy.containsKey(app)).toList();
        List<AppItem> noted = new ArrayList<>();
        for (AppItem item : items) {
            Application app = headApps.get(item.app());
            String key = item.app();
            Optional<String> old = deleted.stream().filter(d -> looksRenamed(d, key)).findFirst();
            String note = null;
            if (item.change() == Change.DELETE && takenOverBy.containsKey(key)) {
                note = takenOverBy.get(key) + " starts from its final savepoint (spec.restore.application)";
            } else if (item.change() == Change.CREATE && app != null && app.spec().restore() == null
                    && old.isPresent() && !"suspended".equals(item.mode())) {
                String source = team(old.get()).equals(team(key)) ? name(old.get()) : old.get();
                note = "starts without state while " + old.get() + " is deleted: if it is renamed or moved, set"
                        + " spec.restore.application: " + source + " to start from its final savepoint";
            }
            if (note != null) {
                List<String> reasons = new ArrayList<>(item.reasons());
                reasons.add(note);
                item = new AppItem(key, item.change(), item.mode(), reasons);
            }
            noted.add(item);
        }
        return noted;
    }

    private static boolean looksRenamed(String from, String to) {
        return name(to).contains(name(from)) || name(from).contains(name(to));
    }

    private static String team(String app) {
        return app.substring(0, Math.max(0, app.indexOf('/')));
    }

    private static String name(String app) {
        return app.substring(app.indexOf('/') + 1);
    }

    /** Whether the app in {@code head} is to run, an operator's pin considered. */
    private static boolean wantsRunning(Optional<Application> headApp, AppObservation obs) {
        return headApp.isPresent() && obs.override().flatMap(AppObservation.Override::pinnedState)
                .orElse(headApp.get().spec().state()) == Application.DesiredState.RUNNING;
    }

    /** The service's word on an app it is busy with, else the planner's. */
    private static String message(AppPlan p, AppObservation obs, Known known) {
        if (obs.operationInFlight() && known.liveMessage() != null) {
            return "in progress: " + known.liveMessage();
        }
        return p.message();
    }

    private static String where(Application app, DesiredState head) {
        String cluster = head.clusterOf(app).map(c -> c.id().qualifiedName()).orElse(app.spec().deployment().cluster());
        return " (" + app.spec().deployment().mode().yamlName() + (cluster == null ? "" : " on cluster " + cluster) + ")";
    }

    private static List<String> stateChange(Known known, String to, String plannerReason) {
        if (known.desiredState() != null && !known.desiredState().equals(to)) {
            return List.of("state: " + known.desiredState() + " -> " + to);
        }
        return List.of(plannerReason);
    }

    /** Which fields that shape the job differ from the ones it runs with; nothing when the spec is the same. */
    private static List<String> why(Known known, Application headApp, DesiredState head, AppObservation obs) {
        String headHash = SpecHash.of(headApp, head);
        Optional<String> runningHash = obs.applied().map(AppliedSpec::specHash);
        if (runningHash.isPresent() && runningHash.get().equals(headHash)) {
            return List.of();
        }
        Optional<Prior> prior = known.prior().get();
        if (prior.isPresent()) {
            List<String> fields = SpecDiff.app(prior.get().spec(), prior.get().state(), headApp, head);
            if (!fields.isEmpty()) {
                return fields;
            }
        }
        if (runningHash.isEmpty()) {
            return List.of();
        }
        return List.of(known.deployedFrom() == null ? "spec changed"
                : "spec differs from the one its job was deployed with (" + PlanReport.shorten(known.deployedFrom()) + ")");
    }

    private static ClusterItem clusterItem(ClusterAction action, DesiredState base, DesiredState head) {
        String name = action.cluster();
        if (action instanceof ClusterAction.StartCluster) {
            boolean inBase = cluster(base, name).isPresent();
            return new ClusterItem(name, "start", List.of(inBase ? action.reason() : "new managed cluster"), List.of());
        }
        if (action instanceof ClusterAction.StopCluster) {
            return new ClusterItem(name, "stop", List.of(action.reason()), List.of());
        }
        ClusterAction.UpdateCluster update = (ClusterAction.UpdateCluster) action;
        List<String> reasons = new ArrayList<>();
        Optional<Cluster> before = cluster(base, name);
        Optional<Cluster> after = cluster(head, name);
        if (before.isPresent() && after.isPresent()) {
            reasons.addAll(SpecDiff.cluster(before.get(), base, after.get(), head));
        }
        if (reasons.isEmpty()) {
            reasons.add(action.reason());
        }
        List<String> declared = head.applications().stream().map(a -> a.id().qualifiedName()).toList();
        List<String> kept = update.appsToMove().stream().filter(app -> !declared.contains(app)).toList();
        if (!kept.isEmpty()) {
            reasons.add("stops " + String.join(", ", kept) + " with a savepoint (removed from Git, prune: false): not"
                    + " resumed until declared again");
        }
        return new ClusterItem(name, "restart", reasons,
                update.appsToMove().stream().filter(declared::contains).toList());
    }

    /**
     * Base's jobs as they are once head has been applied: an app head keeps running runs on head's cluster,
     * one head removes keeps its job only with {@code prune: false}, one head suspends has none.
     */
    private static Map<String, AppObservation> settledJobs(Map<String, AppObservation> apps, DesiredState head,
            Instant now) {
        Map<String, AppObservation> settled = new HashMap<>();
        apps.forEach((key, obs) -> {
            Optional<Application> after = head.applications().stream()
                    .filter(a -> a.id().qualifiedName().equals(key)).findFirst();
            Optional<CurrentJob> job = obs.job().flatMap(j -> after.isEmpty()
                    ? obs.applied().filter(a -> !a.prune()).map(a -> j)
                    : after.filter(a -> a.spec().state() == Application.DesiredState.RUNNING)
                            .map(a -> new CurrentJob(j.jobId(), j.state(), now, Optional.empty(), now,
                                    head.jobClusterName(a))));
            settled.put(key, new AppObservation(key, job, obs.applied(), obs.everDeployed(), obs.savepoints(),
                    obs.recentRestarts(), obs.override(), obs.operationInFlight(), obs.lastFailure(),
                    obs.suspendedByService()));
        });
        return settled;
    }

    private static Optional<Cluster> cluster(DesiredState state, String name) {
        return state.all(Cluster.class).stream().filter(c -> Objects.equals(c.id().qualifiedName(), name)).findFirst();
    }

    /**
     * An app whose cluster restarts is stopped before the restart the way a move stops it and resumed
     * after it with the head's spec, whatever its upgrade would have done: a stateless app keeps its
     * state through a savepoint.
     */
    private static AppItem withClusterRestart(AppItem item, Application app, String cluster) {
        if (item.change() != Change.UPGRADE) {
            return item;
        }
        List<String> reasons = new ArrayList<>(item.reasons());
        reasons.add("stopped and resumed with the restart of cluster " + cluster);
        return new AppItem(item.app(), Change.UPGRADE, stopMode(Planner.move(item.app(), "", app.spec(), "")), reasons);
    }

    /** How a job is upgraded: its upgrade mode, or {@code savepoint-or-stateless} (the fallback). */
    private static String upgradeMode(Action.Upgrade upgrade) {
        return upgrade.mode() == Application.UpgradeMode.SAVEPOINT && upgrade.allowStatelessFallback()
                ? "savepoint-or-stateless" : upgrade.mode().yamlName();
    }

    /** How a job is stopped: {@code last-state}, {@code savepoint}, or {@code savepoint-or-cancel} (the fallback). */
    private static String stopMode(Action.Suspend suspend) {
        return suspend.mode() == Application.UpgradeMode.SAVEPOINT && suspend.allowStatelessFallback()
                ? "savepoint-or-cancel" : suspend.mode().yamlName();
    }
}
