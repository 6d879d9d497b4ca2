package io.tributary.store;

import java.time.Instant;

/**
 * One incident: an event of an app ({@code team/name}), a cluster ({@code cluster:<name>}) or the
 * platform ({@code platform:source}), from when it fired until it was resolved (null while open).
 * {@code repeats} counts the reports of it while it was open.
 */
public record AlertRecord(long id, String subject, String event, String severity, String message, Instant openedAt,
        Instant lastSeenAt, Instant lastNotifiedAt, int repeats, Instant resolvedAt, String resolvedMessage,
        String revision) {

    public boolean open() {
        return resolvedAt == null;
    }
}
