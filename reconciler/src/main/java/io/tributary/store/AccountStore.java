package io.tributary.store;

import java.time.Clock;
import java.time.Instant;
import java.time.temporal.ChronoUnit;
import java.util.List;
import java.util.Optional;
import java.util.function.Function;
import org.jdbi.v3.core.Jdbi;

/**
 * What lets people in: password hashes, sessions, API tokens and first-password links. Only hashes
 * are stored; the secrets themselves are shown once and never written anywhere.
 */
public final class AccountStore {
    private final Jdbi jdbi;
    private final Clock clock;

    public AccountStore(Database db, Clock clock) {
        this.jdbi = db.jdbi();
        this.clock = clock;
    }

    public void setPasswordHash(String user, String hash) {
        dao(d -> {
            d.upsertPassword(user, hash, now());
            return null;
        });
    }

    public Optional<String> passwordHash(String user) {
        return dao(d -> d.passwordHash(user));
    }

    public void createSession(SessionRecord session) {
        dao(d -> {
            d.deleteExpiredSessions(now());
            d.insertSession(new SessionRecord(session.tokenHash(), session.userName(), session.csrfToken(),
                    micros(session.createdAt()), micros(session.expiresAt())));
            return null;
        });
    }

    /** The session of that cookie hash, unless it expired. */
    public Optional<SessionRecord> session(String tokenHash) {
        return dao(d -> d.session(tokenHash, now()));
    }

    public void deleteSession(String tokenHash) {
        dao(d -> {
            d.deleteSession(tokenHash);
            return null;
        });
    }

    /** Logs the user out everywhere, as a password change should. */
    public void deleteSessionsOf(String user) {
        dao(d -> {
            d.deleteSessionsOf(user);
            return null;
        });
    }

    /** Stores a new token and returns it with its id. */
    public ApiTokenRecord createToken(ApiTokenRecord token) {
        ApiTokenRecord toInsert = new ApiTokenRecord(0, token.userName(), token.name(), token.prefix(),
                token.tokenHash(), now(), micros(token.expiresAt()), null, null);
        long id = dao(d -> d.insertToken(toInsert));
        return new ApiTokenRecord(id, toInsert.userName(), toInsert.name(), toInsert.prefix(), toInsert.tokenHash(),
                toInsert.createdAt(), toInsert.expiresAt(), null, null);
    }

    public Optional<ApiTokenRecord> tokenByHash(String tokenHash) {
        return dao(d -> d.tokenByHash(tokenHash));
    }

    /** The user's tokens, newest first, revoked and expired ones included. */
    public List<ApiTokenRecord> tokensOf(String user) {
        return dao(d -> d.tokensOf(user));
    }

    public List<ApiTokenRecord> allTokens() {
        return dao(AccountDao::allTokens);
    }

    /** Revokes the token; false when it was already revoked or does not exist. */
    public boolean revokeToken(long id) {
        return dao(d -> d.revokeToken(id, now()) == 1);
    }

    public void touchToken(long id, Instant at) {
        dao(d -> {
            d.touchToken(id, micros(at));
            return null;
        });
    }

    public void createPasswordLink(String tokenHash, String user, Instant expiresAt) {
        dao(d -> {
            d.insertPasswordLink(tokenHash, user, now(), micros(expiresAt));
            return null;
        });
    }

    /** The link's user, once: a link is spent by the first call, and refused when expired. */
    public Optional<String> spendPasswordLink(String tokenHash) {
        return dao(d -> d.spendPasswordLink(tokenHash, now()));
    }

    /** Whether the link would set a password now: known, unused and not expired. */
    public boolean passwordLinkUsable(String tokenHash) {
        return dao(d -> d.passwordLinkUsable(tokenHash, now()));
    }

    private <R> R dao(Function<AccountDao, R> call) {
        return jdbi.withExtension(AccountDao.class, call::apply);
    }

    private Instant now() {
        return clock.instant().truncatedTo(ChronoUnit.MICROS);
    }

    private static Instant micros(Instant at) {
        return at == null ? null : at.truncatedTo(ChronoUnit.MICROS);
    }
}
