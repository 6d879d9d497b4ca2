package io.tributary.flink;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.URI;
import java.nio.file.DirectoryStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.Paths;
import java.time.Instant;
import java.util.Optional;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * Completed checkpoints a job left in its checkpoint directory ({@code <dir>/<jobId>/chk-N/_metadata}),
 * read from the file system. This is how a job's state is found after a JobManager without Flink HA
 * was lost, or a YARN application killed: Flink's REST API no longer knows the job, but its
 * checkpoints are still there. This class reads local directories ({@code file:} URIs or plain
 * paths); the YARN clusters Tributary deployed read theirs (HDFS) through Hadoop, see
 * {@link YarnClusters#latestCheckpoint}.
 */
public final class RetainedCheckpoints {
    private static final Pattern CHK = Pattern.compile("chk-(\\d+)");

    private RetainedCheckpoints() {}

    /** A completed checkpoint on disk: its restore path as Flink writes it ({@code file:/...}), its number and when it completed. */
    public record Found(String path, long id, Instant completedAt) {}

    /**
     * The highest-numbered {@code chk-N} of the job whose {@code _metadata} exists (a checkpoint cut
     * short by the lost JobManager has no metadata and cannot be restored).
     */
    public static Optional<Found> latest(String directory, String jobId) {
        Optional<Path> root = localPath(directory);
        if (root.isEmpty()) {
            return Optional.empty();
        }
        Path jobDir = root.get().resolve(jobId);
        if (!Files.isDirectory(jobDir)) {
            return Optional.empty();
        }
        Found best = null;
        try (DirectoryStream<Path> entries = Files.newDirectoryStream(jobDir, "chk-*")) {
            for (Path chk : entries) {
                Matcher m = CHK.matcher(chk.getFileName().toString());
                Path metadata = chk.resolve("_metadata");
                if (!m.matches() || !Files.isRegularFile(metadata)) {
                    continue;
                }
                long id = Long.parseLong(m.group(1));
                if (best == null || id > best.id()) {
                    best = new Found("file:" + chk.toAbsolutePath(), id, Files.getLastModifiedTime(metadata).toInstant());
                }
            }
        } catch (IOException | UncheckedIOException e) {
            return Optional.empty(); // the directory went away or cannot be read: nothing to restore from here
        }
        return Optional.ofNullable(best);
    }

    /** Whether {@code directory} is on the local file system, which this class reads. */
    public static boolean isLocal(String directory) {
        return localPath(directory).isPresent();
    }

    private static Optional<Path> localPath(String directory) {
        if (directory == null || directory.isBlank()) {
            return Optional.empty();
        }
        try {
            if (directory.startsWith("file:")) {
                return Optional.of(Paths.get(URI.create(directory)));
            }
            if (directory.startsWith("/")) {
                return Optional.of(Paths.get(directory));
            }
        } catch (IllegalArgumentException | java.nio.file.FileSystemNotFoundException e) {
            return Optional.empty();
        }
        return Optional.empty(); // hdfs:, s3: and the like: not readable from here
    }
}
