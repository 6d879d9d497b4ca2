package io.tributary.flink;

/**
 * A problem Flink's planner found in a SQL script.
 *
 * @param line 1-based line in the script, or 0 when the problem is the script as a whole (it has no
 *     INSERT, say), which callers report at the place the script is named
 * @param column 1-based column in the script, or 0 with line 0
 * @param message Flink's words (positions inside it already rewritten as the script's)
 */
public record SqlProblem(int line, int column, String message) {

    public SqlProblem {
        if (line < 0 || column < 0 || (line == 0) != (column == 0)) {
            throw new IllegalArgumentException("no such position: " + line + ":" + column);
        }
        if (message == null || message.isBlank()) {
            throw new IllegalArgumentException("a problem says what is wrong");
        }
    }

    /** Reads SqlCheck's {@code line:column:message}, the form that crosses the class loaders. */
    static SqlProblem parse(String text) {
        int first = text.indexOf(':');
        int second = first < 0 ? -1 : text.indexOf(':', first + 1);
        if (second < 0) {
            throw new IllegalArgumentException("not line:column:message: " + text);
        }
        try {
            return new SqlProblem(Integer.parseInt(text.substring(0, first)),
                    Integer.parseInt(text.substring(first + 1, second)), text.substring(second + 1));
        } catch (NumberFormatException e) {
            throw new IllegalArgumentException("not line:column:message: " + text, e);
        }
    }

    /** {@code 12:5: message}, to follow a file name. */
    @Override
    public String toString() {
        return line + ":" + column + ": " + message;
    }
}
