package io.tributary.server.api;

import io.javalin.http.Context;
import io.tributary.model.Permission;
import io.tributary.server.GitVsRunning;
import io.tributary.server.Json;
import io.tributary.store.AppEvent;
import io.tributary.store.Deployment;
import io.tributary.store.Operation;
import io.tributary.store.SavepointRecord;
import io.tributary.store.Store;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.function.Function;

/**
 * {@code /api/v1/applications}: every app Git declares or Tributary still runs, with its live status,
 * read from the {@link ReadModel}'s snapshot. A caller sees the apps of the teams where they hold
 * {@code app:view}; any other app answers 404, as if it did not exist.
 */
public final class ApplicationsApi {
    static final List<String> SYNCS = List.of("Synced", "OutOfSync", "Progressing");
    static final List<String> HEALTHS = List.of("Healthy", "Progressing", "Degraded", "Suspended", "Missing", "Unknown");

    private final ReadModel model;
    private final Store store;
    private final Function<Context, Viewer> viewers;

    ApplicationsApi(ReadModel model, Store store, Function<Context, Viewer> viewers) {
        this.model = model;
        this.store = store;
        this.viewers = viewers;
    }

    /**
     * {@code specHash} is the digest of the spec the current job was deployed with, so that
     * {@code tributary plan --server} can tell exactly which apps a revision would upgrade; {@code cluster}
     * is where that job was started, which differs from the app's while Git moves it to another.
     */
    public record StatusView(String jobId, String jobState, String cluster, String health, String sync, String message,
            String revision, String specHash, Instant updatedAt) {}

    public record OverrideView(String pinnedState, boolean drain, boolean cancelIfSavepointFails, boolean syncPaused,
            String actor, String reason, Instant since) {}

    public record SavepointView(String path, String kind, Instant createdAt) {}

    /**
     * {@code upgradeMode} and {@code prune} are those of the applied revision, or for an app that left Git
     * of the spec it last ran with (null when that cannot be read): they say how the app is upgraded or
     * deleted, which {@code tributary plan --server} shows.
     */
    public record ApplicationView(long id, String team, String name, boolean inGit, String mode, String cluster,
            String desiredState, String upgradeMode, Boolean prune, StatusView status, OverrideView override,
            SavepointView lastSavepoint, String flinkWebUi) {}

    /** {@code drift}: Git's spec against the running job's, field by field (docs/api.md). */
    record ApplicationDetail(ApplicationView application, GitVsRunning.Drift drift, List<Deployment> deployments,
            List<SavepointRecord> savepoints, List<AppEvent> events, List<Operation> operations) {}

    /** {@code GET /api/v1/applications?team=&health=&sync=&q=&limit=&offset=} */
    void list(Context ctx) {
        String team = Params.name(ctx, "team");
        String health = Params.oneOf(ctx, "health", HEALTHS);
        String sync = Params.oneOf(ctx, "sync", SYNCS);
        String q = Params.search(ctx);
        Params.Paging paging = Params.paging(ctx);
        Viewer viewer = viewers.apply(ctx);
        ReadModel.Snapshot snap = model.snapshot();
        // the answer depends on the teams the caller may view and the query: the key of the page kept in memory
        StringBuilder key = new StringBuilder();
        if (viewer.everything()) {
            key.append('*');
        } else {
            snap.teams().stream().filter(t -> viewer.may(Permission.APP_VIEW, t))
                    .forEach(t -> key.append(t).append(','));
        }
        key.append('|').append(team).append('|').append(health).append('|').append(sync).append('|').append(q)
                .append('|').append(paging.limit()).append('|').append(paging.offset());
        byte[] json = model.page(snap, key.toString(), () -> {
            List<ApplicationView> matching = new ArrayList<>();
            for (ApplicationView app : snap.apps()) {
                if ((team == null || team.equals(app.team()))
                        && (health == null || app.status() != null && health.equals(app.status().health()))
                        && (sync == null || app.status() != null && sync.equals(app.status().sync()))
                        && (q == null || app.name().toLowerCase(Locale.ROOT).contains(q))
                        && viewer.may(Permission.APP_VIEW, app.team())) {
                    matching.add(app);
                }
            }
            return new PageView<>(paging.slice(matching), matching.size(), paging.limit(), paging.offset());
        });
        Json.answer(ctx, json);
    }

    /** {@code GET /api/v1/applications/{team}/{name}}: the app with its deployments, savepoints, events and operations. */
    void get(Context ctx) {
        String app = visibleApp(ctx);
        ReadModel.Snapshot snap = model.snapshot();
        byte[] json = model.detail(snap, app).orElseThrow(() -> notFound(app));
        Json.answer(ctx, json);
    }

    /** {@code GET /api/v1/applications/{team}/{name}/events}: the app's events, newest first, paged. */
    void events(Context ctx) {
        String app = existingVisibleApp(ctx);
        Params.Paging paging = Params.paging(ctx);
        Store.Page<AppEvent> page = store.events(new Store.Filter(app, null, null, Params.since(ctx)),
                paging.limit(), paging.offset());
        ctx.json(new PageView<>(page.items(), page.total(), paging.limit(), paging.offset()));
    }

    /** {@code GET /api/v1/applications/{team}/{name}/savepoints}: every savepoint and checkpoint, disposed ones too. */
    void savepoints(Context ctx) {
        String app = existingVisibleApp(ctx);
        Params.Paging paging = Params.paging(ctx);
        Store.Page<SavepointRecord> page = store.savepoints(new Store.Filter(app, null, null, Params.since(ctx)),
                paging.limit(), paging.offset());
        ctx.json(new PageView<>(page.items(), page.total(), paging.limit(), paging.offset()));
    }

    private String existingVisibleApp(Context ctx) {
        String app = visibleApp(ctx);
        if (!model.snapshot().byName().containsKey(app)) {
            throw notFound(app);
        }
        return app;
    }

    /** The path's {@code team/name}, checked, if the caller may view its team (404 otherwise). */
    private String visibleApp(Context ctx) {
        String team = Params.pathName(ctx, "team");
        String name = Params.pathName(ctx, "name");
        String app = team + "/" + name;
        if (!viewers.apply(ctx).may(Permission.APP_VIEW, team)) {
            throw notFound(app);
        }
        return app;
    }

    private static Problem notFound(String app) {
        return Problem.notFound("no application " + app + " in the applied revision or the store (or you may not"
                + " view team " + app.substring(0, app.indexOf('/')) + "); GET /api/v1/applications lists the ones"
                + " you may see");
    }
}
