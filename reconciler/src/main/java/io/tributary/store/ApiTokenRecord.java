package io.tributary.store;

import java.time.Instant;

/**
 * An API token as stored: never the token itself, only its hash and the first characters that let its
 * owner recognise it ({@code prefix}). Null {@code expiresAt} never expires.
 */
public record ApiTokenRecord(long id, String userName, String name, String prefix, String tokenHash,
        Instant createdAt, Instant expiresAt, Instant lastUsedAt, Instant revokedAt) {

    /** Usable at {@code now}: neither revoked nor expired. */
    public boolean isActive(Instant now) {
        return revokedAt == null && (expiresAt == null || now.isBefore(expiresAt));
    }
}
