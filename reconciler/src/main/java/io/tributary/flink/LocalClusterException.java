package io.tributary.flink;

/** The local cluster could not be started, did not become ready, or lost a process for good. */
public final class LocalClusterException extends RuntimeException {
    private static final long serialVersionUID = 1L;

    LocalClusterException(String message) {
        super(message);
    }

    LocalClusterException(String message, Throwable cause) {
        super(message, cause);
    }
}
