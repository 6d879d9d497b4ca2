package io.tributary.server;

import io.javalin.Javalin;
import io.javalin.http.ForbiddenResponse;
import io.javalin.http.HttpStatus;
import io.tributary.alert.AlertDispatcher;
import io.tributary.apply.ClusterRegistry;
import io.tributary.apply.Clusters;
import io.tributary.apply.JobLauncher;
import io.tributary.apply.Operations;
import io.tributary.apply.Reconciler;
import io.tributary.apply.MavenRepositories;
import io.tributary.build.ArtifactStore;
import io.tributary.build.ProjectBuilds;
import io.tributary.config.ConfigLoader;
import io.tributary.store.BuildStore;
import io.tributary.secrets.SecretResolver;
import io.tributary.server.alerts.Alerts;
import io.tributary.server.api.Api;
import io.tributary.server.api.ReadModel;
import io.tributary.server.api.Viewer;
import io.tributary.server.pages.Pages;
import io.tributary.flink.LocalCluster;
import io.tributary.flink.SqlRunnerJar;
import io.tributary.server.metrics.ServiceMetrics;
import io.tributary.server.webhooks.WebhookHandler;
import io.tributary.source.ConfigSource;
import io.tributary.source.SourceSpec;
import io.tributary.model.DesiredState;
import io.tributary.model.Permission;
import io.tributary.server.auth.Access;
import io.tributary.server.auth.Authenticator;
import io.tributary.server.auth.Caller;
import io.tributary.server.streampark.StreamParkApi;
import io.tributary.store.AuditEvent;
import io.tributary.server.auth.PasswordLinks;
import io.tributary.server.auth.TokensApi;
import io.tributary.store.AccountStore;
import io.tributary.store.AlertStore;
import io.tributary.store.Database;
import io.tributary.store.LeaderLock;
import io.tributary.store.Store;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.http.HttpClient;
import java.nio.file.Files;
import java.time.Clock;
import java.time.Duration;
import java.util.ArrayDeque;
import java.util.Deque;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.atomic.AtomicReference;
import java.util.function.Supplier;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The running service: store, config source, managed clusters, the reconcile loop and the HTTP
 * API, started in that order and closed in reverse.
 */
public final class Service implements AutoCloseable {
    private static final Logger LOG = LoggerFactory.getLogger(Service.class);
    /** The advisory lock replicas sharing one database compete for ("trib" in ASCII). */
    static final long LEADER_LOCK_KEY = 0x74726962L;
    /** How long a savepoint may take before the operation gives up (Flink's own default timeout is 10 min). */
    private static final Duration SAVEPOINT_TIMEOUT = Duration.ofMinutes(10);
    /**
     * The longest wait between two looks at a running savepoint. The first looks come every 10 ms,
     * as every wait past its completion is upgrade downtime; a long savepoint is asked about less often.
     */
    private static final Duration SAVEPOINT_POLL = Duration.ofSeconds(1);

    private final Deque<AutoCloseable> resources = new ArrayDeque<>();
    private final Reconciler reconciler;
    private final Javalin http;

    private Service(ServiceConfig config, ClusterRegistry testClusters) {
        try {
            Clock clock = Clock.systemUTC();
            ServiceMetrics metrics = new ServiceMetrics();
            try {
                Files.createDirectories(config.dataDir());
            } catch (IOException e) {
                throw new UncheckedIOException("cannot create the data directory " + config.dataDir(), e);
            }
            // the repository first: a mistyped path or URL fails here, before a database or cluster is started
            ConfigSource source = ConfigSource.open(new SourceSpec(config.repo(), config.branch(), config.path(),
                    config.credentials()), config.dataDir().resolve("source"));
            resources.push(source);
            Database db = config.database() == null ? Database.embedded(config.dataDir())
                    : Database.connect(config.database(), config.databaseUser(), config.databasePassword());
            resources.push(db);
            Store store = new Store(db, clock);
            MavenRepositories maven = new MavenRepositories(config.mavenRepository());
            resources.push(maven);
            ClusterRegistry clusters = testClusters != null ? testClusters
                    : new Clusters(config.dataDir(), maven, LocalCluster.Options.defaults());
            resources.push(clusters);
            JobLauncher launcher = new JobLauncher(maven, config.dataDir().resolve("artifacts"),
                    HttpClient.newHttpClient(),
                    SqlRunnerJar.locate(config.dataDir().resolve("work")), config.dataDir().resolve("job-jars"),
                    new SecretResolver(System::getenv, name -> null));
            Operations operations = new Operations(store, launcher, clock, SAVEPOINT_TIMEOUT, SAVEPOINT_POLL);
            // alerts hear every event the store writes; they outlive the loop, so its last events still go out
            AlertStore alertStore = new AlertStore(db, clock);
            AtomicReference<Reconciler> loop = new AtomicReference<>();
            AlertDispatcher dispatcher = new AlertDispatcher(alertStore, () -> Optional.ofNullable(loop.get())
                    .flatMap(Reconciler::current).map(Reconciler.Loaded::desired), System::getenv, clock,
                    AlertDispatcher.Options.defaults());
            store.onEvent(dispatcher::accept);
            dispatcher.start();
            resources.push(dispatcher);
            reconciler = new Reconciler(source, new ConfigLoader(), store, clusters, operations,
                    Optional.of(new LeaderLock(db, LEADER_LOCK_KEY)), clock,
                    new Reconciler.Options(config.pollInterval(), config.workers()), metrics.registry());
            resources.push(reconciler);
            ProjectBuilds builds = new ProjectBuilds(config.dataDir(),
                    new ArtifactStore(config.dataDir().resolve("artifacts"), clock), new BuildStore(db, clock), store,
                    maven::of, clock, BuildOptions.fromEnvironment(config.pollInterval()),
                    reconciler::triggerSync);
            reconciler.useBuilds(builds);
            resources.push(builds);
            loop.set(reconciler);
            metrics.watch(reconciler);
            GitVsRunning drift = new GitVsRunning(reconciler, source, new ConfigLoader(), clock);
            resources.push(drift);
            AccountStore accounts = new AccountStore(db, clock);
            Supplier<Optional<DesiredState>> desired = () -> reconciler.current().map(Reconciler.Loaded::desired);
            Authenticator authenticator = new Authenticator(accounts, store, clock, desired);
            authenticator.bootstrapAdmin(Optional.ofNullable(config.adminPassword()));
            WebhookHandler webhooks = new WebhookHandler(Optional.ofNullable(config.webhookSecret()),
                    () -> watchedRef(config), reconciler::triggerSync,
                    (urls, moved) -> urls.stream().mapToInt(url -> builds.pushed(url, moved)).sum(),
                    metrics.registry());
            ApplicationActions actions = new ApplicationActions(reconciler, clock);
            Alerts alerts = new Alerts(reconciler, alertStore, dispatcher, clock);
            http = startHttp(config.port(), authenticator, new TokensApi(authenticator.tokens(), store, clock, desired),
                    new PasswordLinks(accounts, authenticator, store, clock, desired), actions,
                    new StreamParkApi(reconciler, actions), webhooks, metrics, drift, alerts);
            resources.push(http::stop);
            reconciler.start();
        } catch (RuntimeException | Error e) {
            close(); // what started before the failure (the database, a cluster) does not outlive it
            throw e;
        }
    }

    public static Service start(ServiceConfig config) {
        config.describe().forEach((k, v) -> LOG.info("config {}={}", k, v));
        return new Service(config, null);
    }

    /** A service whose apps run on {@code clusters} instead of real Flink clusters: for tests. */
    static Service start(ServiceConfig config, ClusterRegistry clusters) {
        return new Service(config, clusters);
    }

    private Javalin startHttp(int port, Authenticator authenticator, TokensApi tokens, PasswordLinks passwordLinks,
            ApplicationActions actions, StreamParkApi streamPark, WebhookHandler webhooks, ServiceMetrics metrics,
            GitVsRunning drift, Alerts alerts) {
        ClusterStatuses clusterStatuses = new ClusterStatuses(reconciler.clusters());
        ReadModel model = new ReadModel(reconciler, drift);
        Pages pages = new Pages(reconciler, clusterStatuses, actions, tokens, drift, model, alerts, Clock.systemUTC(),
                authenticator::callerFromNowOn, passwordLinks::usable);
        resources.push(pages);
        Javalin app = Javalin.create(config -> {
            config.jsonMapper(new Json());
            config.startup.showJavalinBanner = false;
            config.jetty.port = port;
            config.requestLogger.http(metrics::recordRequest);
            authenticator.register(config.routes);
            tokens.register(config.routes);
            passwordLinks.register(config.routes);
            // open (Authenticator's OPEN_PREFIXES): the signature authenticates a webhook; scrapers read /metrics
            config.routes.post("/api/v1/webhooks/{provider}", webhooks::handle);
            config.routes.get("/metrics", metrics::scrape);
            // open (Authenticator's OPEN_PREFIXES): the name is the content's sha256, which only who knows it can ask for
            config.routes.get("/artifacts/{sha256}", new ArtifactRoute(reconciler)::handle);
            Api.install(config, reconciler, clusterStatuses, model, ctx -> Viewer.of(Access.require(ctx)));
            config.routes.post("/api/v1/applications/{team}/{name}/actions/{action}", actions::handle);
            alerts.register(config.routes);
            streamPark.register(config.routes);
            config.routes.get("/api/v1/sync", ctx -> ctx.json(reconciler.sync()));
            config.routes.post("/api/v1/sync", ctx -> {
                Caller caller = Access.require(ctx);
                if (!caller.mayInSomeTeam(Permission.APP_SYNC)) {
                    reconciler.store().audit(new AuditEvent(0, null, caller.user(), "denied sync", "config source",
                            null, "lacks app:sync in every team"));
                    throw new ForbiddenResponse("triggering a sync needs app:sync in some team");
                }
                reconciler.triggerSync(); // first: the pass need not wait for the audit's write
                reconciler.store().audit(new AuditEvent(0, null, caller.user(), "sync", "config source", null, null));
                ctx.status(HttpStatus.ACCEPTED).json(Map.of("triggered", true));
            });
            config.routes.get("/healthz", ctx -> ctx.result("ok"));
            config.routes.get("/readyz", ctx -> {
                boolean ready = reconciler.current().isPresent();
                ctx.status(ready ? HttpStatus.OK : HttpStatus.SERVICE_UNAVAILABLE)
                        .result(ready ? "ready" : "no valid revision loaded yet");
            });
            pages.register(config);
        });
        app.start();
        LOG.info("http port={} api=http://localhost:{}/api/v1/applications", app.port(), app.port());
        return app;
    }

    /** The branch webhooks are about: the one configured, else the ref of the last fetched revision. */
    private Optional<String> watchedRef(ServiceConfig config) {
        if (config.branch() != null) {
            return Optional.of(config.branch());
        }
        String fetched = reconciler.sync().fetchedRevision();
        int at = fetched == null ? -1 : fetched.lastIndexOf('@');
        return at < 0 || fetched.startsWith("dir@") ? Optional.empty() : Optional.of(fetched.substring(0, at));
    }

    public int port() {
        return http.port();
    }

    /** Every route the HTTP server answers, as {@code GET /api/v1/sync}: what the OpenAPI test checks. */
    public List<String> routes() {
        return http.unsafe.internalRouter.allHttpHandlers().stream()
                .map(e -> e.endpoint.method.name() + " " + e.endpoint.path)
                .filter(r -> r.matches("(GET|POST|PUT|PATCH|DELETE) .*"))
                .sorted().toList();
    }

    public Reconciler reconciler() {
        return reconciler;
    }

    /** Stops the HTTP server, the loop (letting running operations end), the managed clusters, then the database. */
    @Override
    public void close() {
        while (!resources.isEmpty()) {
            AutoCloseable resource = resources.pop();
            try {
                resource.close();
            } catch (Exception e) {
                LOG.warn("shutdown: closing {} failed", resource, e);
            }
        }
    }
}
