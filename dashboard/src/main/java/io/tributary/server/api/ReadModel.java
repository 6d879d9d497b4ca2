package io.tributary.server.api;

import io.tributary.apply.Reconciler;
import io.tributary.model.Application;
import io.tributary.model.DesiredState;
import io.tributary.server.GitVsRunning;
import io.tributary.server.Json;
import io.tributary.server.api.ApplicationsApi.ApplicationDetail;
import io.tributary.server.api.ApplicationsApi.ApplicationView;
import io.tributary.server.api.ApplicationsApi.OverrideView;
import io.tributary.server.api.ApplicationsApi.SavepointView;
import io.tributary.server.api.ApplicationsApi.StatusView;
import io.tributary.store.AppOverride;
import io.tributary.store.AppStatus;
import io.tributary.store.Deployment;
import io.tributary.store.SavepointRecord;
import io.tributary.store.Store;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;
import java.util.TreeMap;
import java.util.TreeSet;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.locks.ReentrantLock;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * What the API reads of applications, kept in memory so that a GET does not query PostgreSQL. A
 * snapshot is built from the applied revision and the store's records, and read again when the store
 * was written by this process ({@link Store#changes}), when another revision is applied, or after
 * {@link #MAX_AGE_NANOS} (other replicas' writes, a managed cluster's address). One request rebuilds
 * while the others answer from the previous snapshot; details are read once per snapshot and kept as
 * their JSON. The dashboard's pages read the same snapshot.
 */
public final class ReadModel {
    private static final Logger LOG = LoggerFactory.getLogger(ReadModel.class);
    /** How old a snapshot may get with nothing written by this process: 1 s. */
    static final long MAX_AGE_NANOS = 1_000_000_000L;
    /**
     * How long an app's detail may be carried from one snapshot to the next while neither this process
     * wrote nor the app's view changed: the bound on how late another replica's events show.
     */
    static final long DETAIL_MAX_AGE_NANOS = 10_000_000_000L;
    private static final int DETAIL_ROWS = 50;

    /** Every app's view, sorted by {@code team/name}, and the details read so far. */
    record Snapshot(long changes, Reconciler.Loaded loaded, long builtAt, List<ApplicationView> apps,
            Map<String, ApplicationView> byName, List<String> teams, Map<String, byte[]> details,
            long detailsReadAt, Map<String, byte[]> pages) {}

    /** How many answered list pages a snapshot keeps (by caller's visible teams and query). */
    private static final int MAX_PAGES = 1000;

    private final Reconciler reconciler;
    private final GitVsRunning drift;
    private final ReentrantLock rebuilding = new ReentrantLock();
    private volatile Snapshot snapshot;

    public ReadModel(Reconciler reconciler, GitVsRunning drift) {
        this.reconciler = reconciler;
        this.drift = drift;
    }

    /** Every app Git declares or the store still knows, sorted by {@code team/name}. */
    public List<ApplicationView> apps() {
        return snapshot().apps();
    }

    Snapshot snapshot() {
        Snapshot current = snapshot;
        if (current != null && fresh(current)) {
            return current;
        }
        if (current != null && !rebuilding.tryLock()) {
            return current; // another request is reading the store; answer from the previous snapshot meanwhile
        }
        if (current == null) {
            rebuilding.lock();
        }
        try {
            Snapshot again = snapshot;
            if (again != null && again != current && fresh(again)) {
                return again;
            }
            Snapshot built = build(current);
            snapshot = built;
            return built;
        } finally {
            rebuilding.unlock();
        }
    }

    /**
     * The app's detail as JSON, read from the store once per snapshot (not kept while the revision its
     * job was deployed from is still being read for the drift); empty if the snapshot has no such app.
     */
    Optional<byte[]> detail(Snapshot snap, String app) {
        ApplicationView view = snap.byName().get(app);
        if (view == null) {
            return Optional.empty();
        }
        byte[] kept = snap.details().get(app);
        if (kept != null) {
            return Optional.of(kept);
        }
        Store store = reconciler.store();
        List<Deployment> deployments = store.deployments(app, DETAIL_ROWS);
        GitVsRunning.Drift appDrift = drift.of(app, deployments);
        ApplicationDetail detail = new ApplicationDetail(view, appDrift, deployments, store.savepoints(app),
                store.events(app, DETAIL_ROWS), store.operations(app, DETAIL_ROWS));
        byte[] json = Json.MAPPER.writeValueAsBytes(detail);
        if (!appDrift.changesPending()) {
            snap.details().putIfAbsent(app, json);
        }
        return Optional.of(json);
    }

    /**
     * A list page as JSON, made by {@code make} once per snapshot and {@code key} (which must hold all that
     * the answer depends on: what the caller may see and the query), then answered from memory.
     */
    byte[] page(Snapshot snap, String key, java.util.function.Supplier<Object> make) {
        byte[] cached = snap.pages().get(key);
        if (cached != null) {
            return cached;
        }
        byte[] json = Json.MAPPER.writeValueAsBytes(make.get());
        if (snap.pages().size() < MAX_PAGES) {
            snap.pages().put(key, json);
        }
        return json;
    }

    private boolean fresh(Snapshot s) {
        return s.changes() == reconciler.store().changes()
                && s.loaded() == reconciler.current().orElse(null) // identity: a new revision is a new Loaded
                && System.nanoTime() - s.builtAt() < MAX_AGE_NANOS;
    }

    /**
     * A new snapshot. When only {@code previous}'s age made it stale (nothing written here, same
     * revision), the answers made from it that still hold are kept: list pages when no app's view
     * changed, and details of apps whose view did not change for up to {@link #DETAIL_MAX_AGE_NANOS}.
     * Otherwise every request after a rebuild would read its app's records from the store again.
     */
    private Snapshot build(Snapshot previous) {
        long started = System.nanoTime();
        Store store = reconciler.store();
        long changes = store.changes(); // before reading: a write meanwhile makes the next request read again
        Optional<Reconciler.Loaded> loaded = reconciler.current();
        Optional<DesiredState> desired = loaded.map(Reconciler.Loaded::desired);
        Map<String, Application> specs = new HashMap<>();
        desired.ifPresent(d -> d.applications().forEach(a -> specs.put(a.id().qualifiedName(), a)));
        Map<String, AppStatus> statuses = new HashMap<>();
        store.statuses().forEach(s -> statuses.put(s.app(), s));
        Map<String, AppOverride> overrides = new HashMap<>();
        store.overrides().forEach(o -> overrides.put(o.app(), o));
        Map<String, List<SavepointRecord>> savepoints = store.restorableSavepointsByApp();
        Map<String, Long> ids = store.appIds();
        TreeSet<String> names = new TreeSet<>(specs.keySet());
        names.addAll(statuses.keySet());
        List<ApplicationView> views = new ArrayList<>(names.size());
        Map<String, ApplicationView> byName = new TreeMap<>();
        for (String app : names) {
            ApplicationView view = view(app, Optional.ofNullable(specs.get(app)),
                    Optional.ofNullable(statuses.get(app)), Optional.ofNullable(overrides.get(app)),
                    savepoints.getOrDefault(app, List.of()).stream().findFirst(), ids);
            views.add(view);
            byName.put(app, view);
        }
        long tookMicros = (System.nanoTime() - started) / 1000;
        LOG.debug("read-model apps={} builtInMicros={}", views.size(), tookMicros);
        List<String> teams = views.stream().map(ApplicationView::team).distinct().sorted().toList();
        long now = System.nanoTime();
        Map<String, byte[]> details = new ConcurrentHashMap<>();
        Map<String, byte[]> pages = new ConcurrentHashMap<>();
        long detailsReadAt = now;
        boolean onlyAged = previous != null && previous.changes() == changes
                && previous.loaded() == loaded.orElse(null);
        if (onlyAged) {
            if (previous.apps().equals(views)) {
                pages.putAll(previous.pages());
            }
            if (now - previous.detailsReadAt() < DETAIL_MAX_AGE_NANOS) {
                previous.details().forEach((app, json) -> {
                    if (Objects.equals(previous.byName().get(app), byName.get(app))) {
                        details.put(app, json);
                    }
                });
                detailsReadAt = previous.detailsReadAt();
            }
        }
        return new Snapshot(changes, loaded.orElse(null), now, List.copyOf(views), byName, teams, details,
                detailsReadAt, pages);
    }

    private ApplicationView view(String app, Optional<Application> spec,
            Optional<AppStatus> status, Optional<AppOverride> override, Optional<SavepointRecord> last,
            Map<String, Long> ids) {
        Optional<String> webUi = reconciler.jobWebUi(app, status)
                .map(url -> url + "/#/job/running/" + status.map(AppStatus::jobId).orElse(""));
        String[] parts = app.split("/", 2);
        long id = status.map(AppStatus::id).filter(n -> n > 0).or(() -> Optional.ofNullable(ids.get(app)))
                .orElseGet(() -> reconciler.store().appId(app)); // numbered on first sight, once
        // an app that left Git is deleted or kept as the spec it last ran with says
        Optional<Application> departed = spec.or(() -> status.flatMap(reconciler::lastSpec));
        return new ApplicationView(id, parts[0], parts[1], spec.isPresent(),
                spec.map(a -> a.spec().deployment().mode().yamlName()).or(() -> status.map(AppStatus::deploymentMode))
                        .orElse(null),
                AppStatus.sessionCluster(spec, status),
                spec.map(a -> a.spec().state().yamlName()).orElse("removed"),
                departed.map(a -> a.spec().upgradeMode().yamlName()).orElse(null),
                departed.map(a -> a.spec().prune()).orElse(null),
                status.map(s -> new StatusView(s.jobId(), s.jobState(), s.cluster(), s.health(), s.sync(), s.message(),
                        s.revision(), s.specHash(), s.updatedAt())).orElse(null),
                override.map(o -> new OverrideView(o.pinnedState(), o.drain(), o.cancelIfSavepointFails(),
                        o.syncPaused(), o.actor(), o.reason(), o.since())).orElse(null),
                last.map(s -> new SavepointView(s.path(), s.kind(), s.createdAt())).orElse(null),
                status.map(AppStatus::jobId).isPresent() ? webUi.orElse(null) : null);
    }
}
