package io.tributary.flink;

import io.tributary.build.Digests;

import io.tributary.sqlrunner.StatementSplitter;
import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.net.URISyntaxException;
import java.net.URL;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.security.CodeSource;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The sql-runner jar as a file: Flink needs it uploaded to run SQL apps, and the SQL check loads it
 * over a Flink version's jars. The packaged service embeds it as the resource {@value #RESOURCE}
 * (dashboard/pom.xml copies it there), which is extracted to the work directory; in tests and the IDE
 * it is where the sql-runner classes were loaded from.
 */
public final class SqlRunnerJar {

    static final String RESOURCE = "tributary/sql-runner.jar";

    private static final Logger LOG = LoggerFactory.getLogger(SqlRunnerJar.class);

    private SqlRunnerJar() {
    }

    /**
     * The runner jar, or a directory of its classes (which URLClassLoader accepts the same way).
     *
     * @param workDir where the embedded jar is extracted; created when missing
     * @throws IllegalStateException when neither an embedded jar nor the runner's classes are found
     */
    public static Path locate(Path workDir) {
        return locate(workDir, SqlRunnerJar.class.getClassLoader());
    }

    static Path locate(Path workDir, ClassLoader loader) {
        URL embedded = loader.getResource(RESOURCE);
        return embedded != null ? extract(embedded, workDir) : codeSource();
    }

    /**
     * The embedded jar as a file named by its content, so a restart or a second replica reuses the
     * file, and an upgraded service never runs an old runner left in the same directory.
     */
    private static Path extract(URL resource, Path workDir) {
        try {
            byte[] jar;
            try (InputStream in = resource.openStream()) {
                jar = in.readAllBytes(); // tens of kilobytes: our classes only
            }
            Path target = workDir.resolve("sql-runner-" + Digests.sha256(jar).substring(0, 16) + ".jar");
            if (Files.isRegularFile(target) && Files.size(target) == jar.length) {
                return target;
            }
            Files.createDirectories(workDir);
            // written aside and moved, so a concurrent reader never sees half a jar
            Path partial = Files.createTempFile(workDir, "sql-runner-", ".partial");
            try {
                Files.write(partial, jar);
                Files.move(partial, target, StandardCopyOption.ATOMIC_MOVE, StandardCopyOption.REPLACE_EXISTING);
            } finally {
                Files.deleteIfExists(partial);
            }
            LOG.info("Extracted the SQL runner jar={} bytes={}", target, jar.length);
            return target;
        } catch (IOException e) {
            throw new UncheckedIOException("cannot extract the SQL runner jar into " + workDir, e);
        }
    }

    /**
     * Where the runner's classes come from. StatementSplitter stands for the jar because it uses no
     * Flink class, so finding it never needs Flink on the service's class path.
     */
    private static Path codeSource() {
        CodeSource source = StatementSplitter.class.getProtectionDomain().getCodeSource();
        if (source == null || source.getLocation() == null) {
            throw new IllegalStateException("the SQL runner's classes have no location to load them from");
        }
        Path location;
        try {
            location = Path.of(source.getLocation().toURI());
        } catch (URISyntaxException | IllegalArgumentException e) {
            throw new IllegalStateException("the SQL runner's classes are at " + source.getLocation()
                    + ", which is not a file", e);
        }
        // inside a shaded service jar the classes are there, but uploading the whole service as the
        // runner would be wrong: only its own jar or classes directory will do
        if (Files.isRegularFile(location) && !location.getFileName().toString().startsWith("tributary-sql-runner")) {
            throw new IllegalStateException("the SQL runner jar is not embedded as " + RESOURCE
                    + " and its classes were loaded from " + location + ", which is not the runner's own jar");
        }
        return location;
    }
}
