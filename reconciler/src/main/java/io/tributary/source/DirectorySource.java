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
import java.util.Optional;
import java.util.regex.Pattern;
import java.util.stream.Collectors;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * A plain folder (not a Git repository), for quick local trials: its revision is the SHA-256 of its
 * files' relative paths and contents, so the name changes exactly when a file is added, removed,
 * renamed or edited. Folders whose names start with a dot ({@code .git}, {@code .idea}) are left
 * out. Each new state is copied into {@code <workDir>/folders/<hash of the location>/<sha256>/}, named
 * by the hash of the copy, so a checkout stays as it was named while the folder is edited, and the
 * revisions read lately (pruned as Git exports are) can be checked out again, after a restart too.
 */
final class DirectorySource implements ConfigSource {
    private static final Logger LOG = LoggerFactory.getLogger(DirectorySource.class);
    private static final String NAME_PREFIX = Revision.DIR + "@" + Revision.SHA256;
    private static final Pattern HEX_PREFIX = Pattern.compile("[0-9a-f]{7,64}");

    private final Path folder;
    /** The Git repository the folder lies inside, if any: its revisions are there. */
    private final Optional<Path> enclosingRepository;
    private final String path;
    private final Path root;
    private final Exports copies;
    private final Clock clock;
    private String lastId;

    private DirectorySource(Path folder, Optional<Path> enclosingRepository, String path, Exports copies, Clock clock) {
        this.folder = folder;
        this.enclosingRepository = enclosingRepository;
        this.path = path;
        this.root = path == null ? folder : folder.resolve(path);
        this.copies = copies;
        this.clock = clock;
    }

    static DirectorySource open(SourceSpec spec, Location location, Path workDir, Clock clock) {
        if (spec.ref() != null) {
            throw new SourceException(Reason.OTHER, location.display() + " is a plain folder, which has no branch, tag or commit '"
                    + spec.ref() + "'; drop the ref, or make the folder a Git repository");
        }
        if (!(spec.credentials() instanceof Credentials.None)) {
            throw new SourceException(Reason.OTHER, location.display() + " is a plain folder; it needs no credentials");
        }
        String key = Digests.sha256(location.uri() + "\0" + (spec.path() == null ? "" : spec.path())).substring(0, 16);
        return new DirectorySource(location.folder(), location.enclosingRepository(), spec.path(),
                new Exports(workDir.resolve("folders").resolve(key), clock), clock);
    }

    @Override
    public synchronized Checkout fetch() {
        String id = hash();
        Path copy;
        try {
            Optional<Path> found = copies.find(id);
            copy = found.isPresent() ? found.get() : copies.store(this::copyInto);
        } catch (IOException | UncheckedIOException e) {
            throw new SourceException(Reason.OTHER, "cannot copy the folder " + root + " into the work directory: "
                    + e.getMessage() + "; check the permissions of both and the work directory's disk", e);
        }
        // the copy's own hash: the folder may have been edited between the two reads
        Revision revision = Revision.ofDirectory(copy.getFileName().toString(), clock.instant());
        if (!revision.id().equals(lastId)) {
            LOG.info("source changed source=\"{}\" revision={}", describe(), revision.shortName());
            lastId = revision.id();
        }
        return new Checkout(revision, copy);
    }

    /**
     * The current contents, or an earlier revision this source copied and still keeps, by its full
     * name, its hash, or at least seven leading hex digits of the hash.
     */
    @Override
    public synchronized Checkout checkout(String revision) {
        Checkout current = fetch();
        String wanted = revision == null ? "" : revision.strip();
        String hex = wanted.startsWith(NAME_PREFIX) ? wanted.substring(NAME_PREFIX.length()) : wanted;
        if (hex.equals(current.revision().id())) {
            return current;
        }
        try {
            if (HEX_PREFIX.matcher(hex).matches()) {
                List<String> matching = copies.ids().stream().filter(id -> id.startsWith(hex)).toList();
                if (matching.size() > 1) {
                    throw new SourceException(Reason.REF_NOT_FOUND, "'" + wanted + "' names " + matching.size()
                            + " revisions of " + describe() + "; give more of the hash");
                }
                Optional<Path> copy = matching.isEmpty() ? Optional.empty() : copies.find(matching.get(0));
                if (copy.isPresent()) {
                    return new Checkout(Revision.ofDirectory(matching.get(0), clock.instant()), copy.get());
                }
            }
        } catch (IOException e) {
            throw Exports.failure("cannot read the copies of " + describe(), e);
        }
        String fix = enclosingRepository.map(top -> "it lies inside the Git repository " + top + ": give --repo " + top
                + " --path " + top.relativize(root).toString().replace(root.getFileSystem().getSeparator(), "/")
                + " to compare its revisions").orElse("make it a Git repository to compare revisions");
        throw new SourceException(Reason.REF_NOT_FOUND, "a plain folder has no history beyond copies of what was read from it"
                + " lately (now " + current.revision().shortName() + "), and '" + wanted + "' is not one of them; " + fix);
    }

    @Override
    public String describe() {
        return "folder " + folder + (path == null ? "" : " path=" + path);
    }

    @Override
    public synchronized void prune(int newest, Collection<Revision> keep) {
        try {
            copies.prune(newest, keep.stream().map(Revision::id).collect(Collectors.toSet()));
        } catch (IOException e) {
            throw Exports.failure("cannot prune old copies of " + describe(), e);
        }
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
            return contentHash(root);
        } catch (IOException | UncheckedIOException e) {
            throw new SourceException(Reason.OTHER, "cannot read the folder " + root + ": " + e.getMessage()
                    + "; check its permissions", e);
        }
    }

    /** Copies the folder's files into {@code target}; returns the hash of what was copied. */
    private String copyInto(Path target) throws IOException {
        for (Path file : files(root)) {
            Path copy = target.resolve(root.relativize(file).toString());
            Files.createDirectories(copy.getParent());
            Files.copy(file, copy);
        }
        return contentHash(target);
    }

    private static String contentHash(Path dir) throws IOException {
        MessageDigest digest = Digests.newSha256();
        byte[] buffer = new byte[1 << 16];
        for (Path file : files(dir)) {
            String relative = dir.relativize(file).toString().replace(file.getFileSystem().getSeparator(), "/");
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
    }

    /** Regular files under {@code dir} (links followed), dot-folders left out, sorted by relative path. */
    private static List<Path> files(Path dir) throws IOException {
        List<Path> files = new ArrayList<>();
        Files.walkFileTree(dir, new SimpleFileVisitor<>() {
            @Override
            public FileVisitResult preVisitDirectory(Path sub, BasicFileAttributes attrs) {
                if (!sub.equals(dir) && sub.getFileName().toString().startsWith(".")) {
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
        files.sort((a, b) -> dir.relativize(a).toString().compareTo(dir.relativize(b).toString()));
        return files;
    }
}
