package io.tributary.store;

import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Set;

/**
 * One build of a Project: which commit, with which build spec, why, how it went. {@code log} is
 * left empty in lists; {@link BuildStore#build(long)} reads it.
 *
 * @param project {@code team/name}
 * @param status {@code queued}, {@code running}, {@code succeeded}, {@code failed} or {@code canceled}
 * @param reusedFrom the earlier build whose artifacts this one took without running Maven, or null
 * @param wanted the artifact paths the apps named when the build was queued; null for builds recorded
 *     before the service kept them
 */
public record BuildRecord(long id, String project, String commitId, String revision, String specHash, String status,
        String trigger, String message, Long reusedFrom, Instant createdAt, Instant startedAt, Instant finishedAt,
        String log, List<String> wanted, List<BuiltArtifact> artifacts) {

    public static final String QUEUED = "queued";
    public static final String RUNNING = "running";
    public static final String SUCCEEDED = "succeeded";
    public static final String FAILED = "failed";
    public static final String CANCELED = "canceled";
    static final Set<String> STATUSES = Set.of(QUEUED, RUNNING, SUCCEEDED, FAILED, CANCELED);

    public BuildRecord {
        artifacts = artifacts == null ? List.of() : List.copyOf(artifacts);
        log = log == null ? "" : log;
        wanted = wanted == null ? null : List.copyOf(wanted);
    }

    /** A jar a build produced, by its path in the repository and its content digest. */
    public record BuiltArtifact(String path, String sha256, long sizeBytes) {}

    public boolean finished() {
        return SUCCEEDED.equals(status) || FAILED.equals(status) || CANCELED.equals(status);
    }

    /** How long it ran (so far, at {@code now}); null before it started. */
    public Duration duration(Instant now) {
        if (startedAt == null) {
            return null;
        }
        return Duration.between(startedAt, finishedAt == null ? now : finishedAt);
    }

    /** The artifact at {@code path}, if this build has it. */
    public java.util.Optional<BuiltArtifact> artifact(String path) {
        return artifacts.stream().filter(a -> a.path().equals(path)).findFirst();
    }

    BuildRecord withArtifacts(List<BuiltArtifact> list) {
        return new BuildRecord(id, project, commitId, revision, specHash, status, trigger, message, reusedFrom,
                createdAt, startedAt, finishedAt, log, wanted, list);
    }
}
