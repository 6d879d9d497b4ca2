package io.tributary.server.api;

import io.javalin.http.Context;
import io.javalin.http.HttpStatus;
import io.tributary.apply.Reconciler;
import io.tributary.build.ProjectBuilds;
import io.tributary.model.Application;
import io.tributary.model.Permission;
import io.tributary.model.Project;
import io.tributary.server.DeployedArtifact;
import io.tributary.server.auth.Access;
import io.tributary.server.auth.Caller;
import io.tributary.store.AppStatus;
import io.tributary.store.AuditEvent;
import io.tributary.store.BuildRecord;
import java.time.Clock;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.function.Function;

/**
 * {@code /api/v1/projects}: the Projects of the applied revision and their builds. Reading needs
 * {@code build:view} in the project's team, starting or canceling a build {@code build:run}; a
 * project the caller may not view answers 404, as if it did not exist.
 */
final class ProjectsApi {
    private final Reconciler reconciler;
    private final Function<Context, Viewer> viewers;
    private final Clock clock;

    ProjectsApi(Reconciler reconciler, Function<Context, Viewer> viewers, Clock clock) {
        this.reconciler = reconciler;
        this.viewers = viewers;
        this.clock = clock;
    }

    /** A project: where it comes from, the commit last fetched, and its latest build. */
    record ProjectView(String team, String name, String url, String ref, String revision, String fetchError,
            Instant lastFetch, List<String> apps, List<String> artifacts, BuildView latestBuild,
            List<AppArtifactView> applications) {}

    /**
     * An app's jar: {@code sha256} is the one its spec has now (built from the project's current commit,
     * or the last good build), {@code runningSha256} the one its job was deployed with (null when no job
     * runs or it cannot be told). They differ while an upgrade to a new build is pending: what
     * {@code tributary plan --server} shows as "artifact changed".
     */
    record AppArtifactView(String app, String artifact, String sha256, String runningSha256) {}

    /**
     * A build. {@code durationSeconds} is up to now while it runs; {@code reusedFrom} names the build
     * whose artifacts it took without running Maven; {@code wanted} the paths the apps asked it for;
     * {@code log} is only in the detail.
     */
    record BuildView(long id, String project, String status, String commit, String revision, String trigger,
            String message, Long reusedFrom, Instant createdAt, Instant startedAt, Instant finishedAt,
            Long durationSeconds, List<String> wanted, List<BuildRecord.BuiltArtifact> artifacts, String logUrl,
            String log) {}

    /** {@code GET /api/v1/projects?team=}: the projects the caller may view. */
    void list(Context ctx) {
        String team = Params.name(ctx, "team");
        Params.Paging paging = Params.paging(ctx);
        Viewer viewer = viewers.apply(ctx);
        List<ProjectView> out = new ArrayList<>();
        Map<String, BuildRecord> latest = builds().map(b -> b.store().latestByProject()).orElse(Map.of());
        for (Project p : declared()) {
            String t = p.metadata().team();
            if ((team == null || team.equals(t)) && viewer.may(Permission.BUILD_VIEW, t)) {
                out.add(view(p, Optional.ofNullable(latest.get(p.id().qualifiedName()))));
            }
        }
        ctx.json(new PageView<>(paging.slice(out), out.size(), paging.limit(), paging.offset()));
    }

    /** {@code GET /api/v1/projects/{team}/{name}} */
    void get(Context ctx) {
        Project p = visibleProject(ctx);
        ctx.json(view(p, builds().flatMap(b -> b.store().builds(p.id().qualifiedName(), 1).stream().findFirst())));
    }

    /** {@code GET /api/v1/projects/{team}/{name}/builds}: newest first, without logs. */
    void builds(Context ctx) {
        Project p = visibleProject(ctx);
        Params.Paging paging = Params.paging(ctx);
        List<BuildRecord> all = builds().map(b -> b.store().builds(p.id().qualifiedName(),
                (int) Math.min(Integer.MAX_VALUE, paging.offset() + paging.limit() + 1))).orElse(List.of());
        List<BuildView> views = all.stream().map(b -> view(b, false)).toList();
        long total = all.size() <= paging.offset() + paging.limit() ? all.size() : paging.offset() + paging.limit() + 1;
        ctx.json(new PageView<>(paging.slice(views), total, paging.limit(), paging.offset()));
    }

    /** {@code GET /api/v1/projects/{team}/{name}/builds/{id}}: one build with its log. */
    void build(Context ctx) {
        Project p = visibleProject(ctx);
        ctx.json(view(build(ctx, p), true));
    }

    /** {@code POST /api/v1/projects/{team}/{name}/builds}: fetch the ref and build it (or reuse its artifacts). */
    void start(Context ctx) {
        Project p = visibleProject(ctx);
        Caller caller = Access.require(ctx, Permission.BUILD_RUN, p.metadata().team());
        ProjectBuilds engine = builds().orElseThrow(() -> Problem.notFound("builds are off in this service"));
        long id;
        try {
            id = engine.request(p.id().qualifiedName(), caller.user());
        } catch (IllegalArgumentException e) {
            throw Problem.notFound(e.getMessage());
        } catch (IllegalStateException e) {
            throw new Problem(409, "Project cannot be fetched", e.getMessage());
        }
        reconciler.store().audit(new AuditEvent(0, clock.instant(), caller.user(), "build",
                "project " + p.id().qualifiedName(), null, "build #" + id));
        BuildRecord b = engine.store().build(id).orElseThrow();
        ctx.status(HttpStatus.ACCEPTED).json(view(b, false));
    }

    /** {@code POST /api/v1/projects/{team}/{name}/builds/{id}/cancel} */
    void cancel(Context ctx) {
        Project p = visibleProject(ctx);
        Caller caller = Access.require(ctx, Permission.BUILD_RUN, p.metadata().team());
        BuildRecord b = build(ctx, p);
        boolean canceled = builds().map(e -> e.cancel(b.id(), caller.user())).orElse(false);
        if (!canceled) {
            throw new Problem(409, "Build is not running", "build #" + b.id() + " is " + b.status()
                    + "; only a queued or running build can be canceled");
        }
        reconciler.store().audit(new AuditEvent(0, clock.instant(), caller.user(), "cancel build",
                "project " + p.id().qualifiedName(), null, "build #" + b.id()));
        ctx.status(HttpStatus.ACCEPTED).json(Map.of("canceled", b.id()));
    }

    private BuildRecord build(Context ctx, Project p) {
        long id;
        try {
            id = Long.parseLong(ctx.pathParam("id"));
        } catch (NumberFormatException e) {
            throw Problem.badParameter("id", "id must be a build number, not \"" + Params.shown(ctx.pathParam("id")) + "\"");
        }
        return builds().flatMap(b -> b.store().build(id)).filter(b -> b.project().equals(p.id().qualifiedName()))
                .orElseThrow(() -> Problem.notFound("project " + p.id().qualifiedName() + " has no build #" + id
                        + "; GET /api/v1/projects/" + p.id().qualifiedName() + "/builds lists them"));
    }

    private ProjectView view(Project p, Optional<BuildRecord> latest) {
        String key = p.id().qualifiedName();
        Optional<ProjectBuilds.ProjectState> state = builds().flatMap(b -> b.project(key));
        return new ProjectView(p.metadata().team(), p.metadata().name(), p.spec().git().url(), p.spec().git().ref(),
                state.map(ProjectBuilds.ProjectState::revision).orElse(null),
                state.map(ProjectBuilds.ProjectState::fetchError).orElse(null),
                state.map(ProjectBuilds.ProjectState::lastFetch).orElse(null),
                state.map(ProjectBuilds.ProjectState::apps).orElse(List.of()),
                state.map(ProjectBuilds.ProjectState::artifacts).orElse(List.of()),
                latest.map(b -> view(b, false)).orElse(null), applications(p));
    }

    private List<AppArtifactView> applications(Project p) {
        Optional<Reconciler.Loaded> loaded = reconciler.current();
        if (loaded.isEmpty()) {
            return List.of();
        }
        List<AppArtifactView> out = new ArrayList<>();
        for (Application app : loaded.get().desired().applications()) {
            Application.Jar jar = app.spec().job().jar();
            if (jar == null || jar.project() == null || !app.metadata().team().equals(p.metadata().team())
                    || !jar.project().name().equals(p.metadata().name())) {
                continue;
            }
            String key = app.id().qualifiedName();
            Optional<AppStatus> status = reconciler.store().status(key).filter(s -> s.jobId() != null);
            String running = status.flatMap(s -> DeployedArtifact.match(app, loaded.get().desired(), s.specHash(),
                    reconciler)).map(a -> a.spec().job().jar().project().sha256()).orElse(null);
            out.add(new AppArtifactView(key, jar.project().artifact(), jar.project().sha256(), running));
        }
        return out;
    }

    BuildView view(BuildRecord b, boolean withLog) {
        var duration = b.duration(clock.instant());
        return new BuildView(b.id(), b.project(), b.status(), b.commitId(), b.revision(), b.trigger(), b.message(),
                b.reusedFrom(), b.createdAt(), b.startedAt(), b.finishedAt(),
                duration == null ? null : duration.toSeconds(), b.wanted(), b.artifacts(), ProjectBuilds.logPath(b),
                withLog ? b.log() : null);
    }

    private Project visibleProject(Context ctx) {
        String team = Params.pathName(ctx, "team");
        String name = Params.pathName(ctx, "name");
        String key = team + "/" + name;
        if (!viewers.apply(ctx).may(Permission.BUILD_VIEW, team)) {
            throw notFound(key);
        }
        return declared().stream().filter(p -> p.id().qualifiedName().equals(key)).findFirst()
                .orElseThrow(() -> notFound(key));
    }

    private List<Project> declared() {
        return reconciler.current().map(l -> l.desired().all(Project.class)).orElse(List.of());
    }

    private Optional<ProjectBuilds> builds() {
        return reconciler.builds();
    }

    private static Problem notFound(String project) {
        return Problem.notFound("no project " + project + " in the applied revision (or you may not view team "
                + project.substring(0, project.indexOf('/')) + "); GET /api/v1/projects lists the ones you may see");
    }
}
