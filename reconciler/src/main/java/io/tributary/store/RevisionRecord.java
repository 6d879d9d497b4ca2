package io.tributary.store;

import java.time.Instant;

/**
 * A fetched revision of the config repository ({@code name} such as {@code main@sha1:ab12...}, {@code id}
 * the commit or content hash), whether it validated ({@code errors}: one per line, or null) and when it
 * was applied (null if never).
 */
public record RevisionRecord(String name, String id, Instant fetchedAt, boolean valid, String errors,
        Instant appliedAt) {}
