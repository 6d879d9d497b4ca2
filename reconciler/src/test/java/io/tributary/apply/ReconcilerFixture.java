package io.tributary.apply;

import static org.assertj.core.api.Assertions.assertThat;

import com.sun.net.httpserver.HttpServer;
import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import io.tributary.alert.AlertDispatcher;
import io.tributary.config.ConfigLoader;
import io.tributary.config.TestRepos;
import io.tributary.flink.DeploymentTarget;
import io.tributary.flink.FlinkTestSupport;
import io.tributary.flink.LocalCluster;
import io.tributary.flink.SqlRunnerJar;
import io.tributary.flink.TestingFlinkTarget;
import io.tributary.model.Cluster;
import io.tributary.secrets.SecretResolver;
import io.tributary.source.ConfigSource;
import io.tributary.source.SourceSpec;
import io.tributary.store.AlertStore;
import io.tributary.store.AppEvent;
import io.tributary.store.Database;
import io.tributary.store.LeaderLock;
import io.tributary.store.Store;
import io.tributary.store.TestDatabase;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.InetSocketAddress;
import java.net.http.HttpClient;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.function.BooleanSupplier;
import java.util.function.Consumer;
import java.util.function.Supplier;
import java.util.stream.Collectors;
import java.util.stream.Stream;
import tools.jackson.databind.JsonNode;
import tools.jackson.databind.json.JsonMapper;

/**
 * A reconciler built the way the service builds one, for the apply package's integration tests: a
 * config folder copied from {@link TestRepos#BASE} (or another source), a fresh store, the shared Maven
 * repository, real {@link Clusters} on a data directory (or the in-memory Flink), the job launcher with
 * the SQL runner, operations and, when asked, an alert dispatcher wired to the store and a local webhook
 * that keeps what it is posted. Everything lives under the test's temporary folder.
 *
 * <pre>{@code
 * ReconcilerFixture.Builder setup = ReconcilerFixture.in(temp).reconcileEvery(Duration.ofMillis(500));
 * setup.write("teams/payments/apps.yaml", apps);
 * fixture = setup.build();
 * fixture.reconcileUntil("the job runs", Duration.ofMinutes(4), () -> running(), () -> "status " + ...);
 * }</pre>
 *
 * Closing it closes the dispatcher, the reconciler, the clusters, the Maven repositories and the webhook,
 * in that order; the database is the test's ({@link TestDatabase} shares one server per JVM).
 */
final class ReconcilerFixture implements AutoCloseable {
    private static final JsonMapper JSON = JsonMapper.builder().build();

    /** The config folder (null with {@link Builder#source}). */
    final Path repo;
    final Store store;
    /** The reconciler; {@link #restart} replaces it. */
    Reconciler reconciler;
    /** The alert records (with {@link Builder#webhookAlerts} only). */
    final AlertStore alerts;
    /** What the webhook of {@link Builder#webhookAlerts} was posted, in order, as it arrives. */
    final List<JsonNode> received;
    private final MavenRepositories maven;
    private ClusterRegistry clusters;
    private final TestingFlinkTarget flink;
    private final Builder setup;
    private final AlertDispatcher dispatcher;
    private final Webhook webhook;
    private final Duration pause;

    /** Starts the set-up of a reconciler whose files go below {@code temp}. */
    static Builder in(Path temp) {
        return new Builder(temp);
    }

    static final class Builder {
        private final Path temp;
        private boolean copied;
        private Clock clock = Clock.systemUTC();
        private Database database;
        private LeaderLock lock;
        private boolean inMemoryFlink;
        private LocalCluster.Options clusterOptions = LocalCluster.Options.defaults();
        private Duration clusterStartupTimeout;
        private Duration clusterPollInterval;
        private Duration savepointTimeout = Duration.ofMinutes(2);
        private Duration savepointPoll = Duration.ofMillis(100);
        private SourceSpec source;
        private Duration pollInterval = Duration.ofSeconds(30);
        private boolean start;
        private MeterRegistry meters = new SimpleMeterRegistry();
        private Consumer<AppEvent> events;
        private AlertDispatcher.Options alertOptions;
        private Webhook webhook;
        private Duration pause = Duration.ofSeconds(1);

        private Builder(Path temp) {
            this.temp = temp;
        }

        /** The config folder ({@code temp/repo}), a copy of the base repository made on first use. */
        Path repo() {
            Path repo = temp.resolve("repo");
            if (!copied) {
                TestRepos.copyTree(TestRepos.BASE, repo);
                copied = true;
            }
            return repo;
        }

        /** Writes {@code text} to {@code file} of the config folder. */
        Builder write(String file, String text) throws IOException {
            Files.writeString(repo().resolve(file), text);
            return this;
        }

        /** Removes {@code file} from the config folder. */
        Builder delete(String file) throws IOException {
            Files.delete(repo().resolve(file));
            return this;
        }

        /**
         * Alerts to a local webhook: writes {@code teams/payments/alerts.yaml}, the policy
         * {@code payments-default} sending to the webhook channel {@code hook} a rule per entry of
         * {@code rules} (its event, then any other fields: {@code "checkpoint-failures, count: 3"}), and
         * wires a dispatcher to the store: groups wait 0.5 s, repeat after 1 h, 3 attempts per notice
         * {@code retryBackoff} apart, digests above 3 notices, links to {@code dashboardUrl} (may be null).
         * The dispatcher and the alert records keep UTC, whatever {@link #inMemoryFlink} is given.
         */
        Builder webhookAlerts(Duration retryBackoff, String dashboardUrl, String... rules) throws IOException {
            if (webhook == null) {
                webhook = new Webhook();
            }
            alertOptions = new AlertDispatcher.Options(Duration.ofMillis(500), Duration.ofHours(1), 3, retryBackoff,
                    3, dashboardUrl);
            return write("teams/payments/alerts.yaml", """
                    apiVersion: tributary.io/v1
                    kind: AlertPolicy
                    metadata: {name: payments-default, team: payments}
                    spec:
                      rules:
                    %s  channels: [hook]
                    ---
                    apiVersion: tributary.io/v1
                    kind: AlertChannel
                    metadata: {name: hook, team: payments}
                    spec: {type: webhook, webhook: {url: "http://127.0.0.1:%d/hook"}}
                    """.formatted(Stream.of(rules).map(r -> "    - {event: " + r + "}\n").collect(Collectors.joining()),
                    webhook.port()));
        }

        /** Every cluster is the in-memory {@link TestingFlinkTarget}; {@code clock} is everyone's but the alerts'. */
        Builder inMemoryFlink(Clock clock) {
            this.inMemoryFlink = true;
            this.clock = clock;
            return this;
        }

        /** The source instead of the config folder, cloned under {@code temp/source}. */
        Builder source(SourceSpec spec) { this.source = spec; return this; }

        /** How long operations wait for a savepoint, and the longest wait between two looks at it. */
        Builder savepoints(Duration timeout, Duration poll) {
            this.savepointTimeout = timeout;
            this.savepointPoll = poll;
            return this;
        }

        /** Real clusters, started with these options. */
        Builder clusters(LocalCluster.Options options) { this.clusterOptions = options; return this; }

        /**
         * The store on this database instead of a fresh one from {@link TestDatabase} (the test closes
         * it); the reconciler acts while it holds {@code lock}.
         */
        Builder database(Database db, LeaderLock lock) {
            this.database = db;
            this.lock = lock;
            return this;
        }

        /** Hears the store's events from before the reconciler exists. */
        Builder onEvent(Consumer<AppEvent> listener) { this.events = listener; return this; }

        /**
         * Real clusters, started with these options; a per-app cluster gets {@code startupTimeout}, asked
         * every {@code poll}.
         */
        Builder clusters(LocalCluster.Options options, Duration startupTimeout, Duration poll) {
            this.clusterOptions = options;
            this.clusterStartupTimeout = startupTimeout;
            this.clusterPollInterval = poll;
            return this;
        }

        /** The reconciler records its passes and actions here. */
        Builder meters(MeterRegistry registry) { this.meters = registry; return this; }

        /** The reconciler's own loop is started, fetching every {@code pollInterval}. */
        Builder started(Duration pollInterval) {
            this.pollInterval = pollInterval;
            this.start = true;
            return this;
        }

        /** The pause between two passes of {@link ReconcilerFixture#reconcileUntil} (1 s unless set). */
        Builder reconcileEvery(Duration pause) { this.pause = pause; return this; }

        ReconcilerFixture build() {
            try {
                return new ReconcilerFixture(this);
            } catch (RuntimeException | Error e) {
                if (webhook != null) {
                    webhook.close();
                }
                throw e;
            }
        }
    }

    private ReconcilerFixture(Builder b) {
        repo = b.source == null ? b.repo() : null;
        pause = b.pause;
        webhook = b.webhook;
        received = webhook == null ? List.of() : webhook.received;
        Clock clock = b.clock;
        Database db = b.database != null ? b.database : TestDatabase.fresh();
        store = new Store(db, clock);
        if (b.events != null) {
            store.onEvent(b.events);
        }
        maven = new MavenRepositories(FlinkTestSupport.sharedRepository().localRepository());
        if (b.inMemoryFlink) {
            flink = new TestingFlinkTarget(clock);
            clusters = new TestingClusters(flink);
        } else {
            flink = null;
            clusters = b.clusterStartupTimeout == null
                    ? new Clusters(b.temp.resolve("data"), maven, b.clusterOptions)
                    : new Clusters(b.temp.resolve("data"), maven, b.clusterOptions, b.clusterStartupTimeout,
                            b.clusterPollInterval);
        }
        setup = b;
        reconciler = newReconciler();
        if (b.alertOptions != null) {
            alerts = new AlertStore(db, Clock.systemUTC());
            dispatcher = new AlertDispatcher(alerts, () -> reconciler.current().map(Reconciler.Loaded::desired),
                    name -> null, Clock.systemUTC(), b.alertOptions);
            store.onEvent(dispatcher::accept);
            dispatcher.start();
        } else {
            alerts = null;
            dispatcher = null;
        }
        if (b.start) {
            reconciler.start();
        }
    }

    /** A reconciler over this fixture's store, clusters and config source, as the service builds one. */
    private Reconciler newReconciler() {
        Path work = setup.temp.resolve("work");
        JobLauncher launcher = new JobLauncher(maven, work.resolve("jars"), HttpClient.newHttpClient(),
                SqlRunnerJar.locate(work), work.resolve("job-jars"), new SecretResolver(name -> null, name -> null));
        Operations operations = new Operations(store, launcher, setup.clock, setup.savepointTimeout,
                setup.savepointPoll);
        SourceSpec spec = setup.source != null ? setup.source : new SourceSpec(repo.toString(), null, null);
        ConfigSource source = ConfigSource.open(spec, setup.temp.resolve("source"), setup.clock);
        return new Reconciler(source, new ConfigLoader(), store, clusters, operations,
                Optional.ofNullable(setup.lock), setup.clock, new Reconciler.Options(setup.pollInterval, 2),
                setup.meters);
    }

    /**
     * What a restarted service has: this reconciler closed, whatever it was doing, and a new one over
     * the same store, Flink and config source. With {@code freshClusters} (in-memory Flink only), a
     * new cluster registry that has adopted no cluster yet, while the clusters run on.
     */
    void restart(boolean freshClusters) {
        reconciler.close();
        if (freshClusters) {
            clusters = new TestingClusters(flink());
        }
        reconciler = newReconciler();
        if (setup.start) {
            reconciler.start();
        }
    }

    /** The in-memory cluster registry (with {@link Builder#inMemoryFlink} only), which records its calls. */
    TestingClusters testingClusters() {
        if (!(clusters instanceof TestingClusters testing)) {
            throw new IllegalStateException("this fixture runs real clusters; call inMemoryFlink() for the fake");
        }
        return testing;
    }

    /** The real clusters (not with {@link Builder#inMemoryFlink}). */
    Clusters clusters() {
        if (!(clusters instanceof Clusters real)) {
            throw new IllegalStateException("this fixture runs the in-memory Flink; it has no real clusters");
        }
        return real;
    }

    /** The in-memory Flink (with {@link Builder#inMemoryFlink} only). */
    TestingFlinkTarget flink() {
        if (flink == null) {
            throw new IllegalStateException("this fixture runs real clusters; call inMemoryFlink() for the fake");
        }
        return flink;
    }

    /** Writes {@code text} to {@code file} of the config folder. */
    void write(String file, String text) throws IOException {
        Files.writeString(repo.resolve(file), text);
    }

    /** The cluster named {@code name} in the revision in force. */
    Cluster cluster(String name) {
        return reconciler.current().orElseThrow().desired().all(Cluster.class).stream()
                .filter(c -> c.metadata().name().equals(name)).findFirst().orElseThrow();
    }

    /** The deployment target of the cluster named {@code name}. */
    DeploymentTarget target(String name) {
        return clusters.target(cluster(name)).orElseThrow();
    }

    /** {@code n} passes, each after a triggered fetch. */
    void passes(int n) {
        for (int i = 0; i < n; i++) {
            reconciler.triggerSync();
            reconciler.reconcileOnce();
        }
    }

    /**
     * Passes (each after a triggered fetch), with the builder's pause between them, until
     * {@code condition} holds; once {@code timeout} is over, fails saying {@code what} and then
     * {@code state} (what the test wants to see of the store or the alerts).
     */
    void reconcileUntil(String what, Duration timeout, BooleanSupplier condition, Supplier<String> state) {
        long deadline = System.nanoTime() + timeout.toNanos();
        while (!condition.getAsBoolean()) {
            assertThat(System.nanoTime()).as(() -> what + "; " + state.get()).isLessThan(deadline);
            passes(1);
            try {
                Thread.sleep(pause.toMillis());
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                throw new AssertionError("interrupted while waiting for: " + what, e);
            }
        }
    }

    /** Waits, without passes of its own (for a {@link Builder#started} loop), until {@code condition} holds. */
    static void await(String what, Duration timeout, BooleanSupplier condition) throws InterruptedException {
        long deadline = System.nanoTime() + timeout.toNanos();
        while (!condition.getAsBoolean()) {
            if (System.nanoTime() > deadline) {
                throw new AssertionError("not within " + timeout + ": " + what);
            }
            Thread.sleep(100);
        }
    }

    @Override
    public void close() {
        List<Runnable> steps = new ArrayList<>();
        if (dispatcher != null) {
            steps.add(dispatcher::close);
        }
        steps.add(reconciler::close);
        steps.add(clusters::close);
        steps.add(maven::close);
        if (webhook != null) {
            steps.add(webhook::close);
        }
        RuntimeException first = null;
        for (Runnable step : steps) {
            try {
                step.run();
            } catch (RuntimeException e) {
                if (first == null) {
                    first = e;
                } else {
                    first.addSuppressed(e);
                }
            }
        }
        if (first != null) {
            throw first;
        }
    }

    /** A local webhook that keeps the JSON posted to {@code /hook} and answers 204. */
    private static final class Webhook implements AutoCloseable {
        private final HttpServer server;
        private final List<JsonNode> received = new CopyOnWriteArrayList<>();

        Webhook() {
            try {
                server = HttpServer.create(new InetSocketAddress("127.0.0.1", 0), 0);
            } catch (IOException e) {
                throw new UncheckedIOException(e);
            }
            server.createContext("/hook", exchange -> {
                received.add(JSON.readTree(new String(exchange.getRequestBody().readAllBytes(),
                        StandardCharsets.UTF_8)));
                exchange.sendResponseHeaders(204, -1);
                exchange.close();
            });
            server.start();
        }

        int port() {
            return server.getAddress().getPort();
        }

        @Override
        public void close() {
            server.stop(0);
        }
    }
}
