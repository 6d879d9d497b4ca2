package io.tributary.server.auth;

import io.tributary.store.AccountStore;
import io.tributary.store.ApiTokenRecord;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.ConcurrentHashMap;

/**
 * API tokens for scripts: {@code trb_} and 43 random characters, shown once when created and stored
 * only as a hash. The first {@value #PREFIX_LENGTH} characters are kept in clear, so that their owner
 * can tell tokens apart. Lookups are cached for a few seconds; a revocation on this replica takes
 * effect at once.
 */
public final class ApiTokens {
    static final String MARK = "trb_";
    private static final int PREFIX_LENGTH = 12;
    private static final Duration CACHE_FOR = Duration.ofSeconds(5);
    /** Last use is written at most this often per token: a busy script must not write on every call. */
    private static final Duration TOUCH_EVERY = Duration.ofMinutes(1);

    /** A token as its owner sees it: never the secret, which exists only in {@link Created}. */
    public record Token(long id, String user, String name, String prefix, Instant createdAt, Instant expiresAt,
            Instant lastUsedAt, Instant revokedAt) {
        static Token of(ApiTokenRecord r) {
            return new Token(r.id(), r.userName(), r.name(), r.prefix(), r.createdAt(), r.expiresAt(), r.lastUsedAt(),
                    r.revokedAt());
        }
    }

    public record Created(Token token, String secret) {}

    private record Cached(Optional<ApiTokenRecord> token, Instant until) {}

    private final AccountStore accounts;
    private final Clock clock;
    private final ConcurrentHashMap<String, Cached> cache = new ConcurrentHashMap<>();
    private final ConcurrentHashMap<Long, Instant> lastTouched = new ConcurrentHashMap<>();

    public ApiTokens(AccountStore accounts, Clock clock) {
        this.accounts = accounts;
        this.clock = clock;
    }

    public Created create(String user, String name, Instant expiresAt) {
        if (name == null || name.isBlank() || name.length() > 100) {
            throw new IllegalArgumentException("a token needs a name of 1 to 100 characters, to tell it apart later");
        }
        if (expiresAt != null && !expiresAt.isAfter(clock.instant())) {
            throw new IllegalArgumentException("expiresAt " + expiresAt + " is not in the future");
        }
        String secret = MARK + RandomSecrets.generate();
        ApiTokenRecord stored = accounts.createToken(new ApiTokenRecord(0, user, name.strip(),
                secret.substring(0, PREFIX_LENGTH), RandomSecrets.hash(secret), null, expiresAt, null, null));
        return new Created(Token.of(stored), secret);
    }

    public List<Token> list(String user) {
        return accounts.tokensOf(user).stream().map(Token::of).toList();
    }

    public List<Token> listAll() {
        return accounts.allTokens().stream().map(Token::of).toList();
    }

    public Optional<Token> byId(long id) {
        return accounts.allTokens().stream().filter(t -> t.id() == id).findFirst().map(Token::of);
    }

    /** Revokes the token; false when it was revoked before. */
    public boolean revoke(long id) {
        boolean revoked = accounts.revokeToken(id);
        cache.clear();
        return revoked;
    }

    /** The token's record when {@code secret} is a token that is neither revoked nor expired. */
    Optional<Token> authenticate(String secret) {
        if (!secret.startsWith(MARK)) {
            return Optional.empty();
        }
        String hash = RandomSecrets.hash(secret);
        Instant now = clock.instant();
        Cached cached = cache.get(hash);
        if (cached == null || !now.isBefore(cached.until())) {
            cached = new Cached(accounts.tokenByHash(hash), now.plus(CACHE_FOR));
            if (cache.size() > 10_000) {
                cache.clear();
            }
            cache.put(hash, cached);
        }
        Optional<ApiTokenRecord> token = cached.token().filter(t -> t.isActive(now));
        token.ifPresent(t -> touch(t.id(), now));
        return token.map(Token::of);
    }

    private void touch(long id, Instant now) {
        Instant previous = lastTouched.get(id);
        if (previous == null || !now.isBefore(previous.plus(TOUCH_EVERY))) {
            lastTouched.put(id, now);
            accounts.touchToken(id, now);
        }
    }
}
