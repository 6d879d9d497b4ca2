package io.tributary.server.api;

import io.javalin.http.Context;
import io.tributary.apply.Reconciler;
import io.tributary.apply.StartupProblem;
import io.tributary.flink.FlinkRest.ClusterOverview;
import io.tributary.model.Cluster;
import io.tributary.model.DesiredState;
import io.tributary.model.FlinkVersion;
import io.tributary.model.Permission;
import io.tributary.model.Role;
import io.tributary.model.Team;
import io.tributary.model.User;
import io.tributary.model.Variable;
import io.tributary.server.ClusterStatuses;
import io.tributary.server.auth.Access;
import io.tributary.server.auth.Caller;
import io.tributary.store.AppEvent;
import io.tributary.store.AuditEvent;
import io.tributary.store.RevisionRecord;
import io.tributary.store.SavepointRecord;
import io.tributary.store.Store;
import java.net.URI;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Locale;
import java.util.Optional;
import java.util.Set;
import java.util.TreeSet;
import java.util.function.Function;

/**
 * The platform as the applied revision declares it (clusters, Flink versions, teams, variables) and
 * the store's history across apps (revisions, events, savepoints). Every list is paged the same way and
 * shows only what the caller may see.
 */
final class PlatformApi {
    private final Reconciler reconciler;
    private final Store store;
    private final ReadModel model;
    private final Function<Context, Viewer> viewers;
    private final ClusterStatuses clusterStatuses;

    PlatformApi(Reconciler reconciler, ClusterStatuses clusterStatuses, ReadModel model, Function<Context, Viewer> viewers) {
        this.reconciler = reconciler;
        this.clusterStatuses = clusterStatuses;
        this.store = reconciler.store();
        this.model = model;
        this.viewers = viewers;
    }

    /**
     * @param state {@code running} (its REST API answers), {@code unreachable} (it has an address that does
     *     not answer), {@code down} (managed, started, and it never answered: {@code startupProblem} says why),
     *     {@code stopped} (managed, not started), {@code unknown} (external, and its address is not known yet)
     */
    record ClusterView(String name, String team, String mode, boolean managed, String flinkVersion, String state,
            String restUrl, String webUi, Integer taskManagers, Integer slotsTotal, Integer slotsAvailable,
            Integer jobsRunning, String reportedFlinkVersion, String startupProblem, Instant startupProblemAt) {}

    record FlinkVersionView(String name, String version, String home, boolean isDefault) {}

    record MemberView(String user, String displayName, String email, String role, List<String> permissions) {}

    record TeamView(String name, String description, List<MemberView> members) {}

    /** A secret's value is never shown: {@code value} is null and {@code secret} true. */
    record VariableView(String name, String team, String description, boolean secret, String value) {}

    record RevisionView(String name, String id, Instant fetchedAt, boolean valid, List<String> errors,
            Instant appliedAt, boolean inForce) {}

    // ---- clusters

    /** {@code GET /api/v1/clusters}: clusters in teams where the caller has {@code cluster:view} (platform ones: in any). */
    void clusters(Context ctx) {
        Params.Paging paging = Params.paging(ctx);
        Viewer viewer = viewers.apply(ctx);
        DesiredState desired = desired();
        List<Cluster> visible = desired.all(Cluster.class).stream()
                .filter(c -> c.metadata().team() == null ? mayInSomeTeam(viewer, Permission.CLUSTER_VIEW, desired)
                        : viewer.may(Permission.CLUSTER_VIEW, c.metadata().team()))
                .toList();
        List<ClusterView> page = clusterStatuses.of(paging.slice(visible), desired).stream().map(PlatformApi::view).toList();
        ctx.json(new PageView<>(page, visible.size(), paging.limit(), paging.offset()));
    }

    private static ClusterView view(ClusterStatuses.Status s) {
        Cluster c = s.cluster();
        Optional<ClusterOverview> overview = s.overview();
        return new ClusterView(c.metadata().name(), c.metadata().team(), c.spec().mode().yamlName(), c.spec().managed(),
                s.flinkVersion(), s.state().name().toLowerCase(Locale.ROOT), s.restUrl().map(URI::toString).orElse(null),
                s.webUi().map(u -> u + "/#/overview").orElse(null),
                overview.map(ClusterOverview::taskManagers).orElse(null),
                overview.map(ClusterOverview::slotsTotal).orElse(null),
                overview.map(ClusterOverview::slotsAvailable).orElse(null),
                overview.map(ClusterOverview::jobsRunning).orElse(null),
                overview.map(ClusterOverview::flinkVersion).filter(v -> !v.isEmpty()).orElse(null),
                s.startupProblem().map(StartupProblem::description).orElse(null),
                s.startupProblem().map(StartupProblem::at).orElse(null));
    }

    // ---- Flink versions, teams, variables

    /** {@code GET /api/v1/flink-versions}: every caller may see them. */
    void flinkVersions(Context ctx) {
        Params.Paging paging = Params.paging(ctx);
        List<FlinkVersion> all = desired().all(FlinkVersion.class);
        Optional<FlinkVersion> byDefault = desired().defaultFlinkVersion();
        List<FlinkVersionView> page = paging.slice(all).stream().map(v -> new FlinkVersionView(v.metadata().name(),
                v.spec().version(), v.spec().home(), byDefault.map(d -> d == v).orElse(false))).toList();
        ctx.json(new PageView<>(page, all.size(), paging.limit(), paging.offset()));
    }

    /** {@code GET /api/v1/teams}: the teams the caller belongs to (platform admins: all), members with their permissions. */
    void teams(Context ctx) {
        Params.Paging paging = Params.paging(ctx);
        Viewer viewer = viewers.apply(ctx);
        DesiredState desired = desired();
        List<Team> visible = desired.all(Team.class).stream().filter(t -> viewer.member(t.metadata().name())).toList();
        List<TeamView> page = paging.slice(visible).stream().map(t -> team(t, desired)).toList();
        ctx.json(new PageView<>(page, visible.size(), paging.limit(), paging.offset()));
    }

    /** {@code GET /api/v1/teams/{team}}: one team, 404 if it does not exist or the caller is not in it. */
    void team(Context ctx) {
        String name = Params.pathName(ctx, "team");
        DesiredState desired = desired();
        Team team = desired.all(Team.class).stream().filter(t -> t.metadata().name().equals(name)).findFirst()
                .filter(t -> viewers.apply(ctx).member(name))
                .orElseThrow(() -> Problem.notFound("no team " + name + " in the applied revision (or you are not in"
                        + " it); GET /api/v1/teams lists yours"));
        ctx.json(team(team, desired));
    }

    private static TeamView team(Team team, DesiredState desired) {
        List<MemberView> members = new ArrayList<>();
        for (Team.Member m : team.spec().members()) {
            Optional<User> user = desired.all(User.class).stream().filter(u -> u.metadata().name().equals(m.user()))
                    .findFirst();
            members.add(new MemberView(m.user(), user.map(u -> u.spec().displayName()).orElse(null),
                    user.map(u -> u.spec().email()).orElse(null), m.role(), permissions(m.role(), desired)));
        }
        return new TeamView(team.metadata().name(), team.spec().description(), members);
    }

    private static List<String> permissions(String role, DesiredState desired) {
        Set<Permission> granted = Permission.BUILT_IN_ROLES.contains(role) ? Permission.ofBuiltInRole(role)
                : desired.all(Role.class).stream().filter(r -> r.metadata().name().equals(role)).findFirst()
                        .map(r -> Set.copyOf(r.spec().permissions())).orElse(Set.of());
        return Arrays.stream(Permission.values()).filter(granted::contains).map(Permission::yamlName).toList();
    }

    /**
     * {@code GET /api/v1/variables?team=}: variables of the teams where the caller has {@code variable:view}
     * (platform ones: in any). A secret's value is never answered.
     */
    void variables(Context ctx) {
        String team = Params.name(ctx, "team");
        Params.Paging paging = Params.paging(ctx);
        Viewer viewer = viewers.apply(ctx);
        DesiredState desired = desired();
        boolean platform = mayInSomeTeam(viewer, Permission.VARIABLE_VIEW, desired);
        List<VariableView> visible = desired.all(Variable.class).stream()
                .filter(v -> team == null || team.equals(v.metadata().team()))
                .filter(v -> v.metadata().team() == null ? platform
                        : viewer.may(Permission.VARIABLE_VIEW, v.metadata().team()))
                .map(v -> new VariableView(v.metadata().name(), v.metadata().team(), v.spec().description(),
                        v.isSecret(), v.isSecret() ? null : v.spec().value()))
                .toList();
        ctx.json(new PageView<>(paging.slice(visible), visible.size(), paging.limit(), paging.offset()));
    }

    // ---- history: revisions, events, savepoints

    /** {@code GET /api/v1/revisions}: the config repository's fetched revisions, newest first. */
    void revisions(Context ctx) {
        Params.Paging paging = Params.paging(ctx);
        Store.Page<RevisionRecord> page = store.revisions(paging.limit(), paging.offset());
        String inForce = reconciler.current().map(l -> l.revision().name()).orElse(null);
        List<RevisionView> items = page.items().stream().map(r -> new RevisionView(r.name(), r.id(), r.fetchedAt(),
                r.valid(), r.errors() == null ? List.of() : List.of(r.errors().split("\n")), r.appliedAt(),
                r.name().equals(inForce))).toList();
        ctx.json(new PageView<>(items, page.total(), paging.limit(), paging.offset()));
    }

    /** {@code GET /api/v1/events?app=&team=&since=}: events of the apps the caller may view, newest first. */
    void events(Context ctx) {
        Store.Filter filter = filter(ctx);
        Params.Paging paging = Params.paging(ctx);
        Store.Page<AppEvent> page = store.events(filter, paging.limit(), paging.offset());
        ctx.json(new PageView<>(page.items(), page.total(), paging.limit(), paging.offset()));
    }

    /** {@code GET /api/v1/savepoints?app=&team=&since=}: savepoints and checkpoints, disposed ones too, newest first. */
    void savepoints(Context ctx) {
        Store.Filter filter = filter(ctx);
        Params.Paging paging = Params.paging(ctx);
        Store.Page<SavepointRecord> page = store.savepoints(filter, paging.limit(), paging.offset());
        ctx.json(new PageView<>(page.items(), page.total(), paging.limit(), paging.offset()));
    }

    /** {@code GET /api/v1/audit?app=&actor=&since=}: the audit trail the caller may read, newest first. */
    void audit(Context ctx) {
        Caller caller = Access.require(ctx);
        String app = Params.app(ctx);
        String actor = Params.name(ctx, "actor");
        Instant since = Params.since(ctx);
        Params.Paging paging = Params.paging(ctx);
        Store.Page<AuditEvent> page = store.auditEvents(caller.auditFilter(app == null ? null : "application " + app,
                actor, since), paging.limit(), paging.offset());
        ctx.json(new PageView<>(page.items(), page.total(), paging.limit(), paging.offset()));
    }

    private Store.Filter filter(Context ctx) {
        String app = Params.app(ctx);
        String team = Params.name(ctx, "team");
        Instant since = Params.since(ctx);
        Viewer viewer = viewers.apply(ctx);
        Set<String> teams = null;
        if (!viewer.everything()) {
            teams = new TreeSet<>();
            for (String candidate : knownTeams()) {
                if (viewer.may(Permission.APP_VIEW, candidate)) {
                    teams.add(candidate);
                }
            }
        }
        return new Store.Filter(app, team, teams, since);
    }

    /** Teams in the applied revision and teams of apps the store still knows. */
    private Set<String> knownTeams() {
        Set<String> teams = new TreeSet<>();
        desired().all(Team.class).forEach(t -> teams.add(t.metadata().name()));
        model.snapshot().apps().forEach(a -> teams.add(a.team()));
        return teams;
    }

    private static boolean mayInSomeTeam(Viewer viewer, Permission permission, DesiredState desired) {
        return viewer.everything() || desired.all(Team.class).stream()
                .anyMatch(t -> viewer.may(permission, t.metadata().name()));
    }

    private DesiredState desired() {
        return reconciler.current().map(Reconciler.Loaded::desired).orElse(DesiredState.of(List.of()));
    }
}
