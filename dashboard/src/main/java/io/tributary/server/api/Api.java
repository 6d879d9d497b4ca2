package io.tributary.server.api;

import io.javalin.config.JavalinConfig;
import io.javalin.http.Context;
import io.tributary.apply.Reconciler;
import io.tributary.server.ClusterStatuses;
import java.util.function.Function;

/**
 * The read side of the REST API in one place: its routes, its errors ({@link Problems}), its OpenAPI
 * document and the page that renders it. {@code viewers} turns a request into what its caller may see.
 */
public final class Api {
    private Api() {}

    public static void install(JavalinConfig config, Reconciler reconciler, ClusterStatuses clusterStatuses,
            ReadModel model, Function<Context, Viewer> viewers) {
        Problems.install(config);
        config.staticFiles.enableWebjars();
        ApplicationsApi applications = new ApplicationsApi(model, reconciler.store(), viewers);
        PlatformApi platform = new PlatformApi(reconciler, clusterStatuses, model, viewers);
        OpenApi openApi = OpenApi.load();
        ApiDocs docs = new ApiDocs();
        var routes = config.routes;
        routes.get("/api/v1/applications", applications::list);
        routes.get("/api/v1/applications/{team}/{name}", applications::get);
        routes.get("/api/v1/applications/{team}/{name}/events", applications::events);
        routes.get("/api/v1/applications/{team}/{name}/savepoints", applications::savepoints);
        routes.get("/api/v1/clusters", platform::clusters);
        routes.get("/api/v1/flink-versions", platform::flinkVersions);
        routes.get("/api/v1/teams", platform::teams);
        routes.get("/api/v1/teams/{team}", platform::team);
        routes.get("/api/v1/variables", platform::variables);
        routes.get("/api/v1/revisions", platform::revisions);
        routes.get("/api/v1/events", platform::events);
        routes.get("/api/v1/savepoints", platform::savepoints);
        routes.get("/api/v1/audit", platform::audit);
        ProjectsApi projects = new ProjectsApi(reconciler, viewers, java.time.Clock.systemUTC());
        routes.get("/api/v1/projects", projects::list);
        routes.get("/api/v1/projects/{team}/{name}", projects::get);
        routes.get("/api/v1/projects/{team}/{name}/builds", projects::builds);
        routes.post("/api/v1/projects/{team}/{name}/builds", projects::start);
        routes.get("/api/v1/projects/{team}/{name}/builds/{id}", projects::build);
        routes.post("/api/v1/projects/{team}/{name}/builds/{id}/cancel", projects::cancel);
        routes.get("/api/v1/openapi.json", openApi::serve);
        routes.get("/api/docs", docs::page);
        routes.get("/api/docs/init.js", docs::script);
    }
}
