package io.tributary.flink;

import io.tributary.model.Cluster;
import java.net.URI;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;

/**
 * YARN sessions and per-app clusters, deployed by the flink-yarn of the cluster's Flink version (see
 * {@link DeployerLoaders}). The Hadoop configuration comes from {@code hadoopConfDir} (the Cluster's or
 * the app's), else the service's {@code HADOOP_CONF_DIR}.
 */
public final class YarnClusters {
    static final String MODULE = "flink-yarn";

    /** A deployed YARN application: its id and the REST address Flink reported. */
    public record Deployed(String applicationId, URI restUrl) {}

    /** What YARN says about an application: its state, final status and diagnostics. */
    public record Report(String state, String finalStatus, String diagnostics) {
        public boolean ended() {
            return state.equals("FINISHED") || state.equals("FAILED") || state.equals("KILLED")
                    || state.equals("MISSING");
        }

        /** Ended by something else than its own job finishing: killed, failed, or forgotten by YARN. */
        public boolean endedBadly() {
            return ended() && !(state.equals("FINISHED") && finalStatus.equals("SUCCEEDED"));
        }
    }

    /** Flink's option naming folders in HDFS that hold lib/ and a flink-dist jar, shipped by reference. */
    public static final String PROVIDED_LIB_DIRS = "yarn.provided.lib.dirs";

    private final DeployerLoaders loaders;

    public YarnClusters(DeployerLoaders loaders) {
        this.loaders = loaders;
    }

    /** {@code hadoopConfDir} of the spec, else the service's HADOOP_CONF_DIR, else null (Hadoop's defaults). */
    public static String hadoopConfDir(Cluster.Yarn yarn) {
        if (yarn != null && yarn.hadoopConfDir() != null) {
            return yarn.hadoopConfDir();
        }
        return System.getenv("HADOOP_CONF_DIR");
    }

    /**
     * Why YARN cannot be asked with this Hadoop configuration, found without asking it: no folder at
     * all, a folder that is not there, or one without {@code yarn-site.xml}. Empty when it looks usable.
     *
     * @param field where the spec names the folder, for the message ({@code spec.deployment.yarn.hadoopConfDir})
     */
    public static Optional<String> hadoopConfProblem(Cluster.Yarn yarn, String field) {
        String dir = hadoopConfDir(yarn);
        String fix = "set " + field + " to the folder on the service's host that holds core-site.xml and"
                + " yarn-site.xml, or HADOOP_CONF_DIR in the service's environment";
        if (dir == null) {
            return Optional.of("YARN needs a Hadoop configuration and none is given: " + fix);
        }
        String source = yarn != null && yarn.hadoopConfDir() != null ? field + " " + dir : "HADOOP_CONF_DIR " + dir;
        java.nio.file.Path path = java.nio.file.Path.of(dir);
        if (!java.nio.file.Files.isDirectory(path)) {
            return Optional.of(source + " is not a folder on the service's host: " + fix);
        }
        if (!java.nio.file.Files.isRegularFile(path.resolve("yarn-site.xml"))) {
            return Optional.of(source + " has no yarn-site.xml: " + fix);
        }
        return Optional.empty();
    }

    /** Fails with {@link #hadoopConfProblem} before anything asks YARN. */
    static void requireHadoopConf(String hadoopConfDir) {
        String field = "hadoopConfDir";
        hadoopConfProblem(new Cluster.Yarn(hadoopConfDir, null, null), field)
                .ifPresent(p -> {
                    throw new FlinkException.Rejected(400, p);
                });
    }

    /**
     * The Flink options of a YARN cluster: the assembled distribution's lib/ shipped with it (a real
     * distribution's flink-dist has it all), queue and name from the spec, then {@code flinkConfiguration}.
     */
    public static Map<String, String> options(String target, String name, Cluster.Yarn yarn, FlinkHome home,
            Map<String, String> flinkConfiguration) {
        Map<String, String> options = new LinkedHashMap<>();
        options.put("execution.target", target);
        options.put("yarn.application.name", name);
        options.put("yarn.tags", "tributary");
        if (yarn != null && yarn.queue() != null) {
            options.put("yarn.application.queue", yarn.queue());
        }
        boolean hasDist = home.libJars().stream().anyMatch(p -> p.getFileName().toString().startsWith("flink-dist"));
        // yarn.provided.lib.dirs: lib/ (and a flink-dist jar) already in HDFS, cached by the NodeManagers
        if (!hasDist && !flinkConfiguration.containsKey(PROVIDED_LIB_DIRS)) {
            options.put("yarn.ship-files", home.home().resolve("lib").toString());
        }
        options.put("$internal.deployment.config-dir", home.confDir().toString());
        options.putIfAbsent("jobmanager.memory.process.size", "1600m");
        options.putIfAbsent("taskmanager.memory.process.size", "1728m");
        options.putIfAbsent("taskmanager.numberOfTaskSlots", "1");
        options.putIfAbsent("env.java.opts.all", FlinkDistributions.JAVA17_OPTIONS);
        options.putAll(flinkConfiguration);
        return options;
    }

    public Deployed deploySession(FlinkHome home, String hadoopConfDir, Map<String, String> options) {
        return deployed((String) call(home, "deploySession", hadoopConfDir, options));
    }

    public Deployed deployApplication(FlinkHome home, String hadoopConfDir, Map<String, String> options,
            List<String> args, String entryClass) {
        return deployed((String) call(home, "deployApplication", hadoopConfDir, options, List.copyOf(args), entryClass));
    }

    public Deployed deployPerJob(FlinkHome home, String hadoopConfDir, Map<String, String> options, String jar,
            List<String> args, String entryClass, int parallelism) {
        return deployed((String) call(home, "deployPerJob", hadoopConfDir, options, jar, List.copyOf(args), entryClass,
                parallelism));
    }

    public Optional<URI> restAddress(FlinkHome home, String hadoopConfDir, Map<String, String> options,
            String applicationId) {
        return Optional.ofNullable((String) read(home, "restAddress", hadoopConfDir, options, applicationId))
                .map(URI::create);
    }

    public Report report(FlinkHome home, String hadoopConfDir, String applicationId) {
        String text = (String) read(home, "report", hadoopConfDir, applicationId);
        String[] lines = text.split("\n", 2);
        String[] status = lines[0].split(" ", 2);
        return new Report(status[0], status.length > 1 ? status[1] : "", lines.length > 1 ? lines[1] : "");
    }

    public void kill(FlinkHome home, String hadoopConfDir, String applicationId) {
        call(home, "kill", hadoopConfDir, applicationId);
    }

    /** See {@link RetainedCheckpoints}: the job's newest completed {@code chk-N} in {@code directory}, read through Hadoop. */
    public Optional<RetainedCheckpoints.Found> latestCheckpoint(FlinkHome home, String hadoopConfDir, String directory,
            String jobId) {
        String text = (String) read(home, "latestCheckpoint", hadoopConfDir, directory, jobId);
        if (text == null) {
            return Optional.empty();
        }
        String[] parts = text.split(" ", 2);
        String path = parts[0];
        long id = Long.parseLong(path.substring(path.lastIndexOf("chk-") + 4));
        return Optional.of(new RetainedCheckpoints.Found(path, id, java.time.Instant.ofEpochMilli(Long.parseLong(parts[1]))));
    }

    @SuppressWarnings("unchecked")
    public List<String> runningByName(FlinkHome home, String hadoopConfDir, String name) {
        return (List<String>) read(home, "runningByName", hadoopConfDir, name);
    }

    private static Deployed deployed(String text) {
        String[] parts = text.split(" ", 2);
        return new Deployed(parts[0], URI.create(parts[1]));
    }

    private Object call(FlinkHome home, String method, Object... args) {
        String confDir = (String) args[0];
        requireHadoopConf(confDir);
        try {
            return loaders.call(home, MODULE, DeployerLoaders.YARN, method, args);
        } catch (FlinkException.Rejected e) {
            throw new FlinkException.Rejected(e.status(), e.getMessage() + " (Hadoop configuration: " + confDir
                    + "; check yarn.resourcemanager.address in its yarn-site.xml and that the ResourceManager runs)");
        }
    }

    /**
     * A question to YARN: a ResourceManager that does not answer makes the cluster unreachable (its jobs
     * LOST), never a failed pass.
     */
    private Object read(FlinkHome home, String method, Object... args) {
        try {
            return call(home, method, args);
        } catch (FlinkException.Rejected e) {
            throw new FlinkException.Unreachable("YARN cannot be asked: " + e.getMessage(), e);
        }
    }
}
