package io.tributary.server.auth;

import java.security.SecureRandom;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HexFormat;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.atomic.AtomicLong;

/** STAND-IN for the lead's auth contract (replaced when the "auth:" commits are merged): in memory. */
public final class ApiTokens {
    public record Token(long id, String user, String name, String prefix, Instant createdAt, Instant expiresAt,
            Instant lastUsedAt, Instant revokedAt) {}

    public record Created(Token token, String secret) {}

    private final List<Token> tokens = new CopyOnWriteArrayList<>();
    private final AtomicLong ids = new AtomicLong();

    public Created create(String user, String name, Instant expiresAt) {
        byte[] bytes = new byte[24];
        new SecureRandom().nextBytes(bytes);
        String secret = "trib_" + HexFormat.of().formatHex(bytes);
        Token token = new Token(ids.incrementAndGet(), user, name, secret.substring(0, 9), Instant.now(), expiresAt,
                null, null);
        tokens.add(token);
        return new Created(token, secret);
    }

    public List<Token> list(String user) {
        return new ArrayList<>(tokens.stream().filter(t -> t.user().equals(user)).toList());
    }

    public void revoke(String user, long id) {
        tokens.replaceAll(t -> t.id() == id && t.user().equals(user)
                ? new Token(t.id(), t.user(), t.name(), t.prefix(), t.createdAt(), t.expiresAt(), t.lastUsedAt(),
                        Instant.now())
                : t);
    }
}
