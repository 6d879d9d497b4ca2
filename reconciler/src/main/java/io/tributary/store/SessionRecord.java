package io.tributary.store;

import java.time.Instant;

/** A logged-in browser: the hash of its cookie's value, whose it is, and the CSRF token its forms carry. */
public record SessionRecord(String tokenHash, String userName, String csrfToken, Instant createdAt, Instant expiresAt) {}
