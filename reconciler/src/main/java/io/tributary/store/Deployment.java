package io.tributary.store;

import java.time.Instant;

/**
 * One Flink job the service started for an application; {@code endedAt} is null while it runs.
 * {@code jarSha256} is the digest of the jar a Project built that the job runs (jar.project apps), else null.
 */
public record Deployment(long id, String app, String jobId, String revision, String specHash, String restoredFrom,
        Instant startedAt, Instant endedAt, String endState, String jarSha256) {}
