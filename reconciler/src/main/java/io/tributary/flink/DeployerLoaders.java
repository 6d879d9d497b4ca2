package io.tributary.flink;

import io.tributary.build.MavenArtifacts;
import java.io.IOException;
import java.lang.reflect.InvocationTargetException;
import java.lang.reflect.Method;
import java.net.MalformedURLException;
import java.net.URL;
import java.net.URLClassLoader;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Runs the deployment adapters ({@code io.tributary.sqlrunner.deploy}, compiled against Flink 1.20.1) in
 * a class loader over one Flink version's jars, so a cluster is deployed by the flink-kubernetes or
 * flink-yarn of its own version. One loader per version and module set, kept for the service's life;
 * the parent is the platform class loader, as for {@link SqlCompiler}, so neither the service's classes
 * nor its libraries are visible to Flink. Only Strings, Lists and Maps cross.
 *
 * <p>A distribution assembled from Maven has no flink-dist, which is where a real distribution keeps
 * flink-kubernetes and flink-yarn: those modules are resolved beside it, at the version's own version.
 */
public final class DeployerLoaders implements AutoCloseable {
    private static final Logger LOG = LoggerFactory.getLogger(DeployerLoaders.class);
    static final String KUBERNETES = "io.tributary.sqlrunner.deploy.KubernetesDeployer";
    static final String YARN = "io.tributary.sqlrunner.deploy.YarnDeployer";
    /** The shaded Hadoop client flink-yarn runs with when the service has no HADOOP_CLASSPATH. */
    static final String HADOOP_VERSION = "3.3.6";

    private final java.util.function.Supplier<MavenArtifacts> artifacts;
    private final Path runnerJar;
    private final Map<String, URLClassLoader> loaders = new ConcurrentHashMap<>();

    /**
     * @param artifacts where modules missing from an assembled distribution come from
     * @param runnerJar the sql-runner jar (or its classes), which holds the adapters
     */
    public DeployerLoaders(MavenArtifacts artifacts, Path runnerJar) {
        this(() -> artifacts, runnerJar);
    }

    /** As above, with the artifacts of the revision in force when a loader is first needed. */
    public DeployerLoaders(java.util.function.Supplier<MavenArtifacts> artifacts, Path runnerJar) {
        this.artifacts = artifacts;
        this.runnerJar = runnerJar;
    }

    /** Calls a static method of an adapter with Flink version {@code home}'s {@code module} (flink-kubernetes, ...). */
    Object call(FlinkHome home, String module, String adapter, String method, Object... args) {
        ClassLoader loader = loader(home, module);
        Thread thread = Thread.currentThread();
        ClassLoader previous = thread.getContextClassLoader();
        thread.setContextClassLoader(loader);
        try {
            Class<?> type = Class.forName(adapter, true, loader);
            Method target = find(type, method, args.length);
            return target.invoke(null, args);
        } catch (InvocationTargetException e) {
            Throwable cause = e.getCause();
            throw new FlinkException.Rejected(400, rootMessage(cause));
        } catch (ReflectiveOperationException e) {
            throw new IllegalStateException("the deployment adapter " + adapter + "." + method + " cannot be called"
                    + " with Flink " + home.version() + ": " + e, e);
        } finally {
            thread.setContextClassLoader(previous);
        }
    }

    private static Method find(Class<?> type, String name, int parameters) throws NoSuchMethodException {
        for (Method m : type.getMethods()) {
            if (m.getName().equals(name) && m.getParameterCount() == parameters) {
                return m;
            }
        }
        throw new NoSuchMethodException(type.getName() + "." + name + " with " + parameters + " parameters");
    }

    /** The innermost message of a failure, with the outer ones it explains, for users to read. */
    static String rootMessage(Throwable e) {
        List<String> messages = new ArrayList<>();
        for (Throwable t = e; t != null && messages.size() < 4; t = t.getCause()) {
            String m = t.getMessage() == null ? t.getClass().getSimpleName() : t.getMessage();
            if (messages.stream().noneMatch(x -> x.contains(m))) {
                messages.add(m);
            }
        }
        return String.join(": ", messages);
    }

    private ClassLoader loader(FlinkHome home, String module) {
        return loaders.computeIfAbsent(home.home() + "|" + module, key -> {
            List<Path> path = new ArrayList<>(home.libJars());
            boolean hasDist = home.libJars().stream().anyMatch(p -> p.getFileName().toString().startsWith("flink-dist"));
            if (!hasDist) {
                path.addAll(artifacts.get().resolve(List.of("org.apache.flink:" + module + ":" + home.version()), false));
            }
            if (module.equals(YarnClusters.MODULE)) {
                path.addAll(hadoopClasspath());
            }
            path.add(runnerJar);
            LOG.info("flink.version={} module={} deployer class path jars={}", home.version(), module, path.size());
            List<URL> urls = new ArrayList<>();
            for (Path p : path) {
                try {
                    urls.add(p.toUri().toURL());
                } catch (MalformedURLException e) {
                    throw new IllegalArgumentException(p.toString(), e);
                }
            }
            return new URLClassLoader("flink-" + home.version() + "-" + module, urls.toArray(new URL[0]),
                    ClassLoader.getPlatformClassLoader());
        });
    }

    /**
     * Hadoop's client jars: the service's {@code HADOOP_CLASSPATH} (what {@code hadoop classpath} prints on
     * a Hadoop host) when set, else the shaded Hadoop client from Maven.
     */
    private List<Path> hadoopClasspath() {
        String env = System.getenv("HADOOP_CLASSPATH");
        if (env != null && !env.isBlank()) {
            List<Path> jars = new ArrayList<>();
            for (String entry : env.split(java.io.File.pathSeparator)) {
                if (entry.endsWith("/*") || entry.endsWith("*")) {
                    Path dir = Path.of(entry.substring(0, entry.lastIndexOf('*')));
                    try (var files = java.nio.file.Files.list(dir)) {
                        files.filter(p -> p.toString().endsWith(".jar")).sorted().forEach(jars::add);
                    } catch (IOException e) {
                        LOG.debug("HADOOP_CLASSPATH entry {} unreadable: {}", entry, e.toString());
                    }
                } else if (!entry.isBlank()) {
                    jars.add(Path.of(entry));
                }
            }
            return jars;
        }
        return artifacts.get().resolve(List.of("org.apache.hadoop:hadoop-client-api:" + HADOOP_VERSION,
                "org.apache.hadoop:hadoop-client-runtime:" + HADOOP_VERSION, "commons-logging:commons-logging:1.1.3"),
                false);
    }

    @Override
    public void close() {
        for (URLClassLoader loader : loaders.values()) {
            try {
                loader.close();
            } catch (IOException e) {
                LOG.debug("closing a deployer class loader failed: {}", e.toString());
            }
        }
        loaders.clear();
    }
}
