package io.tributary.build;

import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.nio.file.DirectoryStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.zip.ZipEntry;
import java.util.zip.ZipInputStream;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The Maven that builds a project without a wrapper of its own: one already unpacked under the
 * data directory, else the distribution the Maven wrapper of this machine's user unpacked
 * ({@code ~/.m2/wrapper/dists/apache-maven-3.9.*}), else Apache Maven {@value #VERSION} resolved
 * from the Settings' repositories (Maven Central by default) and unpacked under the data directory
 * once.
 */
final class MavenInstallation {
    private static final Logger LOG = LoggerFactory.getLogger(MavenInstallation.class);
    static final String VERSION = "3.9.16";
    static final String COORDINATES = "org.apache.maven:apache-maven:zip:bin:" + VERSION;

    private final Path dir;
    private final Path userHome;

    /** @param dir where a downloaded Maven is unpacked ({@code <dataDir>/maven}) */
    MavenInstallation(Path dir, Path userHome) {
        this.dir = dir.toAbsolutePath();
        this.userHome = userHome;
    }

    /**
     * The command that runs Maven in {@code project}: its own {@code ./mvnw} when it has one,
     * else {@code bin/mvn} of a Maven found or downloaded through {@code maven}.
     */
    synchronized List<String> command(Path project, MavenArtifacts maven) {
        Path wrapper = project.resolve("mvnw");
        if (Files.isRegularFile(wrapper)) {
            return List.of("sh", wrapper.toString());
        }
        return List.of(home(maven).resolve("bin").resolve("mvn").toString());
    }

    /** A Maven home with {@code bin/mvn}. */
    synchronized Path home(MavenArtifacts maven) {
        Path unpacked = dir.resolve("apache-maven-" + VERSION);
        if (Files.isRegularFile(unpacked.resolve("bin/mvn"))) {
            return unpacked;
        }
        Optional<Path> wrapperDist = wrapperDistribution();
        if (wrapperDist.isPresent()) {
            return wrapperDist.get();
        }
        Path zip = maven.resolve(List.of(COORDINATES), false).get(0);
        unzip(zip, dir);
        if (!Files.isRegularFile(unpacked.resolve("bin/mvn"))) {
            throw new IllegalStateException(COORDINATES + " (" + zip + ") has no apache-maven-" + VERSION + "/bin/mvn");
        }
        LOG.info("maven unpacked version={} home={}", VERSION, unpacked);
        return unpacked;
    }

    private Optional<Path> wrapperDistribution() {
        Path dists = userHome.resolve(".m2/wrapper/dists");
        if (!Files.isDirectory(dists)) {
            return Optional.empty();
        }
        List<Path> homes = new ArrayList<>();
        try (DirectoryStream<Path> versions = Files.newDirectoryStream(dists, "apache-maven-3.9.*")) {
            for (Path version : versions) {
                try (DirectoryStream<Path> hashes = Files.newDirectoryStream(version)) {
                    for (Path home : hashes) {
                        if (Files.isRegularFile(home.resolve("bin/mvn")) && Files.isDirectory(home.resolve("lib"))) {
                            homes.add(home);
                        }
                    }
                }
            }
        } catch (IOException e) {
            return Optional.empty();
        }
        homes.sort(null);
        return homes.isEmpty() ? Optional.empty() : Optional.of(homes.get(homes.size() - 1));
    }

    private static void unzip(Path zip, Path target) {
        try {
            Files.createDirectories(target);
            Path temp = Files.createTempDirectory(target, ".unpack-");
            try (ZipInputStream in = new ZipInputStream(Files.newInputStream(zip))) {
                for (ZipEntry e = in.getNextEntry(); e != null; e = in.getNextEntry()) {
                    Path file = temp.resolve(e.getName()).normalize();
                    if (!file.startsWith(temp)) {
                        throw new IOException("zip entry " + e.getName() + " leaves the folder");
                    }
                    if (e.isDirectory()) {
                        Files.createDirectories(file);
                        continue;
                    }
                    Files.createDirectories(file.getParent());
                    copy(in, file);
                    if (file.getParent().getFileName().toString().equals("bin")) {
                        file.toFile().setExecutable(true, false);
                    }
                }
            }
            Path home = temp.resolve("apache-maven-" + VERSION);
            Files.move(home, target.resolve(home.getFileName()), StandardCopyOption.ATOMIC_MOVE);
            deleteTree(temp);
        } catch (IOException e) {
            throw new UncheckedIOException("cannot unpack " + zip + " into " + target, e);
        }
    }

    private static void copy(InputStream in, Path file) throws IOException {
        Files.copy(in, file, StandardCopyOption.REPLACE_EXISTING);
    }

    static void deleteTree(Path root) {
        if (root == null || !Files.exists(root)) {
            return;
        }
        try (var walk = Files.walk(root)) {
            walk.sorted(java.util.Comparator.reverseOrder()).forEach(p -> p.toFile().delete());
        } catch (IOException e) {
            LOG.debug("cannot delete dir={}: {}", root, e.getMessage());
        }
    }
}
