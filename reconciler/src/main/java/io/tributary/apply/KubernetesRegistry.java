package io.tributary.apply;

import io.tributary.flink.ApplicationClusterTarget;
import io.tributary.flink.DeployerLoaders;
import io.tributary.flink.FlinkException;
import io.tributary.flink.FlinkHome;
import io.tributary.flink.FlinkRestClient;
import io.tributary.flink.KubernetesAppCluster;
import io.tributary.flink.KubernetesClusters;
import io.tributary.model.Application;
import io.tributary.model.Cluster;
import io.tributary.model.DesiredState;
import io.tributary.model.Settings;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.URI;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.ConcurrentHashMap;
import java.util.function.Function;
import java.util.function.Predicate;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The Kubernetes half of {@link Clusters}: managed and external {@code kubernetes-session} Clusters,
 * and the per-app clusters of {@code kubernetes-application} apps. What each deployed cluster was
 * deployed with (its options and Flink home) is kept in a {@value #STATE_FILE} beside the cluster's
 * spec, so a restarted service, or a cluster or app that left Git, can still be found and removed.
 */
final class KubernetesRegistry {
    private static final Logger LOG = LoggerFactory.getLogger(KubernetesRegistry.class);
    static final String STATE_FILE = "kubernetes.properties";
    /** Why a deployed session did not answer: its JobManager pods' states, events and log tails. */
    static final String STARTUP_PROBLEM_FILE = "startup-problem.txt";
    /** The web UI's Ingress URL, so a restarted service links to it before the cluster's next deploy. */
    static final String WEB_UI_FILE = "web-ui.url";
    private static final String HOME_KEY = ClusterBookkeeping.HOME_KEY;

    private final KubernetesClusters kubernetes;
    private final Function<String, FlinkHome> installed;
    private final Duration startupTimeout;
    private final Duration pollInterval;
    private final Predicate<URI> answers;
    private final Map<String, URI> webUis = new ConcurrentHashMap<>();
    private final ClusterBookkeeping books = new ClusterBookkeeping(STATE_FILE, "Kubernetes");

    /**
     * @param installed a Flink home by its folder, for clusters found on disk after a restart
     * @param answers whether a JobManager answers on a REST address
     */
    KubernetesRegistry(DeployerLoaders loaders, Function<String, FlinkHome> installed, Duration startupTimeout,
            Duration pollInterval, Predicate<URI> answers) {
        this.kubernetes = new KubernetesClusters(loaders);
        this.installed = installed;
        this.startupTimeout = startupTimeout;
        this.pollInterval = pollInterval;
        this.answers = answers;
    }

    // ---- sessions

    /**
     * Deploys a managed session, or adopts it when this service deployed it before ({@code startedHere}:
     * its spec file is on disk). A cluster id that exists without that record belongs to someone else and
     * is reported, never deployed over (Flink would delete its JobManager).
     */
    void start(Cluster cluster, DesiredState desired, FlinkHome home, Path dir, boolean startedHere) {
        String name = cluster.id().qualifiedName();
        Map<String, String> options = KubernetesClusters.sessionOptions(cluster, home, dir);
        String id = options.get("kubernetes.cluster-id");
        if (kubernetes.exists(home, options)) {
            if (!startedHere) {
                throw new IllegalStateException("a Flink cluster with id " + id + " already exists in namespace "
                        + options.get("kubernetes.namespace") + " and Tributary did not deploy it; declare cluster "
                        + name + " with managed: false to use it, or delete it to let Tributary deploy its own");
            }
            LOG.info("cluster={} kubernetesId={} exists; adopting it", name, id);
        } else {
            URI rest = kubernetes.deploySession(home, options);
            LOG.info("cluster={} kubernetesId={} namespace={} rest={} deployed", name, id,
                    options.get("kubernetes.namespace"), rest);
        }
        books.write(dir, options, home);
        books.forgetRestUrl(name);
        Optional<KubernetesAppCluster.Ingress> ingress = ingress(cluster.spec().kubernetes(), desired);
        if (ingress.isPresent()) {
            KubernetesAppCluster.Ingress i = ingress.get();
            URI url = kubernetes.createIngress(home, options, i.domain(), i.className(), i.tls());
            webUis.put(name, url);
            recordWebUi(dir, url);
        } else {
            webUis.remove(name);
            recordWebUi(dir, null);
        }
    }

    /**
     * Waits until a deployed (or adopted) session's JobManager answers on its REST address, for at most the
     * startup timeout. One that does not is left as it is (a slow image pull may still finish) and described:
     * its JobManager pods' states, events and log tails are kept beside its spec ({@link #startupProblem})
     * and are the message of the exception thrown.
     */
    void awaitAnswer(Cluster cluster, FlinkHome home, Path dir) {
        String name = cluster.id().qualifiedName();
        Map<String, String> options = KubernetesClusters.sessionOptions(cluster, home, dir);
        Instant deadline = Instant.now().plus(startupTimeout);
        Optional<URI> url = Optional.empty();
        while (true) {
            try {
                url = kubernetes.restAddress(home, options);
            } catch (RuntimeException e) {
                LOG.debug("cluster={} REST address unknown: {}", name, e.getMessage());
            }
            if (url.isPresent() && answers.test(url.get())) {
                deleteFile(dir.resolve(STARTUP_PROBLEM_FILE));
                LOG.info("cluster={} rest={} answers", name, url.get());
                return;
            }
            if (!Instant.now().isBefore(deadline)) {
                break;
            }
            try {
                Thread.sleep(pollInterval.toMillis());
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                throw new IllegalStateException("interrupted while waiting for cluster " + name + " to answer", e);
            }
        }
        String problem = "Kubernetes session " + options.get("kubernetes.cluster-id") + " in namespace "
                + options.get("kubernetes.namespace") + " was deployed, but its JobManager did not answer on "
                + url.map(u -> "its REST address " + u).orElse("a REST address (flink-kubernetes reports none)")
                + " within " + startupTimeout.toSeconds() + "s. Its objects are left in place (a slow image pull may"
                + " still finish; the Clusters page shows it Running once it answers); fix the Cluster's spec (say,"
                + " its image) to deploy it again, or remove the Cluster to delete it. Its JobManager, as Kubernetes"
                + " describes it:\n"
                + kubernetes.diagnostics(home, options);
        try {
            Files.createDirectories(dir);
            Files.writeString(dir.resolve(STARTUP_PROBLEM_FILE), Instant.now() + "\n" + problem);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        LOG.warn("cluster={} rest={} timeout={}s not answering; diagnostics stored", name, url.orElse(null),
                startupTimeout.toSeconds());
        throw new IllegalStateException(problem);
    }

    /** Why a session deployed here did not come up, and when that was found; empty once it answered. */
    static Optional<StartupProblem> startupProblem(Path dir) {
        Path file = dir.resolve(STARTUP_PROBLEM_FILE);
        if (!Files.isRegularFile(file)) {
            return Optional.empty();
        }
        try {
            String text = Files.readString(file);
            int newline = text.indexOf('\n');
            return Optional.of(new StartupProblem(Instant.parse(text.substring(0, newline)),
                    text.substring(newline + 1)));
        } catch (IOException | RuntimeException e) {
            return Optional.empty();
        }
    }

    /**
     * Whether the session recorded in {@code dir} still has its JobManager deployment; false once it
     * was deleted outside Tributary, true while it exists or when Kubernetes cannot be asked.
     */
    boolean stillDeployed(String name, Path dir) {
        return readState(dir).map(state -> {
            try {
                boolean exists = kubernetes.exists(state.home(), state.options());
                if (!exists) {
                    LOG.warn("cluster={} kubernetesId={} was deleted outside Tributary", name,
                            state.options().get("kubernetes.cluster-id"));
                }
                return exists;
            } catch (RuntimeException e) {
                return true;
            }
        }).orElse(false);
    }

    /** Removes a managed session's objects, from what was recorded when it was deployed. */
    void stop(String name, Path dir) {
        readState(dir).ifPresent(state -> LOG.info("cluster={} deleted objects={}", name,
                kubernetes.delete(state.home(), state.options())));
        books.forgetRestUrl(name);
        webUis.remove(name);
        books.delete(dir);
        deleteFile(dir.resolve(STARTUP_PROBLEM_FILE));
        recordWebUi(dir, null);
    }

    static boolean deployedHere(Path dir) {
        return Files.isRegularFile(dir.resolve(STATE_FILE));
    }

    /**
     * The REST address of a session (managed or external, by its cluster id) as flink-kubernetes reports
     * it: the {@code -rest} Service's in-cluster name for ClusterIP, or the node port or load balancer when
     * {@code kubernetes.rest-service.exposed.type} says so. Asked once; an unknown one again after 30 s.
     */
    Optional<URI> restUrl(Cluster cluster, Function<Cluster, Optional<FlinkHome>> home) {
        return books.restUrl(cluster.id().qualifiedName(), () -> home.apply(cluster)
                .flatMap(h -> kubernetes.restAddress(h, KubernetesClusters.sessionOptions(cluster, h))));
    }

    /** The session's Ingress URL: the one created by this process, else the one recorded when it was deployed. */
    Optional<URI> webUi(Cluster cluster, Path dir) {
        return Optional.ofNullable(webUis.computeIfAbsent(cluster.id().qualifiedName(),
                n -> recordedWebUi(dir).orElse(null)));
    }

    /** The Ingress URL recorded in a cluster's folder. */
    static Optional<URI> recordedWebUi(Path dir) {
        Path file = dir.resolve(WEB_UI_FILE);
        try {
            return Files.isRegularFile(file) ? Optional.of(URI.create(Files.readString(file).strip())) : Optional.empty();
        } catch (IOException | IllegalArgumentException e) {
            LOG.warn("file={} unreadable web UI URL: {}", file, e.getMessage());
            return Optional.empty();
        }
    }

    private static void recordWebUi(Path dir, URI url) {
        if (url == null) {
            deleteFile(dir.resolve(WEB_UI_FILE));
            return;
        }
        try {
            Files.createDirectories(dir);
            Files.writeString(dir.resolve(WEB_UI_FILE), url + "\n");
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    // ---- per-app clusters

    /**
     * The target of a {@code kubernetes-application} app: its own cluster, deployed by its first submit.
     * Rebuilt when the app's Kubernetes options change; the options are recorded so the cluster can be
     * removed after the app left Git.
     */
    ApplicationClusterTarget appTarget(Application app, DesiredState desired, FlinkHome home, Path dir) {
        Map<String, String> options = KubernetesClusters.applicationOptions(app, home, dir);
        return books.appTarget(app.id().qualifiedName(), options, () -> newAppTarget(app, desired, home, dir, options));
    }

    private ApplicationClusterTarget newAppTarget(Application app, DesiredState desired, FlinkHome home, Path dir,
            Map<String, String> options) {
        Optional<Settings.Spec> settings = desired.settings().map(Settings::spec);
        Optional<String> dashboardUrl = settings.map(Settings.Spec::dashboardUrl);
        Function<String, URI> artifactUrl = sha -> URI.create(dashboardUrl.map(u -> u.replaceAll("/+$", ""))
                .orElseThrow(() -> new FlinkException.Rejected(400, "kubernetes-application pods fetch the job jar"
                        + " from <dashboardUrl>/artifacts/{sha256}, and Settings has no dashboardUrl; set"
                        + " Settings.spec.dashboardUrl to this service's URL as pods reach it, or name a jar in the"
                        + " image with pipeline.jars: local:///... in the app's flinkConfiguration"))
                + "/artifacts/" + sha);
        Optional<KubernetesAppCluster.Ingress> ingress = ingress(app.spec().deployment().kubernetes(), desired);
        KubernetesAppCluster cluster = new KubernetesAppCluster(kubernetes, home, options, artifactUrl, ingress,
                recordedWebUi(dir), url -> recordWebUi(dir, url));
        ApplicationClusterTarget target = new ApplicationClusterTarget(cluster,
                url -> FlinkRestClient.of(url.toString()), startupTimeout, pollInterval);
        books.write(dir, options, home);
        return target;
    }

    /** The target of an app that left Git, from what was recorded when it was deployed. */
    Optional<ApplicationClusterTarget> appTarget(String app, Path dir) {
        return books.appTarget(app).or(() -> readState(dir).map(state -> books.appTarget(app, state.options(), () -> {
            KubernetesAppCluster cluster = new KubernetesAppCluster(kubernetes, state.home(), state.options(),
                    sha -> {
                        throw new FlinkException.Rejected(400, "app " + app + " left Git; it is not deployed again");
                    }, Optional.empty(), recordedWebUi(dir), url -> recordWebUi(dir, url));
            return new ApplicationClusterTarget(cluster, url -> FlinkRestClient.of(url.toString()), startupTimeout,
                    pollInterval);
        })));
    }

    Optional<URI> appWebUi(String app) {
        return books.appTarget(app).map(ApplicationClusterTarget::cluster)
                .flatMap(c -> ((KubernetesAppCluster) c).webUi());
    }

    /** Forgets an app's cluster once it is removed. */
    void forgetApp(String app, Path dir) {
        books.forgetApp(app);
        books.delete(dir);
        recordWebUi(dir, null);
    }

    private static Optional<KubernetesAppCluster.Ingress> ingress(Cluster.Kubernetes k8s, DesiredState desired) {
        if (k8s == null || !k8s.ingress()) {
            return Optional.empty();
        }
        Optional<Settings.Ingress> settings = desired.settings().map(Settings::spec).map(Settings.Spec::ingress)
                .filter(i -> i.domain() != null);
        if (settings.isEmpty()) {
            LOG.warn("an ingress is asked for but Settings has no ingress.domain; no Ingress is created");
        }
        return settings.map(i -> new KubernetesAppCluster.Ingress(i.domain(), i.className(), i.tls()));
    }

    // ---- what was deployed, on disk

    private record State(Map<String, String> options, FlinkHome home) {}

    private Optional<State> readState(Path dir) {
        return books.read(dir).map(state -> {
            Map<String, String> options = new LinkedHashMap<>(state);
            String home = options.remove(HOME_KEY);
            return new State(options, installed.apply(home));
        });
    }

    private static void deleteFile(Path file) {
        try {
            Files.deleteIfExists(file);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }
}
