package io.tributary.sqlrunner.deploy;

import java.io.File;
import java.util.List;
import java.util.Map;
import org.apache.flink.client.deployment.ClusterSpecification;
import org.apache.flink.client.deployment.application.ApplicationConfiguration;
import org.apache.flink.client.program.ClusterClient;
import org.apache.flink.client.program.ClusterClientProvider;
import org.apache.flink.client.program.PackagedProgram;
import org.apache.flink.client.program.PackagedProgramUtils;
import org.apache.flink.configuration.Configuration;
import org.apache.flink.runtime.jobgraph.JobGraph;
import org.apache.flink.runtime.jobgraph.SavepointConfigOptions;
import org.apache.flink.runtime.jobgraph.SavepointRestoreSettings;
import org.apache.flink.api.common.JobID;
import org.apache.flink.yarn.YarnClientYarnClusterInformationRetriever;
import org.apache.flink.yarn.YarnClusterClientFactory;
import org.apache.flink.yarn.YarnClusterDescriptor;
import org.apache.hadoop.fs.Path;
import org.apache.hadoop.yarn.api.records.ApplicationId;
import org.apache.hadoop.yarn.api.records.ApplicationReport;
import org.apache.hadoop.yarn.client.api.YarnClient;
import org.apache.hadoop.yarn.conf.YarnConfiguration;

/**
 * YARN sessions, application and per-job clusters through the flink-yarn of the cluster's Flink
 * version, loaded like {@link KubernetesDeployer} and called with Strings, Lists and Maps only.
 *
 * <p>Every method takes the Hadoop configuration folder ({@code core-site.xml}, {@code yarn-site.xml},
 * {@code hdfs-site.xml}) and the cluster's whole Flink configuration. A deploy returns
 * {@code <applicationId> <restAddress>}.
 */
public final class YarnDeployer {

    private YarnDeployer() {}

    public static String deploySession(String hadoopConfDir, Map<String, String> options) throws Exception {
        Configuration config = Configuration.fromMap(options);
        try (YarnClusterDescriptor descriptor = descriptor(hadoopConfDir, config)) {
            return describe(descriptor.deploySessionCluster(specification(config)));
        }
    }

    /** An application cluster running the jar in {@code pipeline.jars} (a local file, shipped by YARN). */
    public static String deployApplication(String hadoopConfDir, Map<String, String> options, List<String> args,
            String entryClass) throws Exception {
        Configuration config = Configuration.fromMap(options);
        ApplicationConfiguration application = new ApplicationConfiguration(args.toArray(new String[0]), entryClass);
        try (YarnClusterDescriptor descriptor = descriptor(hadoopConfDir, config)) {
            return describe(descriptor.deployApplicationCluster(specification(config), application));
        }
    }

    /**
     * A per-job cluster (Flink 1.x): the job graph is built here, from the jar, under the JobID in
     * {@code $internal.pipeline.job-id}, restored from {@code execution.savepoint.path} when set.
     */
    public static String deployPerJob(String hadoopConfDir, Map<String, String> options, String jar,
            List<String> args, String entryClass, int parallelism) throws Exception {
        Configuration config = Configuration.fromMap(options);
        PackagedProgram.Builder builder = PackagedProgram.newBuilder()
                .setJarFile(new File(jar))
                .setArguments(args.toArray(new String[0]))
                .setConfiguration(config)
                .setSavepointRestoreSettings(SavepointRestoreSettings.fromConfiguration(config));
        if (entryClass != null) {
            builder.setEntryPointClassName(entryClass);
        }
        PackagedProgram program = builder.build();
        try {
            String fixed = options.get("$internal.pipeline.job-id");
            JobGraph graph = PackagedProgramUtils.createJobGraph(program, config, parallelism,
                    fixed == null ? null : JobID.fromHexString(fixed), false);
            try (YarnClusterDescriptor descriptor = descriptor(hadoopConfDir, config)) {
                return describe(descriptor.deployJobCluster(specification(config), graph, true));
            }
        } finally {
            program.close();
        }
    }

    /** The REST address of a running YARN application, or null when it is not a running Flink cluster. */
    public static String restAddress(String hadoopConfDir, Map<String, String> options, String applicationId) {
        Configuration config = Configuration.fromMap(options);
        try (YarnClusterDescriptor descriptor = descriptor(hadoopConfDir, config)) {
            ClusterClientProvider<ApplicationId> provider = descriptor.retrieve(ApplicationId.fromString(applicationId));
            try (ClusterClient<ApplicationId> client = provider.getClusterClient()) {
                return client.getWebInterfaceURL();
            }
        } catch (Exception e) {
            return null;
        }
    }

    /**
     * The YARN application's report: {@code state finalStatus}, then a line with YARN's diagnostics;
     * {@code MISSING} when YARN does not know it.
     */
    public static String report(String hadoopConfDir, String applicationId) throws Exception {
        try (YarnClient yarn = yarnClient(hadoopConfDir)) {
            ApplicationReport report = yarn.getApplicationReport(ApplicationId.fromString(applicationId));
            String diagnostics = report.getDiagnostics() == null ? "" : report.getDiagnostics().strip();
            return report.getYarnApplicationState() + " " + report.getFinalApplicationStatus() + "\n" + diagnostics;
        } catch (org.apache.hadoop.yarn.exceptions.ApplicationNotFoundException e) {
            return "MISSING UNDEFINED\n" + e.getMessage();
        }
    }

    /** Kills a YARN application; nothing when it ended already. */
    public static void kill(String hadoopConfDir, String applicationId) throws Exception {
        try (YarnClient yarn = yarnClient(hadoopConfDir)) {
            ApplicationReport report = yarn.getApplicationReport(ApplicationId.fromString(applicationId));
            switch (report.getYarnApplicationState()) {
                case FINISHED:
                case FAILED:
                case KILLED:
                    return;
                default:
                    yarn.killApplication(ApplicationId.fromString(applicationId));
            }
        } catch (org.apache.hadoop.yarn.exceptions.ApplicationNotFoundException e) {
            // gone already
        }
    }

    /** Running YARN applications with this name (Tributary names them after the app), as ids. */
    public static List<String> runningByName(String hadoopConfDir, String name) throws Exception {
        try (YarnClient yarn = yarnClient(hadoopConfDir)) {
            return yarn.getApplications(java.util.EnumSet.of(
                    org.apache.hadoop.yarn.api.records.YarnApplicationState.NEW,
                    org.apache.hadoop.yarn.api.records.YarnApplicationState.NEW_SAVING,
                    org.apache.hadoop.yarn.api.records.YarnApplicationState.SUBMITTED,
                    org.apache.hadoop.yarn.api.records.YarnApplicationState.ACCEPTED,
                    org.apache.hadoop.yarn.api.records.YarnApplicationState.RUNNING)).stream()
                    .filter(r -> name.equals(r.getName()))
                    .map(r -> r.getApplicationId().toString())
                    .toList();
        }
    }

    /**
     * The highest {@code <directory>/<jobId>/chk-N} whose {@code _metadata} exists, in the file system
     * the Hadoop configuration names (HDFS): {@code <qualified path> <completion epoch ms>}, or null
     * when the job left none there.
     */
    public static String latestCheckpoint(String hadoopConfDir, String directory, String jobId) throws Exception {
        Path jobDir = new Path(new Path(directory), jobId);
        org.apache.hadoop.fs.FileSystem fs = jobDir.getFileSystem(yarnConfiguration(hadoopConfDir));
        if (!fs.exists(jobDir)) {
            return null;
        }
        long best = -1;
        org.apache.hadoop.fs.FileStatus bestMetadata = null;
        for (org.apache.hadoop.fs.FileStatus entry : fs.listStatus(jobDir)) {
            String name = entry.getPath().getName();
            if (!entry.isDirectory() || !name.matches("chk-\\d+")) {
                continue;
            }
            long id = Long.parseLong(name.substring(4));
            Path metadata = new Path(entry.getPath(), "_metadata");
            if (id > best && fs.exists(metadata)) {
                best = id;
                bestMetadata = fs.getFileStatus(metadata);
            }
        }
        return bestMetadata == null ? null
                : fs.makeQualified(bestMetadata.getPath().getParent()) + " " + bestMetadata.getModificationTime();
    }

    private static String describe(ClusterClientProvider<ApplicationId> provider) {
        try (ClusterClient<ApplicationId> client = provider.getClusterClient()) {
            return client.getClusterId() + " " + client.getWebInterfaceURL();
        }
    }

    private static YarnClusterDescriptor descriptor(String hadoopConfDir, Configuration config) {
        YarnConfiguration yarnConfig = yarnConfiguration(hadoopConfDir);
        YarnClient yarn = YarnClient.createYarnClient();
        yarn.init(yarnConfig);
        yarn.start();
        return new YarnClusterDescriptor(config, yarnConfig, yarn,
                YarnClientYarnClusterInformationRetriever.create(yarn), false);
    }

    private static YarnClient yarnClient(String hadoopConfDir) {
        YarnClient yarn = YarnClient.createYarnClient();
        yarn.init(yarnConfiguration(hadoopConfDir));
        yarn.start();
        return yarn;
    }

    private static YarnConfiguration yarnConfiguration(String hadoopConfDir) {
        YarnConfiguration config = new YarnConfiguration();
        if (hadoopConfDir != null) {
            for (String file : List.of("core-site.xml", "hdfs-site.xml", "yarn-site.xml")) {
                File f = new File(hadoopConfDir, file);
                if (f.isFile()) {
                    config.addResource(new Path(f.toURI()));
                }
            }
        }
        // Hadoop's default is to retry a ResourceManager that does not answer for 15 minutes; a
        // reconciler pass or a deploy must fail sooner, with the error, unless the folder asks otherwise
        longIfDefault(config, YarnConfiguration.RESOURCEMANAGER_CONNECT_MAX_WAIT_MS, 30_000L);
        longIfDefault(config, YarnConfiguration.RESOURCEMANAGER_CONNECT_RETRY_INTERVAL_MS, 2_000L);
        return config;
    }

    private static void longIfDefault(YarnConfiguration config, String key, long value) {
        String[] sources = config.getPropertySources(key);
        boolean onlyDefault = sources == null || java.util.Arrays.stream(sources).allMatch(src -> src.endsWith("-default.xml"));
        if (onlyDefault) {
            config.setLong(key, value);
        }
    }

    private static ClusterSpecification specification(Configuration config) {
        return new YarnClusterClientFactory().getClusterSpecification(config);
    }

    @SuppressWarnings("unused")
    private static final String SAVEPOINT_PATH = SavepointConfigOptions.SAVEPOINT_PATH.key();
}
