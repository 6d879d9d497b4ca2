package io.tributary.store;

import java.time.Instant;

/**
 * What the service last knew of one application. {@code id} is the app's stable number from
 * {@link Store#appId}: it is read, never written, through this record.
 */
public record AppStatus(String app, long id, String jobId, String specHash, String revision, String cluster,
        String deploymentMode, String jobState, String health, String sync, String message, Instant updatedAt) {}
