package io.tributary.flink;

import java.io.IOException;
import java.lang.reflect.InvocationTargetException;
import java.lang.reflect.Method;
import java.net.MalformedURLException;
import java.net.URL;
import java.net.URLClassLoader;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Iterator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Compiles SQL scripts with the real planner of a Flink version, in one JVM with several versions.
 *
 * <p>Each distinct class path (a version's lib jars, the sql-runner jar, the app's dependency jars)
 * gets its own class loader whose parent is the platform class loader, so neither the service's
 * classes nor its libraries (Jackson, SLF4J, ...) are visible to Flink, and versions never see each
 * other. The runner's {@code SqlCheck} is called reflectively in it, with Strings only crossing.
 *
 * <p>Loaders are kept, most recently used first, because the first check in a loader pays for loading
 * the planner (seconds) and later ones take tens of milliseconds. At most {@code maxLoaders} are kept;
 * an evicted loader is closed once no check runs in it. Checks may run concurrently.
 */
public final class SqlCompiler implements AutoCloseable {

    static final int DEFAULT_MAX_LOADERS = 4;

    private static final Logger LOG = LoggerFactory.getLogger(SqlCompiler.class);
    private static final String CHECK_CLASS = "io.tributary.sqlrunner.SqlCheck";

    private final int maxLoaders;
    /** In access order, so the eldest entry is the least recently used. Guarded by {@code this}. */
    private final LinkedHashMap<List<Path>, Loader> loaders = new LinkedHashMap<>(16, 0.75f, true);
    private boolean closed;

    public SqlCompiler() {
        this(DEFAULT_MAX_LOADERS);
    }

    /** @param maxLoaders how many class loaders to keep; each holds a planner (~100 MB of metaspace) */
    public SqlCompiler(int maxLoaders) {
        if (maxLoaders < 1) {
            throw new IllegalArgumentException("maxLoaders must be at least 1: " + maxLoaders);
        }
        this.maxLoaders = maxLoaders;
    }

    /**
     * The script's problems, in script order; empty when Flink's planner accepts it.
     *
     * @param classpath a Flink version's lib jars, the sql-runner jar (see {@link SqlRunnerJar}) and
     *     the app's dependency jars; order matters as on any class path
     * @throws IllegalArgumentException when an entry of the class path does not exist
     * @throws IllegalStateException when the class path holds no SQL runner, or the check itself broke
     */
    public List<SqlProblem> check(List<Path> classpath, String script) {
        Loader loader = acquire(classpath);
        try {
            long start = System.nanoTime();
            List<SqlProblem> problems = loader.check(script);
            LOG.debug("SQL check problems={} millis={}", problems.size(), (System.nanoTime() - start) / 1_000_000);
            return problems;
        } finally {
            release(loader);
        }
    }

    /** Closes every loader no check is using now; those in use close when their check ends. */
    @Override
    public void close() {
        List<Loader> idle = new ArrayList<>();
        synchronized (this) {
            closed = true;
            for (Loader loader : loaders.values()) {
                if (loader.retire()) {
                    idle.add(loader);
                }
            }
            loaders.clear();
        }
        idle.forEach(Loader::close);
    }

    private Loader acquire(List<Path> classpath) {
        List<Path> key = normalize(classpath);
        List<Loader> evicted = new ArrayList<>();
        Loader loader;
        synchronized (this) {
            if (closed) {
                throw new IllegalStateException("the SQL compiler is closed");
            }
            loader = loaders.get(key);
            if (loader == null) {
                loader = new Loader(key);
                loaders.put(key, loader);
                LOG.info("SQL check class loader opened entries={} loaders={}", key.size(), loaders.size());
                for (Iterator<Loader> eldest = loaders.values().iterator(); loaders.size() > maxLoaders; ) {
                    Loader old = eldest.next();
                    eldest.remove();
                    if (old.retire()) {
                        evicted.add(old);
                    }
                }
            }
            loader.users++;
        }
        evicted.forEach(Loader::close); // outside the lock: closing touches files
        return loader;
    }

    private void release(Loader loader) {
        boolean close;
        synchronized (this) {
            loader.users--;
            close = loader.retired && loader.users == 0;
        }
        if (close) {
            loader.close();
        }
    }

    private static List<Path> normalize(List<Path> classpath) {
        List<Path> key = new ArrayList<>();
        List<Path> missing = new ArrayList<>();
        for (Path entry : classpath) {
            Path path = entry.toAbsolutePath().normalize();
            key.add(path);
            if (!Files.exists(path)) {
                missing.add(path);
            }
        }
        // a URLClassLoader skips missing entries silently; the check would then fail in a confusing way
        if (!missing.isEmpty()) {
            throw new IllegalArgumentException("the SQL check's class path names files that do not exist: " + missing);
        }
        return List.copyOf(key);
    }

    /** One class path's loader, with the check method found in it. Counts guarded by the compiler. */
    private static final class Loader {

        private final List<Path> classpath;
        private final URLClassLoader classLoader;
        private volatile Method check;
        int users;
        boolean retired;

        Loader(List<Path> classpath) {
            this.classpath = classpath;
            URL[] urls = new URL[classpath.size()];
            for (int i = 0; i < urls.length; i++) {
                try {
                    urls[i] = classpath.get(i).toUri().toURL();
                } catch (MalformedURLException e) {
                    throw new IllegalArgumentException("not a class path entry: " + classpath.get(i), e);
                }
            }
            this.classLoader = new URLClassLoader("sql-check", urls, ClassLoader.getPlatformClassLoader());
        }

        List<SqlProblem> check(String script) {
            Thread thread = Thread.currentThread();
            ClassLoader previous = thread.getContextClassLoader();
            // Flink finds connectors, formats and the planner through the context class loader
            thread.setContextClassLoader(classLoader);
            try {
                Object answer = method().invoke(null, script);
                List<SqlProblem> problems = new ArrayList<>();
                for (Object problem : (List<?>) answer) {
                    problems.add(SqlProblem.parse((String) problem));
                }
                return List.copyOf(problems);
            } catch (InvocationTargetException e) {
                throw new IllegalStateException("the SQL check broke: " + e.getCause(), e.getCause());
            } catch (IllegalAccessException e) {
                throw new IllegalStateException("the SQL check cannot be called", e);
            } finally {
                thread.setContextClassLoader(previous);
            }
        }

        private Method method() {
            Method found = check;
            if (found == null) {
                try {
                    found = classLoader.loadClass(CHECK_CLASS).getMethod("check", String.class);
                } catch (ClassNotFoundException | NoSuchMethodException e) {
                    throw new IllegalStateException("the class path of the SQL check holds no SQL runner jar"
                            + " with " + CHECK_CLASS + ".check(String): " + classpath, e);
                }
                check = found;
            }
            return found;
        }

        /** @return whether it is idle, so the caller closes it now */
        boolean retire() {
            retired = true;
            return users == 0;
        }

        void close() {
            try {
                classLoader.close();
                LOG.info("SQL check class loader closed entries={}", classpath.size());
            } catch (IOException e) {
                LOG.warn("SQL check class loader did not close cleanly entries={}", classpath.size(), e);
            }
        }
    }

    /** For tests: the loaders kept, by class path, least recently used first. */
    synchronized Map<List<Path>, ClassLoader> loaders() {
        Map<List<Path>, ClassLoader> view = new LinkedHashMap<>();
        loaders.forEach((key, loader) -> view.put(key, loader.classLoader));
        return view;
    }
}
