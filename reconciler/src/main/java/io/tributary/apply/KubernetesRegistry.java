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
import java.net.URI;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.ConcurrentHashMap;
import java.util.function.Function;
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
    private static final String HOME_KEY = ClusterBookkeeping.HOME_KEY;

    private final KubernetesClusters kubernetes;
    private final Function<String, FlinkHome> installed;
    private final Duration startupTimeout;
    private final Duration pollInterval;
    private final Map<String, URI> webUis = new ConcurrentHashMap<>();
    private final ClusterBookkeeping books = new ClusterBookkeeping(STATE_FILE, "Kubernetes");

    /**
     * @param installed a Flink home by its folder, for clusters found on disk after a restart
     */
    KubernetesRegistry(DeployerLoaders loaders, Function<String, FlinkHome> installed, Duration startupTimeout,
            Duration pollInterval) {
        this.kubernetes = new KubernetesClusters(loaders);
        this.installed = installed;
        this.startupTimeout = startupTimeout;
        this.pollInterval = pollInterval;
    }

    // ---- sessions

    /**
     * Deploys a managed session, or adopts it when this service deployed it before ({@code startedHere}:
     * its spec file is on disk). A cluster id that exists without that record belongs to someone else and
     * is reported, never deployed over (Flink would delete its JobManager).
     */
    void start(Cluster cluster, DesiredState desired, FlinkHome home, Path dir, boolean startedHere) {
        String name = cluster.id().qualifiedName();
        Map<String, String> options = KubernetesClusters.sessionOptions(cluster, home);
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
        ingress(cluster.spec().kubernetes(), desired).ifPresent(i -> webUis.put(name,
                kubernetes.createIngress(home, options, i.domain(), i.className(), i.tls())));
    }

    /** Removes a managed session's objects, from what was recorded when it was deployed. */
    void stop(String name, Path dir) {
        readState(dir).ifPresent(state -> LOG.info("cluster={} deleted objects={}", name,
                kubernetes.delete(state.home(), state.options())));
        books.forgetRestUrl(name);
        webUis.remove(name);
        books.delete(dir);
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

    Optional<URI> webUi(Cluster cluster) {
        return Optional.ofNullable(webUis.get(cluster.id().qualifiedName()));
    }

    // ---- per-app clusters

    /**
     * The target of a {@code kubernetes-application} app: its own cluster, deployed by its first submit.
     * Rebuilt when the app's Kubernetes options change; the options are recorded so the cluster can be
     * removed after the app left Git.
     */
    ApplicationClusterTarget appTarget(Application app, DesiredState desired, FlinkHome home, Path dir) {
        Map<String, String> options = KubernetesClusters.applicationOptions(app, home);
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
        KubernetesAppCluster cluster = new KubernetesAppCluster(kubernetes, home, options, artifactUrl, ingress);
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
                    }, Optional.empty());
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
}
