package io.tributary.apply;

import io.tributary.flink.ApplicationClusterTarget;
import io.tributary.flink.DeployerLoaders;
import io.tributary.flink.FlinkHome;
import io.tributary.flink.FlinkException;
import io.tributary.flink.FlinkRestClient;
import io.tributary.flink.RetainedCheckpoints;
import io.tributary.flink.YarnAppCluster;
import io.tributary.flink.YarnClusters;
import io.tributary.model.Application;
import io.tributary.model.Cluster;
import java.net.URI;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Optional;
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
    private static final String HOME_KEY = ClusterBookkeeping.HOME_KEY;
    private static final String CONF_KEY = "tributary.hadoop-conf-dir";
    private static final String APP_ID_KEY = "tributary.application-id";
    private static final String REST_KEY = "tributary.rest-address";
    private static final String PER_JOB_KEY = "tributary.per-job";

    private final YarnClusters yarn;
    private final Function<String, FlinkHome> installed;
    private final Duration startupTimeout;
    private final Duration pollInterval;
    private final ClusterBookkeeping books = new ClusterBookkeeping(STATE_FILE, "YARN");

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
        Optional<Map<String, String>> recorded = books.read(dir);
        if (recorded.isPresent() && recorded.get().get(APP_ID_KEY) != null
                && !yarn.report(home, confDir, recorded.get().get(APP_ID_KEY)).ended()) {
            LOG.info("cluster={} yarn.application={} still runs; adopting it", name, recorded.get().get(APP_ID_KEY));
            books.forgetRestUrl(name);
            return;
        }
        YarnClusters.Deployed deployed = yarn.deploySession(home, confDir, options);
        Map<String, String> state = new LinkedHashMap<>(options);
        state.put(APP_ID_KEY, deployed.applicationId());
        state.put(REST_KEY, deployed.restUrl().toString());
        write(dir, state, home, confDir);
        books.rememberRestUrl(name, deployed.restUrl());
        LOG.info("cluster={} yarn.application={} rest={} deployed", name, deployed.applicationId(), deployed.restUrl());
    }

    /** Ends a managed session's YARN application. */
    void stop(String name, Path dir) {
        books.read(dir).ifPresent(state -> {
            String id = state.get(APP_ID_KEY);
            if (id != null) {
                yarn.kill(installed.apply(state.get(HOME_KEY)), state.get(CONF_KEY), id);
                LOG.info("cluster={} yarn.application={} ended", name, id);
            }
        });
        books.forgetRestUrl(name);
        books.delete(dir);
    }

    /**
     * Whether the session YARN application recorded in {@code dir} ended (killed, failed, or forgotten
     * by YARN); false while it runs or when YARN cannot be asked.
     */
    boolean ended(String name, Path dir) {
        Optional<Map<String, String>> state = books.read(dir);
        String id = state.map(s -> s.get(APP_ID_KEY)).orElse(null);
        if (id == null) {
            return false;
        }
        try {
            YarnClusters.Report report = yarn.report(installed.apply(state.get().get(HOME_KEY)), state.get().get(CONF_KEY), id);
            if (report.ended()) {
                LOG.warn("cluster={} yarn.application={} ended outside Tributary: {} {} {}", name, id, report.state(),
                        report.finalStatus(), report.diagnostics());
            }
            return report.ended();
        } catch (FlinkException e) {
            return false;
        }
    }

    /** A session's REST address: recorded at deploy (managed), or asked of YARN by applicationId (external). */
    Optional<URI> restUrl(Cluster cluster, Path dir, Function<Cluster, Optional<FlinkHome>> home) {
        String name = cluster.id().qualifiedName();
        return books.restUrl(name, () -> {
            String appId = cluster.spec().managed() ? books.read(dir).map(s -> s.get(APP_ID_KEY)).orElse(null)
                    : cluster.spec().yarn() == null ? null : cluster.spec().yarn().applicationId();
            if (appId == null) {
                return Optional.empty();
            }
            return home.apply(cluster).flatMap(h -> yarn.restAddress(h, YarnClusters.hadoopConfDir(cluster.spec().yarn()),
                    YarnClusters.options("yarn-session", name, cluster.spec().yarn(), h,
                            cluster.spec().flinkConfiguration()), appId));
        });
    }

    // ---- per-app

    ApplicationClusterTarget appTarget(Application app, FlinkHome home, Path dir) {
        boolean perJob = app.spec().deployment().mode() == Application.DeploymentMode.YARN_PER_JOB;
        Cluster.Yarn spec = app.spec().deployment().yarn();
        Map<String, String> options = YarnClusters.options(perJob ? "yarn-per-job" : "yarn-application",
                app.id().qualifiedName(), spec, home, app.spec().flinkConfiguration());
        return books.appTarget(app.id().qualifiedName(), options, () -> {
            String confDir = YarnClusters.hadoopConfDir(spec);
            Map<String, String> state = new LinkedHashMap<>(options);
            state.put(PER_JOB_KEY, Boolean.toString(perJob));
            write(dir, state, home, confDir);
            return target(home, confDir, options, perJob);
        });
    }

    /** The target of an app that left Git, from what was recorded. */
    Optional<ApplicationClusterTarget> appTarget(String app, Path dir) {
        return books.appTarget(app).or(() -> books.read(dir).map(state -> {
            Map<String, String> options = new LinkedHashMap<>(state);
            FlinkHome home = installed.apply(options.remove(HOME_KEY));
            String confDir = options.remove(CONF_KEY);
            boolean perJob = Boolean.parseBoolean(options.remove(PER_JOB_KEY));
            return books.appTarget(app, options, () -> target(home, confDir, options, perJob));
        }));
    }

    private ApplicationClusterTarget target(FlinkHome home, String confDir, Map<String, String> options,
            boolean perJob) {
        YarnAppCluster cluster = new YarnAppCluster(yarn, home, confDir, options, perJob, startupTimeout);
        return new ApplicationClusterTarget(cluster, url -> FlinkRestClient.of(url.toString()), startupTimeout,
                pollInterval);
    }

    // ---- what a cluster deployed here left

    /** See {@link YarnClusters#latestCheckpoint}, with the Flink version and Hadoop configuration the cluster in {@code dir} was deployed with. */
    Optional<RetainedCheckpoints.Found> latestCheckpoint(Path dir, String directory, String jobId) {
        Optional<Map<String, String>> state = books.read(dir);
        if (state.isEmpty()) {
            return Optional.empty();
        }
        try {
            return yarn.latestCheckpoint(installed.apply(state.get().get(HOME_KEY)), state.get().get(CONF_KEY), directory,
                    jobId);
        } catch (FlinkException e) {
            LOG.warn("job={} checkpoints in {} cannot be read: {}", jobId, directory, e.getMessage());
            return Optional.empty();
        }
    }

    // ---- state on disk

    private void write(Path dir, Map<String, String> state, FlinkHome home, String confDir) {
        Map<String, String> all = new LinkedHashMap<>(state);
        if (confDir != null) {
            all.put(CONF_KEY, confDir);
        }
        books.write(dir, all, home);
    }
}
