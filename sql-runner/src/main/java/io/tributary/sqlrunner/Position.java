package io.tributary.sqlrunner;

/** A 1-based line and column in the script, as an editor shows them. */
record Position(int line, int column) {

    Position {
        if (line < 1 || column < 1) {
            throw new IllegalArgumentException("positions are 1-based: " + line + ":" + column);
        }
    }

    /** The form every message of the runner starts with, so the service can map it to {@code file:line:column}. */
    String describe() {
        return "line " + line + ", column " + column;
    }
}
