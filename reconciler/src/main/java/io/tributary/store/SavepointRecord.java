package io.tributary.store;

import java.time.Instant;
import java.util.Set;

/**
 * A savepoint or retained checkpoint of an application, by path. {@code kind} is one of savepoint,
 * periodic, final, checkpoint, manual, or external (one Tributary did not take that a job started
 * from, never disposed by it); {@code disposedAt} is set once its files were removed. {@code sizeBytes}
 * is null when its files could not be measured from here (not on a local disk).
 */
public record SavepointRecord(long id, String app, String jobId, String path, String kind, Long sizeBytes,
        Instant createdAt, Instant disposedAt, String revision) {

    static final Set<String> KINDS = Set.of("savepoint", "periodic", "final", "checkpoint", "manual", "external");
}
