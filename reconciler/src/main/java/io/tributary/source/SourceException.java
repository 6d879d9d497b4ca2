package io.tributary.source;

import java.util.Objects;

/**
 * The source could not give a revision. The message is for people: it names the source without
 * secrets and says what to do; {@link #reason()} is for code (retry UNREACHABLE with a backoff,
 * alert on the others).
 */
public final class SourceException extends RuntimeException {
    private static final long serialVersionUID = 1L;

    /** Why, as far as the source can tell. */
    public enum Reason {
        /** The network, the host or the repository is not there; usually passes, so retry. */
        UNREACHABLE,
        /** The credentials were missing, wrong or not allowed; or the server's host key was not trusted. */
        AUTHENTICATION,
        /** The branch, tag or commit does not exist in the repository. */
        REF_NOT_FOUND,
        /** The revision has no such folder as the source's path. */
        PATH_NOT_FOUND,
        /** Anything else: a broken repository, a full disk, a bad location. */
        OTHER
    }

    private final Reason reason;

    public SourceException(Reason reason, String message) {
        this(reason, message, null);
    }

    public SourceException(Reason reason, String message, Throwable cause) {
        super(message, cause);
        this.reason = Objects.requireNonNull(reason, "reason");
    }

    public Reason reason() {
        return reason;
    }
}
