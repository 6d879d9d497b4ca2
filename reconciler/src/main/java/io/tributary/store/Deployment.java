package io.tributary.store;

import java.time.Instant;

/** One Flink job the service started for an application; {@code endedAt} is null while it runs. */
public record Deployment(long id, String app, String jobId, String revision, String specHash, String restoredFrom,
        Instant startedAt, Instant endedAt, String endState) {}
