package io.tributary.server;

import io.javalin.http.Context;
import io.javalin.http.NotFoundResponse;
import io.tributary.apply.Reconciler;
import io.tributary.model.Application;
import io.tributary.model.DesiredState;
import io.tributary.store.AppEvent;
import io.tributary.store.AppStatus;
import io.tributary.store.Deployment;
import io.tributary.store.Operation;
import io.tributary.store.AppOverride;
import io.tributary.store.SavepointRecord;
import io.tributary.store.Store;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.TreeMap;

/** {@code /api/v1/applications}: every app Git declares or Tributary still runs, with its live status. */
final class ApplicationsApi {
    private final Reconciler reconciler;

    ApplicationsApi(Reconciler reconciler) {
        this.reconciler = reconciler;
    }

    /**
     * {@code specHash} is the digest of the spec the current job was deployed with, so that
     * {@code tributary plan --server} can tell exactly which apps a revision would upgrade.
     */
    record StatusView(String jobId, String jobState, String health, String sync, String message, String revision,
            String specHash, Instant updatedAt) {}

    record OverrideView(String pinnedState, boolean syncPaused, String actor, String reason, Instant since) {}

    record SavepointView(String path, String kind, Instant createdAt) {}

    /**
     * {@code upgradeMode} and {@code prune} are those of the applied revision (null once the app left
     * Git): they say how the app is upgraded or deleted, which {@code tributary plan --server} shows.
     */
    record ApplicationView(long id, String team, String name, boolean inGit, String mode, String cluster,
            String desiredState, String upgradeMode, Boolean prune, StatusView status, OverrideView override,
            SavepointView lastSavepoint, String flinkWebUi) {}

    record ApplicationDetail(ApplicationView application, List<Deployment> deployments,
            List<SavepointRecord> savepoints, List<AppEvent> events, List<Operation> operations) {}

    void list(Context ctx) {
        String team = ctx.queryParam("team");
        List<ApplicationView> views = new ArrayList<>();
        for (String app : appNames()) {
            if (team == null || app.startsWith(team + "/")) {
                views.add(view(app));
            }
        }
        ctx.json(Map.of("items", views, "total", views.size()));
    }

    void get(Context ctx) {
        String app = ctx.pathParam("team") + "/" + ctx.pathParam("name");
        if (!appNames().contains(app)) {
            throw new NotFoundResponse("no application " + app + " in the applied revision or the store");
        }
        Store store = reconciler.store();
        ctx.json(new ApplicationDetail(view(app), store.deployments(app, 50), store.savepoints(app),
                store.events(app, 50), store.operations(app, 50)));
    }

    private List<String> appNames() {
        Map<String, Boolean> names = new TreeMap<>();
        reconciler.current().ifPresent(l -> l.desired().applications()
                .forEach(a -> names.put(a.id().qualifiedName(), true)));
        reconciler.store().statuses().forEach(s -> names.putIfAbsent(s.app(), true));
        return List.copyOf(names.keySet());
    }

    private ApplicationView view(String app) {
        Store store = reconciler.store();
        Optional<DesiredState> desired = reconciler.current().map(Reconciler.Loaded::desired);
        Optional<Application> spec = desired.flatMap(d -> d.applications().stream()
                .filter(a -> a.id().qualifiedName().equals(app)).findFirst());
        Optional<AppStatus> status = store.status(app);
        Optional<AppOverride> override = store.override(app);
        Optional<SavepointRecord> last = store.latestRestorable(app);
        Optional<String> webUi = spec.flatMap(a -> desired.get().clusterOf(a))
                .flatMap(c -> reconciler.clusters().restUrl(c))
                .map(url -> url + "/#/job/running/" + status.map(AppStatus::jobId).orElse(""));
        String[] parts = app.split("/", 2);
        return new ApplicationView(store.appId(app), parts[0], parts[1], spec.isPresent(),
                spec.map(a -> a.spec().deployment().mode().yamlName()).or(() -> status.map(AppStatus::deploymentMode))
                        .orElse(null),
                spec.map(a -> a.spec().deployment().cluster()).or(() -> status.map(AppStatus::cluster)).orElse(null),
                spec.map(a -> a.spec().state().yamlName()).orElse("removed"),
                spec.map(a -> a.spec().upgradeMode().yamlName()).orElse(null),
                spec.map(a -> a.spec().prune()).orElse(null),
                status.map(s -> new StatusView(s.jobId(), s.jobState(), s.health(), s.sync(), s.message(), s.revision(),
                        s.specHash(), s.updatedAt())).orElse(null),
                override.map(o -> new OverrideView(o.pinnedState(), o.syncPaused(), o.actor(), o.reason(), o.since()))
                        .orElse(null),
                last.map(s -> new SavepointView(s.path(), s.kind(), s.createdAt())).orElse(null),
                status.map(AppStatus::jobId).isPresent() ? webUi.orElse(null) : null);
    }
}
