package io.tributary.store;

import java.time.Instant;

/** Who did what to which target, when and why; {@code details} is free text (JSON if the caller likes). */
public record AuditEvent(long id, Instant at, String actor, String action, String target, String reason,
        String details) {}
