package io.tributary.apply;

import io.tributary.flink.DeployerLoaders;
import io.tributary.flink.DeploymentTarget;
import io.tributary.flink.FlinkDistributions;
import io.tributary.flink.FlinkHome;
import io.tributary.flink.FlinkRestClient;
import io.tributary.flink.LocalCluster;
import io.tributary.flink.SqlRunnerJar;
import io.tributary.flink.RetainedCheckpoints;
import io.tributary.flink.StandaloneSessionTarget;
import io.tributary.model.Application;
import io.tributary.model.Cluster;
import io.tributary.model.DesiredState;
import io.tributary.model.FlinkVersion;
import io.tributary.plan.ClusterObservation;
import io.tributary.plan.SpecHash;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.URI;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.function.Function;
import java.util.function.Predicate;
import java.util.stream.Stream;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The clusters jobs run on, by name: managed local clusters this service starts (each in
 * {@code <dataDir>/clusters/<name>/}, with the spec it was started from beside it, so a restarted
 * service adopts it and still knows whether it is current), external session clusters reached by
 * their address, Kubernetes sessions (managed or external, see {@link KubernetesRegistry}), and the
 * per-app clusters of application modes, one per app under {@code <dataDir>/app-clusters/<team_name>/}.
 */
public final class Clusters implements ClusterRegistry {
    private static final Logger LOG = LoggerFactory.getLogger(Clusters.class);
    private static final String SPEC_FILE = "tributary-spec.sha256";
    private static final Duration READY_TIMEOUT = Duration.ofMinutes(3);
    private static final java.net.http.HttpClient PROBE = java.net.http.HttpClient.newBuilder()
            .connectTimeout(Duration.ofSeconds(3)).build();

    private final Path clustersDir;
    private final Path dataDir;
    private final MavenRepositories maven;
    private final LocalCluster.Options options;
    private final Map<String, LocalCluster> managed = new ConcurrentHashMap<>();
    private final Map<String, StandaloneSessionTarget> targets = new ConcurrentHashMap<>();
    private final Map<io.tributary.model.FlinkVersion.Spec, FlinkHome> homes = new ConcurrentHashMap<>();
    private final Duration startupTimeout;
    private final Duration pollInterval;
    private final Predicate<URI> answers;
    /** The revision last seen, for the Maven repositories modules of a Flink version come from. */
    private volatile DesiredState lastDesired;
    private volatile KubernetesRegistry kubernetes;
    private volatile YarnRegistry yarn;
    private volatile DeployerLoaders loaders;

    public Clusters(Path dataDir, MavenRepositories maven, LocalCluster.Options options) {
        this(dataDir, maven, options, Duration.ofMinutes(5), Duration.ofSeconds(1));
    }

    /**
     * @param startupTimeout how long a per-app cluster may take until its job is listed; past it the
     *     deploy fails with the cluster's startup diagnostics
     * @param pollInterval how often a starting cluster is asked
     */
    public Clusters(Path dataDir, MavenRepositories maven, LocalCluster.Options options, Duration startupTimeout,
            Duration pollInterval) {
        this(dataDir, maven, options, startupTimeout, pollInterval, Clusters::answers);
    }

    /** @param answers whether a session's JobManager answers on a REST address (tests stand in for pods) */
    Clusters(Path dataDir, MavenRepositories maven, LocalCluster.Options options, Duration startupTimeout,
            Duration pollInterval, Predicate<URI> answers) {
        this.answers = answers;
        this.clustersDir = dataDir.resolve("clusters");
        this.dataDir = dataDir;
        this.maven = maven;
        this.options = options;
        this.startupTimeout = startupTimeout;
        this.pollInterval = pollInterval;
    }

    private KubernetesRegistry kubernetes() {
        KubernetesRegistry k = kubernetes;
        if (k == null) {
            synchronized (this) {
                if (kubernetes == null) {
                    kubernetes = new KubernetesRegistry(loaders(), FlinkDistributions::existingOf, startupTimeout,
                            pollInterval, answers);
                }
                k = kubernetes;
            }
        }
        return k;
    }

    private synchronized YarnRegistry yarn() {
        if (yarn == null) {
            yarn = new YarnRegistry(loaders(), FlinkDistributions::existingOf, startupTimeout, pollInterval);
        }
        return yarn;
    }

    private synchronized DeployerLoaders loaders() {
        if (loaders == null) {
            loaders = new DeployerLoaders(() -> maven.of(lastDesired == null ? DesiredState.of(List.of()) : lastDesired),
                    SqlRunnerJar.locate(dataDir.resolve("work")));
        }
        return loaders;
    }

    /** A Flink version's home, resolved (and verified) once per spec. */
    private FlinkHome home(FlinkVersion version, DesiredState desired) {
        lastDesired = desired;
        return homes.computeIfAbsent(version.spec(), v -> new FlinkDistributions(dataDir, maven.of(desired)).resolve(version));
    }

    private Optional<FlinkHome> homeOf(Cluster cluster) {
        DesiredState desired = lastDesired;
        // a cluster that left Git may name a Flink version that left with it
        return desired == null ? Optional.empty()
                : declaredVersion(cluster, desired).map(version -> home(version, desired));
    }

    /** The target of a cluster that runs (managed) or is declared with an address (external). */
    @Override
    public Optional<DeploymentTarget> target(Cluster cluster) {
        String name = cluster.id().qualifiedName();
        Optional<URI> rest = restUrl(cluster);
        // one target per address, kept: it holds the HTTP client, its connections and the uploaded jars' ids
        return rest.map(url -> targets.compute(name, (n, existing) ->
                existing != null && existing.restUrl().equals(FlinkRestClient.baseOf(url)) ? existing
                        : new StandaloneSessionTarget(FlinkRestClient.of(url.toString()))));
    }

    @Override
    public Optional<URI> restUrl(Cluster cluster) {
        if (cluster.spec().mode() == Cluster.Mode.KUBERNETES_SESSION) {
            if (cluster.spec().managed() && !KubernetesRegistry.deployedHere(dirOf(cluster.id().qualifiedName()))) {
                return Optional.empty(); // not deployed: nothing to ask the API server
            }
            return kubernetes().restUrl(cluster, this::homeOf);
        }
        if (cluster.spec().mode() == Cluster.Mode.YARN_SESSION) {
            return yarn().restUrl(cluster, dirOf(cluster.id().qualifiedName()), this::homeOf);
        }
        if (cluster.isLocal()) {
            return Optional.ofNullable(managed.get(cluster.id().qualifiedName())).map(LocalCluster::restUrl);
        }
        if (cluster.spec().mode() == Cluster.Mode.STANDALONE && cluster.spec().standalone() != null
                && cluster.spec().standalone().address() != null) {
            return Optional.of(URI.create(cluster.spec().standalone().address()));
        }
        return Optional.empty();
    }

    @Override
    public Optional<URI> webUiUrl(Cluster cluster) {
        if (cluster.spec().mode() == Cluster.Mode.KUBERNETES_SESSION) {
            Path dir = dirOf(cluster.id().qualifiedName());
            Optional<URI> ingress = kubernetes != null ? kubernetes.webUi(cluster, dir)
                    : KubernetesRegistry.recordedWebUi(dir);
            return ingress.or(() -> restUrl(cluster));
        }
        return restUrl(cluster);
    }

    @Override
    public Optional<DeploymentTarget> appTarget(Application app, DesiredState desired) {
        Application.DeploymentMode mode = app.spec().deployment().mode();
        if (mode.isSession()) {
            return Optional.empty();
        }
        FlinkHome home = home(appFlinkVersion(app, desired), desired);
        Path dir = appDirOf(app.id().qualifiedName());
        return Optional.of(mode == Application.DeploymentMode.KUBERNETES_APPLICATION
                ? kubernetes().appTarget(app, desired, home, dir) : yarn().appTarget(app, home, dir));
    }

    @Override
    public Optional<DeploymentTarget> appTarget(String appClusterName) {
        String app = DesiredState.appOfCluster(appClusterName).orElseThrow();
        Path dir = appDirOf(app);
        if (DesiredState.onKubernetes(appClusterName)) {
            return KubernetesRegistry.deployedHere(dir) ? kubernetes().appTarget(app, dir).map(t -> t) : Optional.empty();
        }
        return YarnRegistry.deployedHere(dir) ? yarn().appTarget(app, dir).map(t -> t) : Optional.empty();
    }

    @Override
    public Optional<StartupProblem> startupProblem(Cluster cluster) {
        if (cluster.spec().mode() != Cluster.Mode.KUBERNETES_SESSION || !cluster.spec().managed()) {
            return Optional.empty();
        }
        return KubernetesRegistry.startupProblem(dirOf(cluster.id().qualifiedName()));
    }

    private static boolean answers(URI restUrl) {
        try {
            new FlinkRestClient(restUrl, PROBE, Duration.ofSeconds(5)).overview();
            return true;
        } catch (RuntimeException e) {
            return false;
        }
    }

    @Override
    public Optional<URI> appWebUi(String app) {
        return kubernetes == null ? KubernetesRegistry.recordedWebUi(appDirOf(app)) : kubernetes.appWebUi(app)
                .or(() -> KubernetesRegistry.recordedWebUi(appDirOf(app)));
    }

    private static FlinkVersion appFlinkVersion(Application app, DesiredState desired) {
        return desired.flinkVersion(app.spec().flinkVersion()).orElseThrow(() -> new IllegalStateException("application " + app.id().qualifiedName()
                + " has no Flink version; declare a default FlinkVersion"));
    }

    private Path appDirOf(String app) {
        return dataDir.resolve("app-clusters").resolve(app.replace('/', '_'));
    }

    public Optional<LocalCluster> local(String name) {
        return Optional.ofNullable(managed.get(name));
    }

    @Override
    public Optional<String> checkpointDirectory(String clusterName) {
        return local(clusterName).flatMap(LocalCluster::checkpointDirectory);
    }

    /**
     * A managed Kubernetes session is gone once its JobManager deployment is; a managed YARN session once
     * its YARN application ended (killed or failed). The planner then deploys it again.
     */
    @Override
    public boolean endedOutside(String clusterName) {
        Path dir = dirOf(clusterName);
        if (KubernetesRegistry.deployedHere(dir)) {
            return !kubernetes().stillDeployed(clusterName, dir);
        }
        return YarnRegistry.deployedHere(dir) && yarn().ended(clusterName, dir);
    }

    /** A YARN cluster deployed here reads a directory that is not local through Hadoop (HDFS). */
    @Override
    public Optional<RetainedCheckpoints.Found> retainedCheckpoint(String clusterName, String directory, String jobId) {
        if (clusterName == null || directory == null || RetainedCheckpoints.isLocal(directory)) {
            return RetainedCheckpoints.latest(directory, jobId);
        }
        Path dir = DesiredState.appOfCluster(clusterName).map(this::appDirOf).orElseGet(() -> dirOf(clusterName));
        return YarnRegistry.deployedHere(dir) ? yarn().latestCheckpoint(dir, directory, jobId) : Optional.empty();
    }

    /** Every declared standalone cluster and every managed one still on disk, as the planner reads them. */
    @Override
    public Map<String, ClusterObservation> observe(DesiredState desired, Function<String, Answer> answers) {
        lastDesired = desired;
        Map<String, ClusterObservation> result = new HashMap<>();
        for (Cluster cluster : desired.all(Cluster.class)) {
            String name = cluster.id().qualifiedName();
            boolean isManaged = cluster.spec().managed();
            Answer answer = answers.apply(name);
            Path dir = dirOf(name);
            boolean running = !isManaged || (cluster.isLocal() ? managed.containsKey(name)
                    : (KubernetesRegistry.deployedHere(dir) || YarnRegistry.deployedHere(dir))
                            && answer != Answer.ENDED_OUTSIDE);
            boolean reachable = running && target(cluster).isPresent() && answer == Answer.ANSWERED;
            result.put(name, new ClusterObservation(name, isManaged, running, reachable,
                    isManaged ? startedSpec(name) : Optional.empty()));
        }
        for (String name : managedOnDisk()) {
            result.putIfAbsent(name, new ClusterObservation(name, true, true, true, startedSpec(name)));
        }
        return result;
    }

    /** Starts (or adopts, if it still runs from before) a managed cluster and waits until its TaskManagers registered. */
    @Override
    public void start(Cluster cluster, DesiredState desired) {
        String name = cluster.id().qualifiedName();
        FlinkVersion version = flinkVersion(cluster, desired);
        if (cluster.spec().mode() == Cluster.Mode.YARN_SESSION) {
            yarn().start(cluster, home(version, desired), dirOf(name));
            targets.remove(name);
            writeSpec(name, SpecHash.of(cluster, desired));
            return;
        }
        if (cluster.spec().mode() == Cluster.Mode.KUBERNETES_SESSION) {
            Path dir = dirOf(name);
            FlinkHome home = home(version, desired);
            kubernetes().start(cluster, desired, home, dir, startedSpec(name).isPresent()
                    || KubernetesRegistry.deployedHere(dir));
            targets.remove(name);
            writeSpec(name, SpecHash.of(cluster, desired));
            // deployed with this spec either way; one that never answers is reported with its pods' diagnostics
            kubernetes().awaitAnswer(cluster, home, dir);
            return;
        }
        FlinkHome home = new FlinkDistributions(dataDir, maven.of(desired)).resolve(version);
        Cluster.Standalone size = cluster.spec().standalone() == null
                ? new Cluster.Standalone(null, null, null) : cluster.spec().standalone();
        Path dir = dirOf(name);
        LOG.info("cluster={} flink={} taskManagers={} slots={} starting", name, home.version(),
                size.taskManagersOrDefault(), size.slotsOrDefault());
        LocalCluster local = LocalCluster.startOrAdopt(home, size.taskManagersOrDefault(), size.slotsOrDefault(),
                cluster.spec().flinkConfiguration(), dir, options);
        try {
            local.awaitReady(READY_TIMEOUT);
        } catch (RuntimeException e) {
            local.stop();
            throw e;
        }
        LocalCluster previous = managed.put(name, local);
        if (previous != null && previous != local) {
            previous.detach();
        }
        writeSpec(name, SpecHash.of(cluster, desired));
        LOG.info("cluster={} rest={} adopted={} ready", name, local.restUrl(), local.adopted());
    }

    /** Stops a managed cluster, whether this process started it or an earlier one did. */
    @Override
    public void stop(String name) {
        LocalCluster local = managed.remove(name);
        targets.remove(name);
        if (KubernetesRegistry.deployedHere(dirOf(name))) {
            kubernetes().stop(name, dirOf(name));
        } else if (YarnRegistry.deployedHere(dirOf(name))) {
            yarn().stop(name, dirOf(name));
        } else if (local != null) {
            local.stop();
        } else {
            LocalCluster.stopLeftovers(dirOf(name), options.stopGrace());
        }
        try {
            Files.deleteIfExists(dirOf(name).resolve(SPEC_FILE));
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        LOG.info("cluster={} stopped", name);
    }

    private FlinkVersion flinkVersion(Cluster cluster, DesiredState desired) {
        return declaredVersion(cluster, desired).orElseThrow(() -> new IllegalStateException("cluster "
                + cluster.id().qualifiedName() + " has no Flink version; declare a default FlinkVersion"));
    }

    private static Optional<FlinkVersion> declaredVersion(Cluster cluster, DesiredState desired) {
        return desired.flinkVersion(cluster.spec().flinkVersion());
    }

    private Path dirOf(String name) {
        return clustersDir.resolve(name.replace('/', '_'));
    }

    private Optional<String> startedSpec(String name) {
        Path file = dirOf(name).resolve(SPEC_FILE);
        try {
            return Files.isRegularFile(file) ? Optional.of(Files.readString(file).strip()) : Optional.empty();
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    private void writeSpec(String name, String hash) {
        try {
            Files.createDirectories(dirOf(name));
            Files.writeString(dirOf(name).resolve(SPEC_FILE), hash + "\n");
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    /** Names of managed clusters that were started and not stopped (their spec file is there). */
    private List<String> managedOnDisk() {
        if (!Files.isDirectory(clustersDir)) {
            return List.of();
        }
        try (Stream<Path> dirs = Files.list(clustersDir)) {
            return dirs.filter(d -> Files.isRegularFile(d.resolve(SPEC_FILE)))
                    .map(d -> d.getFileName().toString().replace('_', '/'))
                    .toList();
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    @Override
    public Set<String> stoppedOnClose() {
        return Set.copyOf(managed.keySet());
    }

    /** Stops every managed cluster this process runs: the service's shutdown. */
    @Override
    public void close() {
        for (String name : List.copyOf(managed.keySet())) {
            LocalCluster local = managed.remove(name);
            local.stop();
        }
        if (loaders != null) {
            loaders.close();
        }
    }
}
