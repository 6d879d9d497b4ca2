package io.tributary.flink;

import java.util.List;

/**
 * A call to Flink that did not succeed, with Flink's own message kept. The subtypes say what the
 * caller can do: an unreachable cluster is not a failed job.
 */
public abstract sealed class FlinkException extends RuntimeException
        permits FlinkException.Unreachable, FlinkException.NotFound, FlinkException.Rejected,
                FlinkException.ServerError {

    FlinkException(String message, Throwable cause) {
        super(message, cause);
    }

    /** The cluster did not answer (connection refused, timeout): its jobs are LOST, not FAILED. */
    public static final class Unreachable extends FlinkException {
        public Unreachable(String message, Throwable cause) {
            super(message, cause);
        }
    }

    /** The job, jar or operation does not exist on the cluster (HTTP 404). */
    public static final class NotFound extends FlinkException {
        public NotFound(String message) {
            super(message, null);
        }
    }

    /** Flink refused the request (HTTP 4xx): a bad request, e.g. a savepoint path it cannot read. */
    public static final class Rejected extends FlinkException {
        private final int status;

        public Rejected(int status, String message) {
            super(message, null);
            this.status = status;
        }

        public int status() {
            return status;
        }
    }

    /** Flink failed while handling the request (HTTP 5xx), e.g. the job's main method threw. */
    public static final class ServerError extends FlinkException {
        public ServerError(String message) {
            super(message, null);
        }
    }

    /** Flink's error body {@code {"errors": [...]}} joined for people; the first line is the summary. */
    static String describe(String call, int status, List<String> flinkErrors) {
        String detail = flinkErrors.isEmpty() ? "no details" : String.join("\n", flinkErrors);
        return call + " failed with HTTP " + status + ": " + detail;
    }
}
