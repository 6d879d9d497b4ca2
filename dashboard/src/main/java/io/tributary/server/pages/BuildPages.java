package io.tributary.server.pages;

import io.javalin.config.JavalinConfig;
import io.javalin.http.Context;
import io.javalin.http.Handler;
import io.javalin.http.HttpStatus;
import io.javalin.http.sse.SseClient;
import io.tributary.apply.Reconciler;
import io.tributary.build.ProjectBuilds;
import io.tributary.model.Permission;
import io.tributary.model.Project;
import io.tributary.server.auth.Access;
import io.tributary.server.auth.Caller;
import io.tributary.store.AuditEvent;
import io.tributary.store.BuildRecord;
import java.time.Clock;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The build pages: every Project the caller may view ({@code build:view}), a page per project with its
 * builds, and a page per build with its status, commit, duration, artifacts and log, which grows live
 * over Server-Sent Events while the build runs. {@code build:run} adds "Build now" and "Cancel".
 */
final class BuildPages implements ProjectBuilds.Listener {
    private static final Logger LOG = LoggerFactory.getLogger(BuildPages.class);

    private final Reconciler reconciler;
    private final Templates templates;
    private final Clock clock;
    /** Open build pages, by build id. */
    private final Map<Long, Set<SseClient>> watchers = new ConcurrentHashMap<>();
    private volatile boolean listening;

    BuildPages(Reconciler reconciler, Templates templates, Clock clock) {
        this.reconciler = reconciler;
        this.templates = templates;
        this.clock = clock;
    }

    /** @param lastFetch when the ref was last fetched, or tried: the time of {@code fetchError} when there is one */
    record ProjectRow(String team, String name, String url, String ref, String revision, String fetchError,
            java.time.Instant lastFetch, List<String> apps, List<String> artifacts, BuildRow latest) {
        String href() {
            return "/projects/" + team + "/" + name;
        }
    }

    record BuildRow(long id, String project, String status, String revision, String commit, String trigger,
            String message, Long reusedFrom, java.time.Instant createdAt, String duration,
            List<BuildRecord.BuiltArtifact> artifacts, boolean finished) {
        String href() {
            return "/projects/" + project + "/builds/" + id;
        }
    }

    record ProjectsPage(Model.Chrome chrome, List<ProjectRow> projects, boolean enabled) {}

    record ProjectPage(Model.Chrome chrome, ProjectRow project, List<BuildRow> builds, boolean mayRun) {}

    record BuildPage(Model.Chrome chrome, ProjectRow project, BuildRow build, String log, boolean mayRun) {}

    void register(JavalinConfig config) {
        config.routes.get("/projects", this::projects);
        config.routes.get("/projects/{team}/{name}", ofProject(this::project));
        config.routes.post("/projects/{team}/{name}/builds", ofProject(this::start));
        config.routes.get("/projects/{team}/{name}/builds/{id}", ofProject(this::build));
        config.routes.post("/projects/{team}/{name}/builds/{id}/cancel", ofProject(this::cancel));
        // a stream for a build that is not there, or not the caller's to see, is refused before it opens
        config.routes.before("/events/builds/{id}", ctx -> {
            Optional<Caller> caller = Access.caller(ctx);
            Optional<BuildRecord> b = caller.isEmpty() ? Optional.empty() : parse(ctx.pathParam("id"))
                    .flatMap(id -> reconciler.builds().flatMap(e -> e.store().build(id)))
                    .filter(x -> caller.get().may(Permission.BUILD_VIEW, team(x.project())));
            if (caller.isPresent() && b.isEmpty()) {
                throw new io.javalin.http.NotFoundResponse("no such build that you may view");
            }
        });
        config.routes.sse("/events/builds/{id}", this::watch);
    }

    // ---- pages

    private void projects(Context ctx) {
        Optional<Caller> caller = Access.pageCaller(ctx);
        if (caller.isEmpty()) {
            return;
        }
        Map<String, BuildRecord> latest = reconciler.builds().map(b -> b.store().latestByProject()).orElse(Map.of());
        List<ProjectRow> rows = new ArrayList<>();
        for (Project p : declared()) {
            if (caller.get().may(Permission.BUILD_VIEW, p.metadata().team())) {
                rows.add(row(p, Optional.ofNullable(latest.get(p.id().qualifiedName()))));
            }
        }
        ctx.html(templates.render("projects.jte", new ProjectsPage(chrome(ctx, caller.get(), "Projects"), rows,
                reconciler.builds().isPresent())));
    }

    private void project(Context ctx, Caller caller, Project p) {
        String key = p.id().qualifiedName();
        List<BuildRecord> builds = reconciler.builds().map(b -> b.store().builds(key, 50)).orElse(List.of());
        ctx.html(templates.render("project.jte", new ProjectPage(chrome(ctx, caller, key),
                row(p, builds.stream().findFirst()), builds.stream().map(this::row).toList(),
                caller.may(Permission.BUILD_RUN, p.metadata().team()))));
    }

    private void build(Context ctx, Caller caller, Project p) {
        Optional<BuildRecord> b = build(ctx, p);
        if (b.isEmpty()) {
            error(ctx, caller, HttpStatus.NOT_FOUND, "Project " + p.id().qualifiedName()
                    + " has no build " + ctx.pathParam("id") + ". Its page lists its builds.");
            return;
        }
        ctx.html(templates.render("build.jte", new BuildPage(chrome(ctx, caller, "Build #" + b.get().id()
                + " of " + p.id().qualifiedName()), row(p, Optional.empty()), row(b.get()), b.get().log(),
                caller.may(Permission.BUILD_RUN, p.metadata().team()))));
    }

    private void start(Context ctx, Caller caller, Project p) {
        String key = p.id().qualifiedName();
        if (!caller.may(Permission.BUILD_RUN, p.metadata().team())) {
            error(ctx, caller, HttpStatus.FORBIDDEN, caller.user() + " lacks build:run in team "
                    + p.metadata().team() + "; ask a team admin for the developer role.");
            return;
        }
        Optional<ProjectBuilds> builds = reconciler.builds();
        if (builds.isEmpty()) {
            error(ctx, caller, HttpStatus.SERVICE_UNAVAILABLE, "Builds are off in this service.");
            return;
        }
        try {
            long id = builds.get().request(key, caller.user());
            reconciler.store().audit(new AuditEvent(0, clock.instant(), caller.user(), "build", "project " + key,
                    null, "build #" + id));
            ctx.redirect("/projects/" + key + "/builds/" + id);
        } catch (IllegalArgumentException | IllegalStateException e) {
            error(ctx, caller, HttpStatus.CONFLICT, "Could not build " + key + ": " + e.getMessage());
        }
    }

    private void cancel(Context ctx, Caller caller, Project p) {
        Optional<BuildRecord> b = build(ctx, p);
        if (b.isEmpty() || !caller.may(Permission.BUILD_RUN, p.metadata().team())) {
            error(ctx, caller, b.isEmpty() ? HttpStatus.NOT_FOUND : HttpStatus.FORBIDDEN, b.isEmpty()
                    ? "No such build." : caller.user() + " lacks build:run in team " + p.metadata().team());
            return;
        }
        if (reconciler.builds().map(e -> e.cancel(b.get().id(), caller.user())).orElse(false)) {
            reconciler.store().audit(new AuditEvent(0, clock.instant(), caller.user(), "cancel build",
                    "project " + p.id().qualifiedName(), null, "build #" + b.get().id()));
        }
        ctx.redirect(row(b.get()).href());
    }

    // ---- live log

    private void watch(SseClient client) {
        Optional<Caller> caller = Access.caller(client.ctx());
        long id;
        try {
            id = Long.parseLong(client.ctx().pathParam("id"));
        } catch (NumberFormatException e) {
            client.close();
            return;
        }
        Optional<BuildRecord> b = reconciler.builds().flatMap(e -> e.store().build(id));
        if (caller.isEmpty() || b.isEmpty() || !caller.get().may(Permission.BUILD_VIEW, team(b.get().project()))) {
            client.close();
            return;
        }
        listen();
        watchers.computeIfAbsent(id, k -> ConcurrentHashMap.newKeySet()).add(client);
        client.onClose(() -> forget(id, client));
        client.keepAlive();
    }

    private void listen() {
        if (!listening) {
            synchronized (this) {
                if (!listening) {
                    reconciler.builds().ifPresent(b -> b.addListener(this));
                    listening = true;
                }
            }
        }
    }

    @Override
    public void line(BuildRecord build, String line) {
        Set<SseClient> clients = watchers.get(build.id());
        if (clients == null) {
            return;
        }
        String html = "<span class=\"l\">" + escape(line) + "</span>";
        for (SseClient c : clients) {
            send(build.id(), c, "log", html);
        }
    }

    @Override
    public void changed(BuildRecord build) {
        Set<SseClient> clients = watchers.get(build.id());
        if (clients == null) {
            return;
        }
        String html = templates.render("build_status.jte", Map.of("build", row(build), "now", clock.instant()))
                .replace("\r", "").replace("\n", " ");
        for (SseClient c : clients) {
            send(build.id(), c, "status", html);
        }
    }

    private void send(long id, SseClient client, String event, String data) {
        if (client.terminated()) {
            forget(id, client);
            return;
        }
        try {
            client.sendEvent(event, data);
        } catch (RuntimeException e) {
            LOG.debug("build page stream ended build={}: {}", id, e.toString());
            forget(id, client);
        }
    }

    private void forget(long id, SseClient client) {
        Set<SseClient> clients = watchers.get(id);
        if (clients != null) {
            clients.remove(client);
        }
    }

    // ---- shared

    private ProjectRow row(Project p, Optional<BuildRecord> latest) {
        String key = p.id().qualifiedName();
        Optional<ProjectBuilds.ProjectState> state = reconciler.builds().flatMap(b -> b.project(key));
        return new ProjectRow(p.metadata().team(), p.metadata().name(), p.spec().git().url(), p.spec().git().ref(),
                state.map(ProjectBuilds.ProjectState::revision).orElse(null),
                state.map(ProjectBuilds.ProjectState::fetchError).orElse(null),
                state.map(ProjectBuilds.ProjectState::lastFetch).orElse(null),
                state.map(ProjectBuilds.ProjectState::apps).orElse(List.of()),
                state.map(ProjectBuilds.ProjectState::artifacts).orElse(List.of()), latest.map(this::row).orElse(null));
    }

    private BuildRow row(BuildRecord b) {
        Duration d = b.duration(clock.instant());
        String duration = d == null ? null : d.toMinutes() > 0 ? d.toMinutes() + "m " + d.toSecondsPart() + "s"
                : d.toSeconds() + "s";
        return new BuildRow(b.id(), b.project(), b.status(), b.revision(), b.commitId().substring(0, Math.min(12,
                b.commitId().length())), b.trigger(), b.message(), b.reusedFrom(), b.createdAt(), duration, b.artifacts(),
                b.finished());
    }

    private Optional<BuildRecord> build(Context ctx, Project p) {
        try {
            long id = Long.parseLong(ctx.pathParam("id"));
            return reconciler.builds().flatMap(b -> b.store().build(id))
                    .filter(b -> b.project().equals(p.id().qualifiedName()));
        } catch (NumberFormatException e) {
            return Optional.empty();
        }
    }

    /** The path's project if the caller may view it; otherwise a 404 page is written and empty returned. */
    /** A page of one project: for a logged-in caller who may view it; the login form or a 404 page otherwise. */
    private interface ProjectPageHandler {
        void handle(Context ctx, Caller caller, Project project);
    }

    private Handler ofProject(ProjectPageHandler handler) {
        return ctx -> {
            Optional<Caller> caller = Access.pageCaller(ctx);
            if (caller.isEmpty()) {
                return;
            }
            Optional<Project> p = visible(ctx, caller.get());
            if (p.isPresent()) {
                handler.handle(ctx, caller.get(), p.get());
            }
        };
    }

    private Optional<Project> visible(Context ctx, Caller caller) {
        String key = ctx.pathParam("team") + "/" + ctx.pathParam("name");
        Optional<Project> p = caller.may(Permission.BUILD_VIEW, ctx.pathParam("team"))
                ? declared().stream().filter(x -> x.id().qualifiedName().equals(key)).findFirst() : Optional.empty();
        if (p.isEmpty()) {
            error(ctx, caller, HttpStatus.NOT_FOUND, "There is no project " + key + " in the applied revision"
                    + " that you may view. The projects page lists every project you may see.");
        }
        return p;
    }

    private List<Project> declared() {
        return reconciler.current().map(l -> l.desired().all(Project.class)).orElse(List.of());
    }

    private static Optional<Long> parse(String id) {
        try {
            return Optional.of(Long.parseLong(id));
        } catch (NumberFormatException e) {
            return Optional.empty();
        }
    }

    private static String team(String project) {
        return project.substring(0, project.indexOf('/'));
    }

    private Model.Chrome chrome(Context ctx, Caller caller, String title) {
        return Pages.chrome(ctx, caller, title, "projects", null, reconciler, clock);
    }

    private void error(Context ctx, Caller caller, HttpStatus status, String message) {
        ctx.status(status).html(templates.render("error.jte", new Model.ErrorPage(chrome(ctx, caller,
                status.getMessage()), status.getCode(), message)));
    }

    static String escape(String text) {
        StringBuilder out = new StringBuilder(text.length() + 16);
        for (int i = 0; i < text.length(); i++) {
            char c = text.charAt(i);
            switch (c) {
                case '<' -> out.append("&lt;");
                case '>' -> out.append("&gt;");
                case '&' -> out.append("&amp;");
                case '"' -> out.append("&quot;");
                case '\'' -> out.append("&#39;");
                default -> out.append(c < 0x20 && c != '\t' ? ' ' : c);
            }
        }
        return out.toString();
    }
}
