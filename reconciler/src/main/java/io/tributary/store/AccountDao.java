package io.tributary.store;

import java.time.Instant;
import java.util.List;
import java.util.Optional;
import org.jdbi.v3.sqlobject.config.RegisterConstructorMapper;
import org.jdbi.v3.sqlobject.customizer.Bind;
import org.jdbi.v3.sqlobject.customizer.BindMethods;
import org.jdbi.v3.sqlobject.statement.GetGeneratedKeys;
import org.jdbi.v3.sqlobject.statement.SqlQuery;
import org.jdbi.v3.sqlobject.statement.SqlUpdate;

/** Password hashes, sessions, API tokens and first-password links. */
@RegisterConstructorMapper(SessionRecord.class)
@RegisterConstructorMapper(ApiTokenRecord.class)
interface AccountDao {
    @SqlUpdate("""
            INSERT INTO user_passwords (user_name, hash, updated_at) VALUES (:user, :hash, :at)
            ON CONFLICT (user_name) DO UPDATE SET hash = excluded.hash, updated_at = excluded.updated_at
            """)
    void upsertPassword(@Bind("user") String user, @Bind("hash") String hash, @Bind("at") Instant at);

    @SqlQuery("SELECT hash FROM user_passwords WHERE user_name = :user")
    Optional<String> passwordHash(@Bind("user") String user);

    @SqlUpdate("""
            INSERT INTO sessions (token_hash, user_name, csrf_token, created_at, expires_at)
            VALUES (:s.tokenHash, :s.userName, :s.csrfToken, :s.createdAt, :s.expiresAt)
            """)
    void insertSession(@BindMethods("s") SessionRecord session);

    @SqlQuery("SELECT * FROM sessions WHERE token_hash = :hash AND expires_at > :now")
    Optional<SessionRecord> session(@Bind("hash") String tokenHash, @Bind("now") Instant now);

    @SqlUpdate("DELETE FROM sessions WHERE token_hash = :hash")
    void deleteSession(@Bind("hash") String tokenHash);

    @SqlUpdate("DELETE FROM sessions WHERE user_name = :user")
    void deleteSessionsOf(@Bind("user") String user);

    @SqlUpdate("DELETE FROM sessions WHERE expires_at <= :now")
    int deleteExpiredSessions(@Bind("now") Instant now);

    @SqlUpdate("""
            INSERT INTO api_tokens (user_name, name, prefix, token_hash, created_at, expires_at)
            VALUES (:t.userName, :t.name, :t.prefix, :t.tokenHash, :t.createdAt, :t.expiresAt)
            """)
    @GetGeneratedKeys("id")
    long insertToken(@BindMethods("t") ApiTokenRecord token);

    @SqlQuery("SELECT * FROM api_tokens WHERE token_hash = :hash")
    Optional<ApiTokenRecord> tokenByHash(@Bind("hash") String tokenHash);

    @SqlQuery("SELECT * FROM api_tokens WHERE user_name = :user ORDER BY id DESC")
    List<ApiTokenRecord> tokensOf(@Bind("user") String user);

    @SqlQuery("SELECT * FROM api_tokens ORDER BY id DESC")
    List<ApiTokenRecord> allTokens();

    @SqlUpdate("UPDATE api_tokens SET revoked_at = :at WHERE id = :id AND revoked_at IS NULL")
    int revokeToken(@Bind("id") long id, @Bind("at") Instant at);

    @SqlUpdate("UPDATE api_tokens SET last_used_at = :at WHERE id = :id")
    void touchToken(@Bind("id") long id, @Bind("at") Instant at);

    @SqlUpdate("""
            INSERT INTO password_links (token_hash, user_name, created_at, expires_at)
            VALUES (:hash, :user, :at, :expires)
            """)
    void insertPasswordLink(@Bind("hash") String tokenHash, @Bind("user") String user, @Bind("at") Instant at,
            @Bind("expires") Instant expiresAt);

    /** Spends the link: answers its user once, and nothing for a used, expired or unknown link. */
    @SqlQuery("""
            UPDATE password_links SET used_at = :now
            WHERE token_hash = :hash AND used_at IS NULL AND expires_at > :now
            RETURNING user_name
            """)
    Optional<String> spendPasswordLink(@Bind("hash") String tokenHash, @Bind("now") Instant now);

    @SqlQuery("SELECT EXISTS (SELECT 1 FROM password_links WHERE token_hash = :hash AND used_at IS NULL"
            + " AND expires_at > :now)")
    boolean passwordLinkUsable(@Bind("hash") String tokenHash, @Bind("now") Instant now);
}
