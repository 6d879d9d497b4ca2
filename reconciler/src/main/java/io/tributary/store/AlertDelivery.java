package io.tributary.store;

import java.time.Instant;

/**
 * One attempt to deliver a notice to a channel. {@code alertId} is null for a test alert; {@code kind}
 * is firing, repeat, resolved, digest or test; {@code detail} is what the receiver answered or why
 * it could not be reached (never a secret or a signed URL).
 */
public record AlertDelivery(long id, Long alertId, String channel, String kind, int attempt, Instant at, boolean ok,
        String detail) {}
