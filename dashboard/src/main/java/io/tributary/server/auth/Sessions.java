package io.tributary.server.auth;

import io.tributary.store.AccountStore;
import io.tributary.store.SessionRecord;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.Optional;
import java.util.concurrent.ConcurrentHashMap;

/**
 * Browser sessions: the cookie holds a random secret, the store its hash. Lookups are cached for a
 * few seconds so that a dashboard's reads do not each cost a query; a logout on this replica takes
 * effect at once, on another within {@link #CACHE_FOR}.
 */
final class Sessions {
    static final Duration LIFETIME = Duration.ofHours(12);
    private static final Duration CACHE_FOR = Duration.ofSeconds(5);

    record Session(String user, String csrfToken, String tokenHash, Instant expiresAt) {}

    /** A new session and the cookie value that opens it (the only place that value exists). */
    record Opened(Session session, String cookieValue) {}

    private record Cached(Optional<Session> session, Instant until) {}

    private final AccountStore accounts;
    private final Clock clock;
    private final ConcurrentHashMap<String, Cached> cache = new ConcurrentHashMap<>();

    Sessions(AccountStore accounts, Clock clock) {
        this.accounts = accounts;
        this.clock = clock;
    }

    Opened open(String user) {
        String secret = RandomSecrets.generate();
        Instant now = clock.instant();
        Session session = new Session(user, RandomSecrets.generate(), RandomSecrets.hash(secret), now.plus(LIFETIME));
        accounts.createSession(new SessionRecord(session.tokenHash(), user, session.csrfToken(), now,
                session.expiresAt()));
        return new Opened(session, secret);
    }

    Optional<Session> find(String cookieValue) {
        String hash = RandomSecrets.hash(cookieValue);
        Instant now = clock.instant();
        Cached cached = cache.get(hash);
        if (cached == null || !now.isBefore(cached.until())) {
            Optional<Session> session = accounts.session(hash)
                    .map(r -> new Session(r.userName(), r.csrfToken(), r.tokenHash(), r.expiresAt()));
            cached = new Cached(session, now.plus(CACHE_FOR));
            if (cache.size() > 10_000) {
                cache.clear();
            }
            cache.put(hash, cached);
        }
        return cached.session().filter(s -> now.isBefore(s.expiresAt()));
    }

    void close(Session session) {
        accounts.deleteSession(session.tokenHash());
        cache.remove(session.tokenHash());
    }

    /** Forgets cached sessions, so that logging a user out everywhere takes effect here at once. */
    void forgetCached() {
        cache.clear();
    }
}
