package io.tributary.server.auth;

import at.favre.lib.crypto.bcrypt.BCrypt;
import io.tributary.store.AccountStore;
import java.nio.charset.StandardCharsets;
import java.util.Optional;

/** Users' passwords, kept as bcrypt hashes: slow on purpose, so a stolen database is slow to guess from. */
public final class Passwords {
    /** 2^12 rounds: about a quarter of a second per check on one core here. */
    private static final int COST = 12;
    public static final int MIN_LENGTH = 12;
    /** bcrypt reads at most 72 bytes; a longer password would be silently cut. */
    public static final int MAX_BYTES = 72;
    /** Checked against when the user has no password, so that a missing user takes as long as a wrong password. */
    private static final String DUMMY_HASH = BCrypt.withDefaults().hashToString(COST, "not-a-password".toCharArray());

    private final AccountStore accounts;

    public Passwords(AccountStore accounts) {
        this.accounts = accounts;
    }

    /** Why {@code password} may not be used, or empty when it may. */
    public static Optional<String> weakness(String password) {
        if (password == null || password.length() < MIN_LENGTH) {
            return Optional.of("a password needs at least " + MIN_LENGTH + " characters");
        }
        if (password.getBytes(StandardCharsets.UTF_8).length > MAX_BYTES) {
            return Optional.of("a password may have at most " + MAX_BYTES + " bytes");
        }
        return Optional.empty();
    }

    /** Sets the user's password and logs them out everywhere. */
    public void set(String user, String password) {
        weakness(password).ifPresent(w -> {
            throw new IllegalArgumentException(w);
        });
        accounts.setPasswordHash(user, BCrypt.withDefaults().hashToString(COST, password.toCharArray()));
        accounts.deleteSessionsOf(user);
    }

    public boolean isSet(String user) {
        return accounts.passwordHash(user).isPresent();
    }

    public boolean matches(String user, String password) {
        Optional<String> hash = accounts.passwordHash(user);
        char[] given = password == null ? new char[0] : password.toCharArray();
        boolean verified = BCrypt.verifyer().verify(given, hash.orElse(DUMMY_HASH)).verified;
        return hash.isPresent() && verified;
    }
}
