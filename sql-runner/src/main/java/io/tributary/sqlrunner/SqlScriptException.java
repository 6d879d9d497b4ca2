package io.tributary.sqlrunner;

/**
 * Why a script cannot run, said so a person can fix it: the message starts with the script's line
 * and column ({@code line 12, column 5: ...}) whenever the problem has a place. SqlRunner throws it out
 * of {@code main} instead of calling {@code System.exit}: a job submitted through Flink's REST run
 * endpoint runs its main inside the JobManager, and exiting would take the JobManager down; Flink
 * reports the exception's message to the caller instead.
 */
public final class SqlScriptException extends RuntimeException {

    private static final long serialVersionUID = 1L;

    private final int line;
    private final int column;

    SqlScriptException(Position position, String message) {
        this(position, message, null);
    }

    SqlScriptException(Position position, String message, Throwable cause) {
        super(position == null ? message : position.describe() + ": " + message, cause);
        this.line = position == null ? 0 : position.line();
        this.column = position == null ? 0 : position.column();
    }

    /** The 1-based line in the script, or 0 when the problem is the script as a whole. */
    public int line() {
        return line;
    }

    /** The 1-based column in the script, or 0 when the problem is the script as a whole. */
    public int column() {
        return column;
    }
}
