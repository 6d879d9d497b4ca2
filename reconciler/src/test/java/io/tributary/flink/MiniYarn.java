package io.tributary.flink;

import io.tributary.build.MavenArtifacts;
import java.io.IOException;
import java.io.OutputStream;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import org.apache.hadoop.conf.Configuration;
import org.apache.hadoop.hdfs.MiniDFSCluster;
import org.apache.hadoop.yarn.api.records.ApplicationId;
import org.apache.hadoop.yarn.api.records.ApplicationReport;
import org.apache.hadoop.yarn.client.api.YarnClient;
import org.apache.hadoop.yarn.conf.YarnConfiguration;
import org.apache.hadoop.yarn.server.MiniYARNCluster;
import org.apache.hadoop.yarn.server.resourcemanager.scheduler.fifo.FifoScheduler;

/**
 * One real MiniDFSCluster + MiniYARNCluster per test JVM, shared by every YARN integration test
 * (starting one takes half a minute and 1.5 GB): started by the first test that asks, stopped when
 * the JVM ends. {@link #hadoopConfDir()} is what a user's {@code hadoopConfDir} would be.
 */
public final class MiniYarn {
    private static MiniYarn shared;

    private final Path dir;
    private final MiniDFSCluster dfs;
    private final MiniYARNCluster yarn;
    private final Path hadoopConf;

    /** The shared minicluster, started on first use. */
    public static synchronized MiniYarn shared(MavenArtifacts artifacts) {
        if (shared == null) {
            try {
                shared = new MiniYarn(artifacts, Files.createTempDirectory(
                        Files.createDirectories(Path.of("target")), "mini-yarn-").toAbsolutePath());
            } catch (IOException e) {
                throw new UncheckedIOException(e);
            }
            Runtime.getRuntime().addShutdownHook(new Thread(shared::stop, "mini-yarn-stop"));
        }
        return shared;
    }

    private MiniYarn(MavenArtifacts artifacts, Path dir) throws IOException {
        this.dir = dir;
        Configuration conf = new YarnConfiguration();
        conf.set(MiniDFSCluster.HDFS_MINIDFS_BASEDIR, dir.resolve("dfs").toString());
        dfs = new MiniDFSCluster.Builder(conf).numDataNodes(1).build();
        conf.set("fs.defaultFS", dfs.getFileSystem().getUri().toString());
        conf.setInt(YarnConfiguration.RM_SCHEDULER_MINIMUM_ALLOCATION_MB, 256);
        conf.setClass(YarnConfiguration.RM_SCHEDULER, FifoScheduler.class, Object.class);
        conf.setBoolean(YarnConfiguration.NM_PMEM_CHECK_ENABLED, false);
        conf.setBoolean(YarnConfiguration.NM_VMEM_CHECK_ENABLED, false);
        conf.setInt(YarnConfiguration.NM_PMEM_MB, 6144);
        conf.setInt(YarnConfiguration.RM_MAX_COMPLETED_APPLICATIONS, 100);
        // the containers' Hadoop: the shaded client the adapter uses too
        List<Path> hadoopJars = artifacts.resolve(List.of("org.apache.hadoop:hadoop-client-api:3.3.6",
                "org.apache.hadoop:hadoop-client-runtime:3.3.6", "commons-logging:commons-logging:1.1.3"), false);
        conf.set(YarnConfiguration.YARN_APPLICATION_CLASSPATH, String.join(",",
                hadoopJars.stream().map(Path::toString).toList()));
        yarn = new MiniYARNCluster("tributary", 1, 1, 1);
        yarn.init(conf);
        yarn.start();
        hadoopConf = Files.createDirectories(dir.resolve("hadoop-conf"));
        // containers read the ResourceManager's address from a yarn-site.xml on their class path: this one
        Configuration client = new Configuration(yarn.getConfig());
        // the minicluster's rack mapping is a class of Hadoop's tests, which containers do not have
        client.set("net.topology.node.switch.mapping.impl", "org.apache.hadoop.net.ScriptBasedMapping");
        client.set(YarnConfiguration.YARN_APPLICATION_CLASSPATH, hadoopConf + ","
                + yarn.getConfig().get(YarnConfiguration.YARN_APPLICATION_CLASSPATH));
        for (String file : List.of("core-site.xml", "yarn-site.xml")) {
            try (OutputStream out = Files.newOutputStream(hadoopConf.resolve(file))) {
                client.writeXml(out);
            }
        }
    }

    /** A folder with the minicluster's core-site.xml and yarn-site.xml. */
    public Path hadoopConfDir() {
        return hadoopConf;
    }

    /** A folder of this minicluster's run for a test's files (checkpoints, savepoints). */
    public Path dir(String name) {
        try {
            return Files.createDirectories(dir.resolve(name));
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    /**
     * The distribution's lib/ and the deployer's flink-yarn jar (standing in as flink-dist) in HDFS, once,
     * for {@code yarn.provided.lib.dirs}: deploys then ship nothing of Flink's own and the NodeManager
     * localizes it once, instead of 165 MB per deploy.
     */
    public synchronized String providedLib(String version, MavenArtifacts artifacts) {
        FlinkHome home = new FlinkDistributions(Path.of("target", "k8s-it-data"), artifacts).resolveVersion(version);
        String dir = "/flink/" + home.version() + "/lib";
        try {
            org.apache.hadoop.fs.FileSystem fs = dfs.getFileSystem();
            org.apache.hadoop.fs.Path target = new org.apache.hadoop.fs.Path(dir);
            if (!fs.exists(target)) {
                fs.mkdirs(target);
                for (Path jar : home.libJars()) {
                    fs.copyFromLocalFile(new org.apache.hadoop.fs.Path(jar.toUri()),
                            new org.apache.hadoop.fs.Path(target, jar.getFileName().toString()));
                }
                Path yarnJar = artifacts.resolve(List.of("org.apache.flink:flink-yarn:" + home.version()), false).get(0);
                fs.copyFromLocalFile(new org.apache.hadoop.fs.Path(yarnJar.toUri()),
                        new org.apache.hadoop.fs.Path(target, "flink-dist-yarn-" + home.version() + ".jar"));
            }
            return fs.getUri() + dir;
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    /** A folder in the minicluster's HDFS, as the URI Flink and Hadoop take ({@code hdfs://localhost:port/name}). */
    public String hdfsDir(String name) {
        try {
            return dfs.getFileSystem().getUri() + "/" + name;
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    /** The names of the folders in HDFS folder {@code dir} that hold a file named {@code file}; none when it is missing. */
    public List<String> foldersHolding(String dir, String file) {
        try {
            org.apache.hadoop.fs.FileSystem fs = dfs.getFileSystem();
            org.apache.hadoop.fs.Path path = new org.apache.hadoop.fs.Path(dir);
            if (!fs.exists(path)) {
                return List.of();
            }
            List<String> names = new java.util.ArrayList<>();
            for (org.apache.hadoop.fs.FileStatus entry : fs.listStatus(path)) {
                if (entry.isDirectory() && fs.exists(new org.apache.hadoop.fs.Path(entry.getPath(), file))) {
                    names.add(entry.getPath().getName());
                }
            }
            return names;
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    /** Kills a YARN application from outside Tributary, as {@code yarn application -kill} would. */
    public void kill(String applicationId) {
        try (YarnClient client = client()) {
            client.killApplication(ApplicationId.fromString(applicationId));
        } catch (Exception e) {
            throw new IllegalStateException(e);
        }
    }

    /** YARN's state of an application: RUNNING, FINISHED, KILLED, ... */
    public String state(String applicationId) {
        try (YarnClient client = client()) {
            ApplicationReport report = client.getApplicationReport(ApplicationId.fromString(applicationId));
            return report.getYarnApplicationState().name();
        } catch (Exception e) {
            throw new IllegalStateException(e);
        }
    }

    /** Running applications of this name. */
    public List<String> running(String name) {
        try (YarnClient client = client()) {
            return client.getApplications(java.util.EnumSet.of(
                    org.apache.hadoop.yarn.api.records.YarnApplicationState.ACCEPTED,
                    org.apache.hadoop.yarn.api.records.YarnApplicationState.RUNNING)).stream()
                    .filter(r -> r.getName().equals(name)).map(r -> r.getApplicationId().toString()).toList();
        } catch (Exception e) {
            throw new IllegalStateException(e);
        }
    }

    private YarnClient client() {
        YarnClient client = YarnClient.createYarnClient();
        client.init(yarn.getConfig());
        client.start();
        return client;
    }

    private void stop() {
        yarn.stop();
        dfs.shutdown();
    }
}
