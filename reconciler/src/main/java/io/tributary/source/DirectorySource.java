package io.tributary.source;

import io.tributary.build.Digests;
import io.tributary.source.SourceException.Reason;
import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.nio.file.FileVisitResult;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.SimpleFileVisitor;
import java.nio.file.attribute.BasicFileAttributes;
import java.security.MessageDigest;
import java.time.Clock;
import java.util.ArrayList;
import java.util.Collection;
import java.util.HexFormat;
import java.util.List;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * A plain folder (not a Git repository), for quick local trials: its revision is the SHA-256 of its
 * files' relative paths and contents, so the name changes exactly when a file is added, removed,
 * renamed or edited. Folders whose names start with a dot ({@code .git}, {@code .idea}) are left
 * out. The checkout is the folder itself, so unlike a Git export it changes when the files do.
 */
final class DirectorySource implements ConfigSource {
    private static final Logger LOG = LoggerFactory.getLogger(DirectorySource.class);

    private final Path folder;
    private final String path;
    private final Path root;
    private final Clock clock;
    private String lastId;

    private DirectorySource(Path folder, String path, Clock clock) {
        this.folder = folder;
        this.path = path;
        this.root = path == null ? folder : folder.resolve(path);
        this.clock = clock;
    }

    static DirectorySource open(SourceSpec spec, Location location, Clock clock) {
        if (spec.ref() != null) {
            throw new SourceException(Reason.OTHER, location.display() + " is a plain folder, which has no branch, tag or commit '"
                    + spec.ref() + "'; drop the ref, or make the folder a Git repository");
        }
        if (!(spec.credentials() instanceof Credentials.None)) {
            throw new SourceException(Reason.OTHER, location.display() + " is a plain folder; it needs no credentials");
        }
        return new DirectorySource(location.folder(), spec.path(), clock);
    }

    @Override
    public synchronized Checkout fetch() {
        Revision revision = Revision.ofDirectory(hash(), clock.instant());
        if (!revision.id().equals(lastId)) {
            LOG.info("source changed source=\"{}\" revision={}", describe(), revision.shortName());
            lastId = revision.id();
        }
        return new Checkout(revision, root);
    }

    @Override
    public synchronized Checkout checkout(String revision) {
        Checkout current = fetch();
        String wanted = revision == null ? "" : revision.strip();
        if (wanted.equals(current.revision().name()) || wanted.equals(current.revision().id())
                || (wanted.length() >= 7 && current.revision().shortName().equals(wanted))) {
            return current;
        }
        throw new SourceException(Reason.REF_NOT_FOUND, "a plain folder has only its current contents ("
                + current.revision().shortName() + "), not '" + wanted + "'; make it a Git repository to compare revisions");
    }

    @Override
    public String describe() {
        return "folder " + folder + (path == null ? "" : " path=" + path);
    }

    @Override
    public void prune(int newest, Collection<Revision> keep) {
        // nothing was copied
    }

    @Override
    public void close() {
        // nothing held open
    }

    private String hash() {
        if (!Files.isDirectory(folder)) {
            throw new SourceException(Reason.UNREACHABLE, "the folder " + folder + " is gone; check the location");
        }
        if (!Files.isDirectory(root)) {
            throw new SourceException(Reason.PATH_NOT_FOUND, "there is no folder '" + path + "' in " + folder
                    + (Files.exists(root) ? " (it is a file)" : "") + "; check the path");
        }
        try {
            MessageDigest digest = Digests.newSha256();
            byte[] buffer = new byte[1 << 16];
            for (Path file : files()) {
                String relative = root.relativize(file).toString().replace(file.getFileSystem().getSeparator(), "/");
                digest.update(relative.getBytes(StandardCharsets.UTF_8));
                digest.update((byte) 0);
                digest.update(ByteBuffer.allocate(Long.BYTES).putLong(Files.size(file)).array());
                try (InputStream in = Files.newInputStream(file)) {
                    for (int n = in.read(buffer); n >= 0; n = in.read(buffer)) {
                        digest.update(buffer, 0, n);
                    }
                }
            }
            return HexFormat.of().formatHex(digest.digest());
        } catch (IOException | UncheckedIOException e) {
            throw new SourceException(Reason.OTHER, "cannot read the folder " + root + ": " + e.getMessage()
                    + "; check its permissions", e);
        }
    }

    /** Regular files under the root (links followed), dot-folders left out, sorted by relative path. */
    private List<Path> files() throws IOException {
        List<Path> files = new ArrayList<>();
        Files.walkFileTree(root, new SimpleFileVisitor<>() {
            @Override
            public FileVisitResult preVisitDirectory(Path dir, BasicFileAttributes attrs) {
                if (!dir.equals(root) && dir.getFileName().toString().startsWith(".")) {
                    return FileVisitResult.SKIP_SUBTREE;
                }
                return FileVisitResult.CONTINUE;
            }

            @Override
            public FileVisitResult visitFile(Path file, BasicFileAttributes attrs) {
                if (Files.isRegularFile(file)) {
                    files.add(file);
                }
                return FileVisitResult.CONTINUE;
            }
        });
        files.sort((a, b) -> root.relativize(a).toString().compareTo(root.relativize(b).toString()));
        return files;
    }
}
