package io.tributary.cli;

import io.tributary.cli.PlanPreview.Known;
import io.tributary.cli.PlanPreview.Prior;
import io.tributary.model.Application;
import io.tributary.model.JobState;
import io.tributary.plan.AppObservation;
import io.tributary.plan.AppObservation.AppliedSpec;
import io.tributary.plan.AppObservation.CurrentJob;
import io.tributary.plan.AppObservation.KeptSavepoint;
import io.tributary.plan.Observed;
import java.io.IOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.function.Function;
import tools.jackson.core.JacksonException;
import tools.jackson.databind.JsonNode;
import tools.jackson.databind.json.JsonMapper;

/**
 * What a running service reports of its applications ({@code GET /api/v1/applications}), turned
 * into the planner's observations. The API says what the service last saw, not what Flink says
 * this instant, which is what a preview needs.
 */
final class LiveApps {
    private static final Duration CONNECT_TIMEOUT = Duration.ofSeconds(10);
    private static final Duration REQUEST_TIMEOUT = Duration.ofSeconds(30);
    /** The most the API answers per page. */
    static final int PAGE = 500;

    /** One item of the applications API, with what the planner needs. */
    record LiveApp(String app, String desiredState, String upgradeMode, Boolean prune, String jobId, String jobState,
            String jobCluster, String sync, String message, String revision, String specHash, String pinnedState, boolean syncPaused,
            String overrideActor, String overrideReason, String lastSavepoint, Instant lastSavepointAt) {}

    /** The service could not be asked: unreachable, refused the credentials, or answered something else. */
    static final class Unavailable extends Exception {
        private static final long serialVersionUID = 1L;

        Unavailable(String message) {
            super(message);
        }
    }

    /**
     * A {@code jar.project} app's jars as the service says ({@code GET /api/v1/projects}): the one its
     * spec has now and the one its job runs; either may be null.
     */
    record Artifact(String sha256, String runningSha256) {}

    final String server;
    final List<LiveApp> apps;
    /** By app; empty when the service has no projects or the token may not view builds. */
    final Map<String, Artifact> artifacts;
    /** The revision the service has in force, when its sync API said. */
    final Optional<String> appliedRevision;

    private LiveApps(String server, List<LiveApp> apps, Optional<String> appliedRevision) {
        this(server, apps, appliedRevision, Map.of());
    }

    private LiveApps(String server, List<LiveApp> apps, Optional<String> appliedRevision,
            Map<String, Artifact> artifacts) {
        this.server = server;
        this.artifacts = Map.copyOf(artifacts);
        this.apps = List.copyOf(apps);
        this.appliedRevision = appliedRevision;
    }

    /** Reads {@code server}'s applications (and, for the report, its applied revision). */
    static LiveApps fetch(String server, String token) throws Unavailable {
        String base = server.replaceAll("/+$", "");
        HttpClient client = HttpClient.newBuilder().connectTimeout(CONNECT_TIMEOUT)
                .followRedirects(HttpClient.Redirect.NORMAL).build();
        List<LiveApp> apps = new ArrayList<>();
        // page by page: the API answers at most PAGE items per request (a service before paging answers all at once)
        while (true) {
            JsonNode applications = get(client, base, "/api/v1/applications?limit=" + PAGE + "&offset=" + apps.size(),
                    token);
            JsonNode items = applications.get("items");
            if (items == null || !items.isArray()) {
                throw new Unavailable(base + "/api/v1/applications answered JSON without \"items\"; is " + base
                        + " a Tributary service?");
            }
            for (JsonNode item : items) {
                apps.add(parse(item));
            }
            long total = applications.path("total").asLong(apps.size());
            if (items.isEmpty() || apps.size() >= total) {
                break;
            }
        }
        Optional<String> applied;
        try {
            applied = Optional.ofNullable(string(get(client, base, "/api/v1/sync", token), "appliedRevision"));
        } catch (Unavailable e) {
            applied = Optional.empty(); // only names the base in the report; the plan does not need it
        }
        return new LiveApps(base, apps, applied, artifacts(client, base, token));
    }

    /** The jars of {@code jar.project} apps; none when the service answers no projects (older, or no build:view). */
    private static Map<String, Artifact> artifacts(HttpClient client, String base, String token) {
        Map<String, Artifact> out = new HashMap<>();
        try {
            int seen = 0;
            while (true) {
                JsonNode projects = get(client, base, "/api/v1/projects?limit=" + PAGE + "&offset=" + seen, token);
                JsonNode items = projects.path("items");
                for (JsonNode project : items) {
                    for (JsonNode app : project.path("applications")) {
                        out.put(string(app, "app"), new Artifact(string(app, "sha256"), string(app, "runningSha256")));
                    }
                }
                seen += items.size();
                if (items.isEmpty() || seen >= projects.path("total").asLong(seen)) {
                    return out;
                }
            }
        } catch (Unavailable e) {
            return out; // plans without the jars: project apps' upgrades then say only that the spec differs
        }
    }

    static LiveApps of(String server, List<LiveApp> apps, Optional<String> appliedRevision) {
        return new LiveApps(server, apps, appliedRevision);
    }

    private static JsonNode get(HttpClient client, String base, String path, String token) throws Unavailable {
        URI uri;
        try {
            uri = URI.create(base + path);
        } catch (IllegalArgumentException e) {
            throw new Unavailable("'" + base + "' is not a URL; give the service's address, e.g. https://tributary.example.com");
        }
        if (uri.getScheme() == null || !(uri.getScheme().equals("http") || uri.getScheme().equals("https"))) {
            throw new Unavailable("'" + base + "' is not an http(s) URL; give the service's address, e.g. https://tributary.example.com");
        }
        HttpRequest.Builder request = HttpRequest.newBuilder(uri).timeout(REQUEST_TIMEOUT)
                .header("Accept", "application/json").GET();
        if (token != null && !token.isBlank()) {
            request.header("Authorization", "Bearer " + token.strip());
        }
        HttpResponse<String> response;
        try {
            response = client.send(request.build(), HttpResponse.BodyHandlers.ofString());
        } catch (IOException e) {
            throw new Unavailable("cannot reach " + base + ": " + (e.getMessage() == null ? e.getClass().getSimpleName()
                    : e.getMessage()) + "; check the URL and that the service runs");
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new Unavailable("interrupted while asking " + base);
        }
        int status = response.statusCode();
        if (status == 401 || status == 403) {
            throw new Unavailable(base + path + " refused the request (HTTP " + status + "); pass an API token with"
                    + " --token or TRIBUTARY_TOKEN that may read applications");
        }
        if (status != 200) {
            throw new Unavailable(base + path + " answered HTTP " + status + "; is " + base + " a Tributary service?");
        }
        try {
            return JsonMapper.shared().readTree(response.body());
        } catch (JacksonException e) {
            throw new Unavailable(base + path + " did not answer JSON; is " + base + " a Tributary service?");
        }
    }

    private static LiveApp parse(JsonNode item) {
        String app = string(item, "team") + "/" + string(item, "name");
        JsonNode status = item.path("status");
        JsonNode override = item.path("override");
        JsonNode savepoint = item.path("lastSavepoint");
        JsonNode prune = item.get("prune");
        String savepointAt = string(savepoint, "createdAt");
        return new LiveApp(app, string(item, "desiredState"), string(item, "upgradeMode"),
                prune == null || prune.isNull() ? null : prune.asBoolean(),
                string(status, "jobId"), string(status, "jobState"), string(status, "cluster"), string(status, "sync"), string(status, "message"),
                string(status, "revision"), string(status, "specHash"),
                string(override, "pinnedState"), override.path("syncPaused").asBoolean(false),
                string(override, "actor"), string(override, "reason"),
                string(savepoint, "path"), savepointAt == null ? null : Instant.parse(savepointAt));
    }

    private static String string(JsonNode node, String field) {
        JsonNode value = node == null ? null : node.get(field);
        return value == null || value.isNull() || !value.isValueNode() ? null : value.asString();
    }

    /**
     * The planner's view of these apps. Restarts, failures and savepoints besides the newest are
     * not in the API, so a preview never plans retention or retries; a job's start is taken as now,
     * so no periodic savepoint comes due.
     */
    Observed observed(Instant now) {
        Map<String, AppObservation> observations = new HashMap<>();
        for (LiveApp a : apps) {
            Optional<CurrentJob> job = Optional.empty();
            if (a.jobId() != null) {
                Optional<JobState> state = a.jobState() == null || a.jobState().equals("MISSING") ? Optional.empty()
                        : Optional.of(JobState.fromFlink(a.jobState()));
                job = Optional.of(new CurrentJob(a.jobId(), state, now, Optional.empty(), now,
                        Optional.ofNullable(a.jobCluster())));
            }
            Optional<AppliedSpec> applied = a.specHash() == null ? Optional.empty()
                    : Optional.of(new AppliedSpec(a.specHash(), a.revision(), upgradeMode(a.upgradeMode()),
                            a.prune() == null || a.prune()));
            List<KeptSavepoint> savepoints = a.lastSavepoint() == null ? List.of()
                    : List.of(new KeptSavepoint(0, a.lastSavepoint(), a.lastSavepointAt() == null ? now : a.lastSavepointAt()));
            boolean everDeployed = a.specHash() != null || a.jobId() != null || a.lastSavepoint() != null;
            Optional<AppObservation.Override> pinned = Optional.empty();
            if (a.pinnedState() != null || a.syncPaused()) {
                // how a stop goes (drain, cancel) does not change what a plan shows: a stop
                pinned = Optional.of(new AppObservation.Override(
                        Optional.ofNullable(a.pinnedState()).map(s -> Application.DesiredState.valueOf(s.toUpperCase())),
                        false, false, a.syncPaused(), a.overrideActor() == null ? "an operator" : a.overrideActor(),
                        a.overrideReason() == null ? "" : a.overrideReason(), null));
            }
            // the service shows Progressing while an operation of the app runs or its cluster is busy
            boolean inFlight = "Progressing".equals(a.sync());
            observations.put(a.app(), new AppObservation(a.app(), job, applied, everDeployed, savepoints, List.of(),
                    pinned, inFlight, Optional.empty(), false));
        }
        return new Observed(observations, Map.of());
    }

    /**
     * What the service says of each app besides the observation: its desired state in the revision
     * it applied, where its job comes from, its message, and ({@code deployed}, asked lazily) the
     * spec its job was deployed with.
     */
    Function<String, Known> known(Function<LiveApp, Optional<Prior>> deployed) {
        Map<String, LiveApp> byApp = new HashMap<>();
        apps.forEach(a -> byApp.put(a.app(), a));
        return app -> {
            LiveApp a = byApp.get(app);
            if (a == null) {
                return Known.NOTHING;
            }
            String desired = "running".equals(a.desiredState()) || "suspended".equals(a.desiredState())
                    ? a.desiredState() : null;
            return new Known(desired, a.revision(), a.message(), () -> deployed.apply(a));
        };
    }

    private static Application.UpgradeMode upgradeMode(String name) {
        if (name != null) {
            for (Application.UpgradeMode mode : Application.UpgradeMode.values()) {
                if (mode.yamlName().equals(name)) {
                    return mode;
                }
            }
        }
        return Application.UpgradeMode.SAVEPOINT;
    }
}
