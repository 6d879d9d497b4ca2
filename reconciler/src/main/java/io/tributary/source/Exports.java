package io.tributary.source;

import io.tributary.source.SourceException.Reason;
import java.io.IOException;
import java.io.OutputStream;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.DirectoryStream;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.attribute.FileTime;
import java.nio.file.attribute.PosixFilePermission;
import java.time.Clock;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.EnumSet;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.UUID;
import java.util.stream.Stream;
import org.eclipse.jgit.lib.FileMode;
import org.eclipse.jgit.lib.ObjectId;
import org.eclipse.jgit.lib.ObjectReader;
import org.eclipse.jgit.revwalk.RevCommit;
import org.eclipse.jgit.treewalk.TreeWalk;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Revisions as plain folders, {@code <dir>/<id>/}: commits' trees written straight from the object
 * database (no working tree, no index), or copies of a plain folder. A folder never changes once it
 * is there: it is filled under a temporary name and renamed into place. A folder's modification time
 * is when it was last handed out, which is what {@link #prune} orders by.
 */
final class Exports {
    private static final Logger LOG = LoggerFactory.getLogger(Exports.class);
    private static final String TEMP_PREFIX = ".tmp-";
    /** A temporary folder this old belongs to an export that died, not to one in progress. */
    private static final Duration ABANDONED = Duration.ofHours(1);

    private final Path dir;
    private final Clock clock;
    /** The regular files of the export written last: a file unchanged since is linked from it, not written again. */
    private volatile Written last;

    private record Written(Path root, Map<String, FileEntry> files) {}

    private record FileEntry(ObjectId blob, FileMode mode) {}

    Exports(Path dir, Clock clock) {
        this.dir = dir;
        this.clock = clock;
    }

    /** The folder of {@code commit}'s whole tree, written now or found from before. */
    Path export(ObjectReader reader, RevCommit commit) throws IOException {
        Optional<Path> found = find(commit.name());
        if (found.isPresent()) {
            return found.get();
        }
        Written before = last;
        Map<String, FileEntry> files = new HashMap<>();
        Path target = store(temp -> {
            files.putAll(write(reader, commit, temp, before));
            return commit.name();
        });
        last = new Written(target, files);
        return target;
    }

    /** Fills a folder; returns the id it is stored under. */
    @FunctionalInterface
    interface Fill {
        String into(Path folder) throws IOException;
    }

    /**
     * A folder filled by {@code fill} under a temporary name, then renamed to the id it returns. When a
     * folder of that id is there already (another writer's, with the same files) the new one is dropped.
     */
    Path store(Fill fill) throws IOException {
        Files.createDirectories(dir);
        Path temp = dir.resolve(TEMP_PREFIX + UUID.randomUUID());
        try {
            Files.createDirectories(temp);
            String id = fill.into(temp);
            Path target = dir.resolve(id);
            try {
                Files.move(temp, target, StandardCopyOption.ATOMIC_MOVE);
                LOG.debug("stored revision id={} dir={}", id, target);
            } catch (IOException e) {
                if (!Files.isDirectory(target)) {
                    throw e;
                }
            }
            touch(target);
            return target;
        } finally {
            deleteTree(temp);
        }
    }

    /** The folder stored under {@code id}, marked as used now; empty when there is none. */
    Optional<Path> find(String id) throws IOException {
        Path target = dir.resolve(id);
        if (id.startsWith(TEMP_PREFIX) || !Files.isDirectory(target)) {
            return Optional.empty();
        }
        touch(target);
        return Optional.of(target);
    }

    /** The ids of the folders stored, in no order. */
    List<String> ids() throws IOException {
        if (!Files.isDirectory(dir)) {
            return List.of();
        }
        List<String> ids = new ArrayList<>();
        try (DirectoryStream<Path> entries = Files.newDirectoryStream(dir)) {
            for (Path entry : entries) {
                String name = entry.getFileName().toString();
                if (!name.startsWith(TEMP_PREFIX) && Files.isDirectory(entry)) {
                    ids.add(name);
                }
            }
        }
        return ids;
    }

    /**
     * Writes the commit's tree under {@code root}; a regular file whose content and mode are the same
     * as in {@code previous} becomes a hard link to it (exports are never changed once written), so a
     * commit of one file to a repository of thousands writes one file.
     */
    private static Map<String, FileEntry> write(ObjectReader reader, RevCommit commit, Path root, Written previous)
            throws IOException {
        Files.createDirectories(root);
        Map<String, FileEntry> files = new HashMap<>();
        try (TreeWalk walk = new TreeWalk(reader)) {
            walk.addTree(commit.getTree());
            walk.setRecursive(true);
            while (walk.next()) {
                String path = walk.getPathString();
                FileMode mode = walk.getFileMode(0);
                Path file = root.resolve(path);
                if (!file.normalize().startsWith(root)) {
                    throw new IOException("tree entry " + path + " leaves the export");
                }
                if (mode == FileMode.REGULAR_FILE || mode == FileMode.EXECUTABLE_FILE) {
                    FileEntry entry = new FileEntry(walk.getObjectId(0), mode);
                    Files.createDirectories(file.getParent());
                    if (!linked(previous, path, entry, file)) {
                        try (OutputStream out = Files.newOutputStream(file)) {
                            reader.open(entry.blob()).copyTo(out);
                        }
                        if (mode == FileMode.EXECUTABLE_FILE) {
                            makeExecutable(file);
                        }
                    }
                    files.put(path, entry);
                } else if (mode == FileMode.SYMLINK) {
                    link(reader, walk, root, file);
                } else {
                    // a submodule (gitlink): its files are in another repository
                    LOG.debug("export skips submodule path={} commit={}", path, commit.name());
                }
            }
        }
        return files;
    }

    /** Whether {@code file} could be made a link to the same file of the previous export. */
    private static boolean linked(Written previous, String path, FileEntry entry, Path file) {
        if (previous == null || !entry.equals(previous.files().get(path))) {
            return false;
        }
        try {
            Files.createLink(file, previous.root().resolve(path));
            return true;
        } catch (IOException | UnsupportedOperationException e) {
            // pruned meanwhile, or a file system without hard links: written instead
            return false;
        }
    }

    /** A link whose target stays inside the export; one pointing outside is left out, so no file outside leaks in. */
    private static void link(ObjectReader reader, TreeWalk walk, Path root, Path file) throws IOException {
        String target = new String(reader.open(walk.getObjectId(0)).getCachedBytes(), StandardCharsets.UTF_8);
        Path resolved = file.getParent().resolve(target).normalize();
        if (Path.of(target).isAbsolute() || !resolved.startsWith(root)) {
            LOG.warn("export skips symbolic link pointing outside the repository path={} target={}",
                    walk.getPathString(), target);
            return;
        }
        Files.createDirectories(file.getParent());
        Files.createSymbolicLink(file, Path.of(target));
    }

    private static void makeExecutable(Path file) throws IOException {
        try {
            Set<PosixFilePermission> permissions = EnumSet.copyOf(Files.getPosixFilePermissions(file));
            permissions.add(PosixFilePermission.OWNER_EXECUTE);
            permissions.add(PosixFilePermission.GROUP_EXECUTE);
            permissions.add(PosixFilePermission.OTHERS_EXECUTE);
            Files.setPosixFilePermissions(file, permissions);
        } catch (UnsupportedOperationException e) {
            file.toFile().setExecutable(true, false);
        }
    }

    private void touch(Path target) throws IOException {
        Files.setLastModifiedTime(target, FileTime.from(clock.instant()));
    }

    /**
     * Deletes every export but the {@code newest} most recently handed out and those whose ids are
     * in {@code keep}; also temporary folders of exports that died.
     *
     * @return the ids deleted
     */
    List<String> prune(int newest, Set<String> keep) throws IOException {
        if (newest < 0) {
            throw new IllegalArgumentException("cannot keep a negative number of revisions: " + newest);
        }
        if (!Files.isDirectory(dir)) {
            return List.of();
        }
        List<Path> exports = new ArrayList<>();
        List<Path> temps = new ArrayList<>();
        try (DirectoryStream<Path> entries = Files.newDirectoryStream(dir)) {
            for (Path entry : entries) {
                if (entry.getFileName().toString().startsWith(TEMP_PREFIX)) {
                    temps.add(entry);
                } else if (Files.isDirectory(entry)) {
                    exports.add(entry);
                }
            }
        }
        exports.sort(Comparator.comparing(Exports::lastUsed).reversed().thenComparing(Path::getFileName));
        List<String> deleted = new ArrayList<>();
        int kept = 0;
        for (Path export : exports) {
            String id = export.getFileName().toString();
            if (keep.contains(id)) {
                continue;
            }
            if (kept < newest) {
                kept++;
                continue;
            }
            deleteTree(export);
            deleted.add(id);
        }
        FileTime abandoned = FileTime.from(clock.instant().minus(ABANDONED));
        for (Path temp : temps) {
            if (lastUsed(temp).compareTo(abandoned) < 0) {
                deleteTree(temp);
            }
        }
        if (!deleted.isEmpty()) {
            LOG.info("pruned revision exports deleted={} kept={} dir={}", deleted.size(), exports.size() - deleted.size(), dir);
        }
        return deleted;
    }

    private static FileTime lastUsed(Path path) {
        try {
            return Files.getLastModifiedTime(path);
        } catch (IOException e) {
            return FileTime.fromMillis(0);
        }
    }

    static void deleteTree(Path root) throws IOException {
        if (!Files.exists(root, LinkOption.NOFOLLOW_LINKS)) {
            return;
        }
        try (Stream<Path> paths = Files.walk(root)) {
            for (Path path : (Iterable<Path>) paths.sorted(Comparator.reverseOrder())::iterator) {
                try {
                    Files.delete(path);
                } catch (NoSuchFileException e) {
                    // gone already
                }
            }
        } catch (UncheckedIOException e) {
            throw e.getCause();
        }
    }

    static SourceException failure(String what, IOException e) {
        return new SourceException(Reason.OTHER, what + ": " + e.getMessage() + "; check the work directory's disk and permissions", e);
    }
}
