package io.tributary.source;

import java.nio.file.Path;
import java.time.Clock;
import java.util.Collection;
import java.util.Objects;

/**
 * Where config revisions come from: a Git repository (a URL or a local clone) followed at a branch
 * or pinned at a tag or commit, or a plain folder named by its contents. Open one per source with
 * {@link #open(SourceSpec, Path)}; methods are safe to call from several threads.
 */
public interface ConfigSource extends AutoCloseable {
    /** How many exports {@link #prune(Collection)} keeps besides the ones it is told to keep. */
    int DEFAULT_KEEP = 5;

    /**
     * Fetches the followed ref and returns its current revision: a new one after a push (a
     * force-push too), the same one when nothing changed. A pinned commit is fetched once.
     */
    Checkout fetch() throws SourceException;

    /**
     * Any revision, for comparing two: a branch or tag (its current tip, fetched), a commit
     * ({@code sha1:<hex>}, 40 or at least 4 hex digits of one already fetched) or a full revision
     * name such as {@code main@sha1:<hex>}. Whatever was fetched before is found without the network.
     */
    Checkout checkout(String revision) throws SourceException;

    /** For logs and pages: kind, location (never a secret), ref and path. */
    String describe();

    /**
     * Deletes the exports of all but the {@code newest} most recently used revisions and those in
     * {@code keep} (the one in force, the one being loaded). Checkouts of deleted revisions become
     * invalid; nothing else does. A plain folder's copies are pruned the same way, and a pruned one is gone.
     */
    void prune(int newest, Collection<Revision> keep);

    /** {@link #prune(int, Collection)} keeping {@value #DEFAULT_KEEP} besides {@code keep}. */
    default void prune(Collection<Revision> keep) {
        prune(DEFAULT_KEEP, keep);
    }

    /**
     * Finishes what {@link #fetch()} left for a quiet moment (a Git source read in place copies the
     * new revision's objects into its clone). Cheap when there is nothing to do; never throws.
     */
    default void settle() {}

    /** Releases connections and files; the exports stay on disk. */
    @Override
    void close();

    /**
     * The source for {@code spec}, keeping its clone, exports and SSH state under {@code workDir}
     * (several sources may share one). Nothing is fetched yet.
     *
     * @throws SourceException when the location cannot be a source (a local path that does not
     *     exist, credentials that do not fit the URL's protocol)
     */
    static ConfigSource open(SourceSpec spec, Path workDir) throws SourceException {
        return open(spec, workDir, Clock.systemUTC());
    }

    /** As {@link #open(SourceSpec, Path)}, with the clock that stamps revisions and exports. */
    static ConfigSource open(SourceSpec spec, Path workDir, Clock clock) throws SourceException {
        Objects.requireNonNull(spec, "spec");
        Objects.requireNonNull(workDir, "workDir");
        Objects.requireNonNull(clock, "clock");
        Location location = Location.parse(spec.location());
        if (location.isGit()) {
            return GitSource.open(spec, location, workDir.toAbsolutePath(), clock);
        }
        return DirectorySource.open(spec, location, workDir.toAbsolutePath(), clock);
    }
}
