package io.tributary.apply;

import io.tributary.flink.ApplicationClusterTarget;
import io.tributary.flink.DeployerLoaders;
import io.tributary.flink.FlinkHome;
import io.tributary.flink.FlinkRestClient;
import io.tributary.flink.YarnAppCluster;
import io.tributary.flink.YarnClusters;
import io.tributary.model.Application;
import io.tributary.model.Cluster;
import java.io.IOException;
import java.io.Reader;
import java.io.UncheckedIOException;
import java.io.Writer;
import java.net.URI;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Optional;
import java.util.Properties;
import java.util.TreeMap;
import java.util.concurrent.ConcurrentHashMap;
import java.util.function.Function;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The YARN half of {@link Clusters}: managed {@code yarn-session} Clusters (deployed, then adopted by
 * the application id recorded in {@value #STATE_FILE}), external ones (adopted by
 * {@code yarn.applicationId}), and the per-app YARN applications of {@code yarn-application} and
 * {@code yarn-per-job} apps.
 */
final class YarnRegistry {
    private static final Logger LOG = LoggerFactory.getLogger(YarnRegistry.class);
    static final String STATE_FILE = "yarn.properties";
    private static final String HOME_KEY = "tributary.flink-home";
    private static final String CONF_KEY = "tributary.hadoop-conf-dir";
    private static final String APP_ID_KEY = "tributary.application-id";
    private static final String REST_KEY = "tributary.rest-address";
    private static final String PER_JOB_KEY = "tributary.per-job";
    private static final Duration NEGATIVE_CACHE = Duration.ofSeconds(30);

    private final YarnClusters yarn;
    private final Function<String, FlinkHome> installed;
    private final Duration startupTimeout;
    private final Duration pollInterval;
    private final Map<String, Optional<URI>> restUrls = new ConcurrentHashMap<>();
    private final Map<String, Instant> unknownSince = new ConcurrentHashMap<>();
    private final Map<String, AppTarget> appTargets = new ConcurrentHashMap<>();

    private record AppTarget(Map<String, String> options, ApplicationClusterTarget target) {}

    YarnRegistry(DeployerLoaders loaders, Function<String, FlinkHome> installed, Duration startupTimeout,
            Duration pollInterval) {
        this.yarn = new YarnClusters(loaders);
        this.installed = installed;
        this.startupTimeout = startupTimeout;
        this.pollInterval = pollInterval;
    }

    static boolean deployedHere(Path dir) {
        return Files.isRegularFile(dir.resolve(STATE_FILE));
    }

    // ---- sessions

    /** Deploys a managed session, or adopts the one recorded when it still runs in YARN. */
    void start(Cluster cluster, FlinkHome home, Path dir) {
        String name = cluster.id().qualifiedName();
        String confDir = YarnClusters.hadoopConfDir(cluster.spec().yarn());
        YarnClusters.hadoopConfProblem(cluster.spec().yarn(), "cluster " + name + "'s spec.yarn.hadoopConfDir")
                .ifPresent(p -> {
                    throw new IllegalStateException(p);
                });
        Map<String, String> options = YarnClusters.options("yarn-session", name, cluster.spec().yarn(), home,
                cluster.spec().flinkConfiguration());
        Optional<Map<String, String>> recorded = read(dir);
        if (recorded.isPresent() && recorded.get().get(APP_ID_KEY) != null
                && !yarn.report(home, confDir, recorded.get().get(APP_ID_KEY)).ended()) {
            LOG.info("cluster={} yarn.application={} still runs; adopting it", name, recorded.get().get(APP_ID_KEY));
            restUrls.remove(name);
            return;
        }
        YarnClusters.Deployed deployed = yarn.deploySession(home, confDir, options);
        Map<String, String> state = new LinkedHashMap<>(options);
        state.put(APP_ID_KEY, deployed.applicationId());
        state.put(REST_KEY, deployed.restUrl().toString());
        write(dir, state, home, confDir);
        restUrls.put(name, Optional.of(deployed.restUrl()));
        LOG.info("cluster={} yarn.application={} rest={} deployed", name, deployed.applicationId(), deployed.restUrl());
    }

    /** Ends a managed session's YARN application. */
    void stop(String name, Path dir) {
        read(dir).ifPresent(state -> {
            String id = state.get(APP_ID_KEY);
            if (id != null) {
                yarn.kill(installed.apply(state.get(HOME_KEY)), state.get(CONF_KEY), id);
                LOG.info("cluster={} yarn.application={} ended", name, id);
            }
        });
        restUrls.remove(name);
        delete(dir);
    }

    /** A session's REST address: recorded at deploy (managed), or asked of YARN by applicationId (external). */
    Optional<URI> restUrl(Cluster cluster, Path dir, Function<Cluster, Optional<FlinkHome>> home) {
        String name = cluster.id().qualifiedName();
        Optional<URI> known = restUrls.get(name);
        if (known != null && known.isPresent()) {
            return known;
        }
        Instant since = unknownSince.get(name);
        if (since != null && Instant.now().isBefore(since.plus(NEGATIVE_CACHE))) {
            return Optional.empty();
        }
        Optional<URI> url = Optional.empty();
        try {
            Optional<Map<String, String>> state = read(dir);
            String appId = cluster.spec().managed() ? state.map(s -> s.get(APP_ID_KEY)).orElse(null)
                    : cluster.spec().yarn() == null ? null : cluster.spec().yarn().applicationId();
            if (appId != null) {
                Optional<FlinkHome> h = home.apply(cluster);
                if (h.isPresent()) {
                    url = yarn.restAddress(h.get(), YarnClusters.hadoopConfDir(cluster.spec().yarn()),
                            YarnClusters.options("yarn-session", name, cluster.spec().yarn(), h.get(),
                                    cluster.spec().flinkConfiguration()), appId);
                }
            }
        } catch (RuntimeException e) {
            LOG.warn("cluster={} REST address unknown: {}", name, e.getMessage());
        }
        restUrls.put(name, url);
        if (url.isEmpty()) {
            unknownSince.put(name, Instant.now());
        } else {
            unknownSince.remove(name);
        }
        return url;
    }

    // ---- per-app

    ApplicationClusterTarget appTarget(Application app, FlinkHome home, Path dir) {
        boolean perJob = app.spec().deployment().mode() == Application.DeploymentMode.YARN_PER_JOB;
        Cluster.Yarn spec = app.spec().deployment().yarn();
        Map<String, String> options = YarnClusters.options(perJob ? "yarn-per-job" : "yarn-application",
                app.id().qualifiedName(), spec, home, app.spec().flinkConfiguration());
        AppTarget current = appTargets.get(app.id().qualifiedName());
        if (current != null && current.options().equals(options)) {
            return current.target();
        }
        String confDir = YarnClusters.hadoopConfDir(spec);
        Map<String, String> state = new LinkedHashMap<>(options);
        state.put(PER_JOB_KEY, Boolean.toString(perJob));
        write(dir, state, home, confDir);
        ApplicationClusterTarget target = target(home, confDir, options, perJob);
        appTargets.put(app.id().qualifiedName(), new AppTarget(options, target));
        return target;
    }

    /** The target of an app that left Git, from what was recorded. */
    Optional<ApplicationClusterTarget> appTarget(String app, Path dir) {
        AppTarget current = appTargets.get(app);
        if (current != null) {
            return Optional.of(current.target());
        }
        return read(dir).map(state -> {
            Map<String, String> options = new LinkedHashMap<>(state);
            FlinkHome home = installed.apply(options.remove(HOME_KEY));
            String confDir = options.remove(CONF_KEY);
            boolean perJob = Boolean.parseBoolean(options.remove(PER_JOB_KEY));
            ApplicationClusterTarget target = target(home, confDir, options, perJob);
            appTargets.put(app, new AppTarget(options, target));
            return target;
        });
    }

    private ApplicationClusterTarget target(FlinkHome home, String confDir, Map<String, String> options,
            boolean perJob) {
        YarnAppCluster cluster = new YarnAppCluster(yarn, home, confDir, options, perJob, startupTimeout);
        return new ApplicationClusterTarget(cluster, url -> FlinkRestClient.of(url.toString()), startupTimeout,
                pollInterval);
    }

    // ---- state on disk

    private static void write(Path dir, Map<String, String> state, FlinkHome home, String confDir) {
        Properties p = new Properties();
        p.putAll(new TreeMap<>(state));
        p.setProperty(HOME_KEY, home.home().toString());
        if (confDir != null) {
            p.setProperty(CONF_KEY, confDir);
        }
        try {
            Files.createDirectories(dir);
            try (Writer w = Files.newBufferedWriter(dir.resolve(STATE_FILE))) {
                p.store(w, "written by Tributary: what this YARN cluster was deployed with");
            }
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    private static Optional<Map<String, String>> read(Path dir) {
        Path file = dir.resolve(STATE_FILE);
        if (!Files.isRegularFile(file)) {
            return Optional.empty();
        }
        Properties p = new Properties();
        try (Reader r = Files.newBufferedReader(file)) {
            p.load(r);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        Map<String, String> state = new LinkedHashMap<>();
        p.stringPropertyNames().forEach(k -> state.put(k, p.getProperty(k)));
        return Optional.of(state);
    }

    private static void delete(Path dir) {
        try {
            Files.deleteIfExists(dir.resolve(STATE_FILE));
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }
}
