package io.tributary.flink;

import io.tributary.build.Digests;

import io.tributary.build.ArtifactResolutionFailure;
import io.tributary.build.MavenArtifacts;
import io.tributary.model.FlinkVersion;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.channels.FileChannel;
import java.nio.channels.FileLock;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.StandardOpenOption;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.TreeSet;
import java.util.concurrent.ConcurrentHashMap;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Stream;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Turns a FlinkVersion into a {@link FlinkHome}: either a distribution assembled from Maven under
 * {@code <dataDir>/flink/<version>}, or an installed {@code FLINK_HOME}.
 *
 * <p>A resolved distribution is complete when its marker file lists every lib jar with its sha256;
 * a later resolve only verifies the files against it (no network), and re-resolves when a jar is
 * missing, changed or extra, or when the artifact table below changed.
 */
public final class FlinkDistributions {
    private static final Logger LOG = LoggerFactory.getLogger(FlinkDistributions.class);

    static final String MARKER = "tributary-lib.sha256";
    private static final Pattern VERSION = Pattern.compile("(\\d+)\\.(\\d+)(?:\\.(\\d+))?(?:[-.][0-9A-Za-z.-]+)?");
    private static final Pattern FLINK_DIST_JAR = Pattern.compile("flink-dist(?:_[0-9.]+)?-(\\d+\\.\\d+[0-9A-Za-z.-]*)\\.jar");

    /** Which major versions a lib/ entry is for. */
    enum Majors {
        ALL, ONLY_1, ONLY_2;

        boolean includes(int major) {
            return this == ALL || (this == ONLY_1 && major == 1) || (this == ONLY_2 && major == 2);
        }
    }

    /**
     * One entry of a lib/: Maven coordinates with {@code {flink}} and {@code {log4j}} filled in per
     * version, resolved with their runtime dependencies.
     *
     * @param ifPublished true when some versions lack the module: then it is left out, not an error
     */
    record LibArtifact(String coordinate, Majors majors, boolean ifPublished, String why) {}

    /**
     * What a distribution's lib/ needs. flink-dist (the shaded runtime the real distribution ships)
     * is not published everywhere, so lib/ is assembled from the modules flink-dist is made of, plus
     * the jars the distribution puts next to it.
     */
    static final List<LibArtifact> LIB = List.of(
            //                 coordinates                                              majors         if published
            new LibArtifact("org.apache.flink:flink-runtime:{flink}",                   Majors.ALL,    false,
                    "JobManager, TaskManager and BashJavaUtils"),
            new LibArtifact("org.apache.flink:flink-clients:{flink}",                   Majors.ALL,    false,
                    "running a submitted jar's main method (/jars/:id/run)"),
            new LibArtifact("org.apache.flink:flink-streaming-java:{flink}",            Majors.ALL,    false,
                    "DataStream runtime"),
            new LibArtifact("org.apache.flink:flink-rpc-akka-loader:{flink}",           Majors.ALL,    false,
                    "RPC between JobManager and TaskManagers (Pekko inside, since 1.18)"),
            new LibArtifact("org.apache.flink:flink-runtime-web:{flink}",               Majors.ALL,    false,
                    "web UI and the /jars upload and run endpoints"),
            new LibArtifact("org.apache.flink:flink-table-api-java:{flink}",            Majors.ONLY_1, false,
                    "Table API; 1.20.x has no uber jar"),
            new LibArtifact("org.apache.flink:flink-table-api-java-bridge:{flink}",     Majors.ONLY_1, false,
                    "Table API on DataStream, with the datagen and print table factories"),
            new LibArtifact("org.apache.flink:flink-table-api-java-uber:{flink}",       Majors.ONLY_2, false,
                    "Table API with the DataStream bridge, as 2.x's own lib/ ships it"),
            new LibArtifact("org.apache.flink:flink-table-runtime:{flink}",             Majors.ALL,    false,
                    "runtime of SQL operators"),
            new LibArtifact("org.apache.flink:flink-table-planner-loader:{flink}",      Majors.ALL,    false,
                    "SQL planner in its own class loader"),
            new LibArtifact("org.apache.flink:flink-connector-files:{flink}",           Majors.ALL,    false,
                    "filesystem connector"),
            new LibArtifact("org.apache.flink:flink-connector-datagen:{flink}",         Majors.ALL,    true,
                    "DataStream datagen source"),
            new LibArtifact("org.apache.flink:flink-json:{flink}",                      Majors.ALL,    false,
                    "json format"),
            new LibArtifact("org.apache.flink:flink-csv:{flink}",                       Majors.ALL,    false,
                    "csv format"),
            new LibArtifact("org.apache.flink:flink-cep:{flink}",                       Majors.ALL,    false,
                    "MATCH_RECOGNIZE in SQL"),
            new LibArtifact("org.apache.flink:flink-statebackend-rocksdb:{flink}",      Majors.ALL,    false,
                    "state.backend.type: rocksdb; brings frocksdbjni, RocksDB's native library (40-50 MB)"),
            new LibArtifact("org.apache.logging.log4j:log4j-slf4j-impl:{log4j}",        Majors.ALL,    false,
                    "Flink logs through SLF4J 1.7"),
            new LibArtifact("org.apache.logging.log4j:log4j-api:{log4j}",               Majors.ALL,    false,
                    "Log4j 2"),
            new LibArtifact("org.apache.logging.log4j:log4j-core:{log4j}",              Majors.ALL,    false,
                    "Log4j 2"),
            new LibArtifact("org.apache.logging.log4j:log4j-1.2-api:{log4j}",           Majors.ALL,    false,
                    "libraries that still log through Log4j 1"));

    /**
     * Modules left out of a major's lib/ although other modules depend on them: 2.x's uber jar
     * already holds them, and a second copy of the same classes only invites class loading surprises.
     */
    static final Map<Integer, Set<String>> LEFT_OUT = Map.of(
            1, Set.of(),
            2, Set.of("org.apache.flink:flink-table-common", "org.apache.flink:flink-table-api-java",
                    "org.apache.flink:flink-table-api-bridge-base", "org.apache.flink:flink-table-api-java-bridge"));

    /** Log4j as each major's flink-parent pins it (1.20.x: 2.17.1; 2.3.0: 2.25.3). */
    static final Map<Integer, String> LOG4J = Map.of(1, "2.17.1", 2, "2.25.3");

    /**
     * JVM options every Flink process needs on Java 17, from Flink's default configuration: Flink
     * reflects into these JDK internals (Kryo, the closure cleaner, the memory manager, the planner).
     */
    static final String JAVA17_OPTIONS = String.join(" ",
            "-XX:+IgnoreUnrecognizedVMOptions",
            "--add-exports=java.base/sun.net.util=ALL-UNNAMED",
            "--add-exports=java.rmi/sun.rmi.registry=ALL-UNNAMED",
            "--add-exports=jdk.compiler/com.sun.tools.javac.api=ALL-UNNAMED",
            "--add-exports=jdk.compiler/com.sun.tools.javac.file=ALL-UNNAMED",
            "--add-exports=jdk.compiler/com.sun.tools.javac.parser=ALL-UNNAMED",
            "--add-exports=jdk.compiler/com.sun.tools.javac.tree=ALL-UNNAMED",
            "--add-exports=jdk.compiler/com.sun.tools.javac.util=ALL-UNNAMED",
            "--add-exports=java.security.jgss/sun.security.krb5=ALL-UNNAMED",
            "--add-opens=java.base/java.lang=ALL-UNNAMED",
            "--add-opens=java.base/java.net=ALL-UNNAMED",
            "--add-opens=java.base/java.io=ALL-UNNAMED",
            "--add-opens=java.base/java.nio=ALL-UNNAMED",
            "--add-opens=java.base/sun.nio.ch=ALL-UNNAMED",
            "--add-opens=java.base/java.lang.reflect=ALL-UNNAMED",
            "--add-opens=java.base/java.text=ALL-UNNAMED",
            "--add-opens=java.base/java.time=ALL-UNNAMED",
            "--add-opens=java.base/java.util=ALL-UNNAMED",
            "--add-opens=java.base/java.util.concurrent=ALL-UNNAMED",
            "--add-opens=java.base/java.util.concurrent.atomic=ALL-UNNAMED",
            "--add-opens=java.base/java.util.concurrent.locks=ALL-UNNAMED");

    private final Path flinkDir;
    private final MavenArtifacts artifacts;
    /** One resolution per version at a time in this JVM; the file lock covers other processes. */
    private final Map<String, Object> versionLocks = new ConcurrentHashMap<>();

    /**
     * @param dataDir the service's data directory; distributions go to {@code <dataDir>/flink/<version>}
     * @param artifacts where jars come from (the Settings' repositories)
     */
    public FlinkDistributions(Path dataDir, MavenArtifacts artifacts) {
        this.flinkDir = dataDir.toAbsolutePath().resolve("flink");
        this.artifacts = artifacts;
    }

    /**
     * The home of a FlinkVersion: {@code spec.version} resolved from Maven (cached), or {@code spec.home}.
     *
     * @throws ArtifactResolutionFailure when a jar of the distribution cannot be resolved
     * @throws IllegalArgumentException for an unsupported version or a home without lib/
     */
    public FlinkHome resolve(FlinkVersion flinkVersion) {
        FlinkVersion.Spec spec = flinkVersion.spec();
        if (spec.home() != null) {
            return installed(Path.of(spec.home()), flinkVersion.major());
        }
        if (spec.version() == null) {
            throw new IllegalArgumentException("FlinkVersion " + flinkVersion.metadata().name() + " has neither version nor home");
        }
        return resolveVersion(spec.version());
    }

    /** A distribution of {@code version} assembled from Maven, verified or (re)built. */
    FlinkHome resolveVersion(String version) {
        int major = major(version);
        Path dir = flinkDir.resolve(version);
        synchronized (versionLocks.computeIfAbsent(version, v -> new Object())) {
            try {
                Files.createDirectories(flinkDir);
                try (FileChannel channel = FileChannel.open(flinkDir.resolve("." + version + ".lock"),
                        StandardOpenOption.CREATE, StandardOpenOption.WRITE)) {
                    FileLock lock = channel.lock();
                    try {
                        return verifyOrBuild(version, major, dir);
                    } finally {
                        lock.release();
                    }
                }
            } catch (IOException e) {
                throw new UncheckedIOException("cannot prepare Flink " + version + " in " + dir, e);
            }
        }
    }

    private FlinkHome verifyOrBuild(String version, int major, Path dir) throws IOException {
        long started = System.nanoTime();
        List<String> roots = libCoordinates(version, major);
        String table = Digests.sha256((String.join("\n", roots) + "\nleft out: " + new TreeSet<>(LEFT_OUT.get(major)))
                .getBytes(StandardCharsets.UTF_8));
        Marker.Check check = Marker.verify(dir, table);
        if (check.jars() != null) {
            writeDefaultConf(dir.resolve("conf"), false);
            LOG.info("flink.version={} cached jars={} size={} millis={}", version, check.jars().size(),
                    humanSize(totalSize(check.jars())), millisSince(started));
            return new FlinkHome(version, major, dir, check.jars(), dir.resolve("conf"));
        }
        LOG.info("flink.version={} resolving reason=\"{}\" dir={}", version, check.reason(), dir);
        List<String> present = new ArrayList<>();
        for (int i = 0; i < roots.size(); i++) {
            if (isPublished(version, roots.get(i), libArtifactsFor(major).get(i))) {
                present.add(roots.get(i));
            }
        }
        List<String> coordinates = artifacts.collect(present).stream()
                .filter(c -> !LEFT_OUT.get(major).contains(c.substring(0, c.indexOf(':', c.indexOf(':') + 1))))
                .toList();
        LOG.info("flink.version={} resolving {} artifacts", version, coordinates.size());
        List<Path> files = artifacts.resolve(coordinates, false);

        Path lib = dir.resolve("lib");
        Files.deleteIfExists(dir.resolve(MARKER));
        deleteTree(lib);
        Files.createDirectories(lib);
        Map<String, String> shas = new LinkedHashMap<>();
        Set<String> names = new HashSet<>();
        for (int i = 0; i < files.size(); i++) {
            String name = libFileName(files.get(i), coordinates.get(i), names);
            Path target = lib.resolve(name);
            // a copy, not a link: a damaged lib/ jar must not damage the shared local repository
            Files.copy(files.get(i), target, StandardCopyOption.REPLACE_EXISTING);
            shas.put(name, Digests.sha256(target));
        }
        writeDefaultConf(dir.resolve("conf"), true);
        List<Path> jars = Marker.write(dir, version, table, shas);
        LOG.info("flink.version={} resolved jars={} size={} millis={} home={}", version, jars.size(),
                humanSize(totalSize(jars)), millisSince(started), dir);
        return new FlinkHome(version, major, dir, jars, dir.resolve("conf"));
    }

    private boolean isPublished(String version, String coordinate, LibArtifact entry) {
        if (!entry.ifPublished()) {
            return true;
        }
        try {
            artifacts.collect(List.of(coordinate));
            return true;
        } catch (ArtifactResolutionFailure e) {
            LOG.info("flink.version={} skipped artifact={} reason=\"not published\"", version, coordinate);
            return false;
        }
    }

    /** Two artifacts may share a file name (same artifactId, other group): the later one gets its group as prefix. */
    private static String libFileName(Path file, String coordinate, Set<String> taken) {
        String name = file.getFileName().toString();
        if (!taken.add(name)) {
            name = coordinate.substring(0, coordinate.indexOf(':')) + "-" + name;
            taken.add(name);
        }
        return name;
    }

    /** The lib/ roots of a version, from the table. */
    static List<String> libCoordinates(String version, int major) {
        String log4j = LOG4J.get(major);
        return libArtifactsFor(major).stream()
                .map(a -> a.coordinate().replace("{flink}", version).replace("{log4j}", log4j))
                .toList();
    }

    private static List<LibArtifact> libArtifactsFor(int major) {
        return LIB.stream().filter(a -> a.majors().includes(major)).toList();
    }

    /** The major version of a supported Flink version string. */
    static int major(String version) {
        Matcher m = VERSION.matcher(version);
        if (!m.matches()) {
            throw new IllegalArgumentException("'" + version + "' is not a Flink version such as 1.20.1 or 2.3.0");
        }
        int major = Integer.parseInt(m.group(1));
        int minor = Integer.parseInt(m.group(2));
        // 1.19 is the first 1.x that reads config.yaml, which is what we write
        if (!LOG4J.containsKey(major) || (major == 1 && minor < 19)) {
            throw new IllegalArgumentException("Flink " + version + " is not supported: use 1.19 or later, or 2.x");
        }
        return major;
    }

    /** A distribution already on disk (installed, or assembled earlier), by its folder. */
    public static FlinkHome existing(Path home) {
        return installed(home, Optional.empty());
    }

    /** {@link #existing(Path)} by the folder's name. */
    public static FlinkHome existingOf(String home) {
        return existing(Path.of(home));
    }

    /** An installed distribution: its lib/ in the order Flink's scripts use (flink-dist last), its conf/. */
    static FlinkHome installed(Path home, Optional<Integer> declaredMajor) {
        Path dir = home.toAbsolutePath().normalize();
        Path lib = dir.resolve("lib");
        if (!Files.isDirectory(lib)) {
            throw new IllegalArgumentException("FLINK_HOME " + dir + " has no lib/ folder");
        }
        List<Path> jars;
        try (Stream<Path> files = Files.list(lib)) {
            jars = files.filter(p -> p.getFileName().toString().endsWith(".jar"))
                    .sorted(Comparator.comparing((Path p) -> p.getFileName().toString().startsWith("flink-dist"))
                            .thenComparing(p -> p.getFileName().toString()))
                    .toList();
        } catch (IOException e) {
            throw new UncheckedIOException("cannot list " + lib, e);
        }
        if (jars.isEmpty()) {
            throw new IllegalArgumentException("FLINK_HOME " + dir + " has no jars in lib/");
        }
        String version = jars.stream()
                .map(p -> FLINK_DIST_JAR.matcher(p.getFileName().toString()))
                .filter(Matcher::matches)
                .map(m -> m.group(1))
                .findFirst()
                .orElse(dir.getFileName().toString().replaceFirst("^flink-", ""));
        int major = declaredMajor.orElseGet(() -> {
            Matcher m = VERSION.matcher(version);
            if (!m.find()) {
                throw new IllegalArgumentException("cannot tell the Flink version of FLINK_HOME " + dir
                        + ": no flink-dist jar in lib/ and no version in the folder name");
            }
            return Integer.parseInt(m.group(1));
        });
        LOG.info("flink.version={} home={} jars={}", version, dir, jars.size());
        return new FlinkHome(version, major, dir, jars, dir.resolve("conf"));
    }

    /** The distribution's default config.yaml and log4j files: rewritten on a new resolution, else only when absent. */
    static void writeDefaultConf(Path confDir, boolean rewrite) throws IOException {
        if (rewrite) {
            deleteTree(confDir);
        }
        // an empty plugins/ as in a distribution: Flink warns at every start when it is missing
        Files.createDirectories(confDir.resolveSibling("plugins"));
        if (!Files.exists(confDir.resolve(FlinkConfigFiles.CONFIG_YAML))) {
            FlinkConfigFiles.write(confDir, defaultConfiguration(),
                    "Written by Tributary: the defaults of a Flink distribution, for local processes.");
        }
        FlinkConfigFiles.writeLoggingDefaults(confDir);
    }

    /** Flink's own defaults for a single machine, plus a fast web cache (see web.refresh-interval). */
    static Map<String, Object> defaultConfiguration() {
        Map<String, Object> config = new LinkedHashMap<>();
        config.put("env.java.opts.all", JAVA17_OPTIONS);
        config.put("jobmanager.rpc.address", "localhost");
        config.put("jobmanager.rpc.port", "6123");
        config.put("jobmanager.bind-host", "localhost");
        config.put("jobmanager.memory.process.size", "1600m");
        config.put("jobmanager.execution.failover-strategy", "region");
        config.put("taskmanager.bind-host", "localhost");
        config.put("taskmanager.host", "localhost");
        config.put("taskmanager.memory.process.size", "1728m");
        config.put("taskmanager.numberOfTaskSlots", "1");
        config.put("parallelism.default", "1");
        config.put("rest.address", "localhost");
        config.put("rest.bind-address", "localhost");
        // the REST API serves job details from a cache refreshed this often (default 3 s): pollers
        // such as the reconciler would otherwise see job states up to 3 s late
        config.put("web.refresh-interval", "200");
        return config;
    }

    /** The marker file: a header naming the version and artifact table, then one {@code sha256 name} per jar. */
    static final class Marker {
        record Check(List<Path> jars, String reason) {}

        private Marker() {}

        static Check verify(Path dir, String table) throws IOException {
            Path marker = dir.resolve(MARKER);
            if (!Files.isRegularFile(marker)) {
                return new Check(null, "not resolved yet");
            }
            List<String> lines = Files.readAllLines(marker, StandardCharsets.UTF_8);
            if (lines.isEmpty() || !lines.get(0).endsWith(" table=" + table)) {
                return new Check(null, "the artifact table changed");
            }
            Path lib = dir.resolve("lib");
            List<Path> jars = new ArrayList<>();
            for (String line : lines.subList(1, lines.size())) {
                String[] parts = line.split(" ", 2);
                if (parts.length != 2) {
                    return new Check(null, "marker line unreadable: " + line);
                }
                Path jar = lib.resolve(parts[1]);
                if (!Files.isRegularFile(jar)) {
                    return new Check(null, "missing " + parts[1]);
                }
                if (!Digests.sha256(jar).equals(parts[0])) {
                    return new Check(null, "changed " + parts[1]);
                }
                jars.add(jar);
            }
            try (Stream<Path> files = Files.list(lib)) {
                Set<Path> listed = new HashSet<>(jars);
                Optional<Path> extra = files.filter(p -> !listed.contains(p)).findFirst();
                if (extra.isPresent()) {
                    return new Check(null, "extra file " + extra.get().getFileName());
                }
            }
            return new Check(List.copyOf(jars), null);
        }

        static List<Path> write(Path dir, String version, String table, Map<String, String> shas) {
            List<String> names = shas.keySet().stream().sorted().toList();
            StringBuilder text = new StringBuilder("# tributary flink lib: version=" + version + " table=" + table + "\n");
            names.forEach(n -> text.append(shas.get(n)).append(' ').append(n).append('\n'));
            // written last, atomically: its presence means every jar above is in place
            FlinkConfigFiles.writeAtomically(dir.resolve(MARKER), text.toString());
            return names.stream().map(n -> dir.resolve("lib").resolve(n)).toList();
        }
    }

    private static long totalSize(List<Path> files) throws IOException {
        long total = 0;
        for (Path f : files) {
            total += Files.size(f);
        }
        return total;
    }

    static String humanSize(long bytes) {
        return bytes < 1024 * 1024
                ? String.format(Locale.ROOT, "%.1fKB", bytes / 1024.0)
                : String.format(Locale.ROOT, "%.1fMB", bytes / (1024.0 * 1024.0));
    }

    private static long millisSince(long nanos) {
        return (System.nanoTime() - nanos) / 1_000_000;
    }

    static void deleteTree(Path root) throws IOException {
        if (!Files.exists(root)) {
            return;
        }
        try (Stream<Path> walk = Files.walk(root)) {
            for (Path p : walk.sorted(Comparator.reverseOrder()).toList()) {
                Files.deleteIfExists(p);
            }
        }
    }
}
