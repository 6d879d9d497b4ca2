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
        Records records = Records.all(reconciler);
        List<ApplicationView> views = new ArrayList<>();
        for (String app : records.names()) {
            if (team == null || app.startsWith(team + "/")) {
                views.add(view(app, records));
            }
        }
        ctx.json(Map.of("items", views, "total", views.size()));
    }

    void get(Context ctx) {
        String app = ctx.pathParam("team") + "/" + ctx.pathParam("name");
        Records records = Records.all(reconciler);
        if (!records.names().contains(app)) {
            throw new NotFoundResponse("no application " + app + " in the applied revision or the store");
        }
        Store store = reconciler.store();
        ctx.json(new ApplicationDetail(view(app, records), store.deployments(app, 50), store.savepoints(app),
                store.events(app, 50), store.operations(app, 50)));
    }

    /** What the views are made of, read once per request: the applied revision and the store's records. */
    private record Records(Optional<DesiredState> desired, Map<String, Application> specs,
            Map<String, AppStatus> statuses, Map<String, AppOverride> overrides,
            Map<String, List<SavepointRecord>> savepoints, List<String> names) {

        static Records all(Reconciler reconciler) {
            Store store = reconciler.store();
            Optional<DesiredState> desired = reconciler.current().map(Reconciler.Loaded::desired);
            Map<String, Application> specs = new TreeMap<>();
            desired.ifPresent(d -> d.applications().forEach(a -> specs.put(a.id().qualifiedName(), a)));
            Map<String, AppStatus> statuses = new TreeMap<>();
            store.statuses().forEach(s -> statuses.put(s.app(), s));
            Map<String, AppOverride> overrides = new TreeMap<>();
            store.overrides().forEach(o -> overrides.put(o.app(), o));
            java.util.Set<String> names = new java.util.TreeSet<>(specs.keySet());
            names.addAll(statuses.keySet());
            return new Records(desired, specs, statuses, overrides, store.restorableSavepointsByApp(),
                    List.copyOf(names));
        }
    }

    private ApplicationView view(String app, Records records) {
        Store store = reconciler.store();
        Optional<DesiredState> desired = records.desired();
        Optional<Application> spec = Optional.ofNullable(records.specs().get(app));
        Optional<AppStatus> status = Optional.ofNullable(records.statuses().get(app));
        Optional<AppOverride> override = Optional.ofNullable(records.overrides().get(app));
        Optional<SavepointRecord> last = records.savepoints().getOrDefault(app, List.of()).stream().findFirst();
        Optional<String> webUi = spec.flatMap(a -> desired.get().clusterOf(a))
                .flatMap(c -> reconciler.clusters().restUrl(c))
                .map(url -> url + "/#/job/running/" + status.map(AppStatus::jobId).orElse(""));
        String[] parts = app.split("/", 2);
        long id = status.map(AppStatus::id).filter(n -> n > 0).orElseGet(() -> store.appId(app));
        return new ApplicationView(id, parts[0], parts[1], spec.isPresent(),
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
