package io.tributary.build;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.DirectoryStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.attribute.FileTime;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.Optional;
import java.util.Set;
import java.util.regex.Pattern;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Job jars by content: {@code <dir>/<sha256>.jar}, written under a temporary name and renamed into
 * place, so a file is whole once it is there and never changes. The name is the address: the
 * dashboard serves {@code GET /artifacts/{sha256}} from here to YARN and Kubernetes pods. Jars
 * downloaded by URL ({@link JobArtifacts}) live in the same folder under the same rule.
 */
public final class ArtifactStore {
    private static final Logger LOG = LoggerFactory.getLogger(ArtifactStore.class);
    private static final Pattern SHA256 = Pattern.compile("[0-9a-f]{64}");
    private static final String SUFFIX = ".jar";

    private final Path dir;
    private final Clock clock;

    public ArtifactStore(Path dir, Clock clock) {
        this.dir = dir.toAbsolutePath();
        this.clock = clock;
    }

    public Path dir() {
        return dir;
    }

    /** Copies {@code file} into the store (once per content) and returns its sha256. */
    public String put(Path file) {
        String sha = Digests.sha256(file);
        Path target = dir.resolve(sha + SUFFIX);
        try {
            if (!Files.isRegularFile(target)) {
                Files.createDirectories(dir);
                Path temp = Files.createTempFile(dir, ".put-", ".tmp");
                try {
                    Files.copy(file, temp, StandardCopyOption.REPLACE_EXISTING);
                    Files.move(temp, target, StandardCopyOption.ATOMIC_MOVE, StandardCopyOption.REPLACE_EXISTING);
                } finally {
                    Files.deleteIfExists(temp);
                }
                LOG.info("artifact stored sha256={} size={} from={}", sha, Files.size(target), file.getFileName());
            }
            Files.setLastModifiedTime(target, FileTime.from(clock.instant()));
        } catch (IOException e) {
            throw new UncheckedIOException("cannot store " + file + " in " + dir, e);
        }
        return sha;
    }

    /** The file of a digest, when the store has it; anything that is not a sha256 in hex has none. */
    public Optional<Path> path(String sha256) {
        if (sha256 == null || !SHA256.matcher(sha256).matches()) {
            return Optional.empty();
        }
        Path file = dir.resolve(sha256 + SUFFIX);
        return Files.isRegularFile(file) ? Optional.of(file) : Optional.empty();
    }

    public boolean has(String sha256) {
        return path(sha256).isPresent();
    }

    /**
     * Deletes the artifacts among {@code managed} (what builds produced; jars downloaded by URL are
     * left to their cache) that are not in {@code inUse} and were not stored or used within
     * {@code grace} (a build that just finished may not be deployed yet). Returns how many went.
     */
    public int retain(Set<String> managed, Set<String> inUse, Duration grace) {
        if (!Files.isDirectory(dir)) {
            return 0;
        }
        Instant before = clock.instant().minus(grace);
        int deleted = 0;
        try (DirectoryStream<Path> files = Files.newDirectoryStream(dir, "*" + SUFFIX)) {
            for (Path file : files) {
                String name = file.getFileName().toString();
                String sha = name.substring(0, name.length() - SUFFIX.length());
                if (!managed.contains(sha) || inUse.contains(sha)) {
                    continue;
                }
                if (Files.getLastModifiedTime(file).toInstant().isAfter(before)) {
                    continue;
                }
                Files.deleteIfExists(file);
                deleted++;
                LOG.info("artifact deleted sha256={} reason=\"no app uses it\"", sha);
            }
        } catch (IOException e) {
            LOG.warn("artifact retention dir={} failed: {}", dir, e.getMessage());
        }
        return deleted;
    }
}
