package io.tributary.sqlrunner;

/**
 * One statement of a script, without its terminating semicolon, and where it starts in the script.
 * The text is a verbatim slice of the script starting at its first token, so a position Flink
 * reports relative to the statement maps back to the script by plain arithmetic.
 *
 * @param text the statement, from its first token to its last (comments in between kept)
 * @param line 1-based line of the statement's first character in the script
 * @param column 1-based column of the statement's first character in the script
 * @param inStatementSet whether it stood inside {@code EXECUTE STATEMENT SET BEGIN ... END} or
 *     {@code BEGIN STATEMENT SET; ... END}
 */
public record Statement(String text, int line, int column, boolean inStatementSet) {

    public Statement {
        if (text == null || text.isBlank()) {
            throw new IllegalArgumentException("a statement has text");
        }
        if (line < 1 || column < 1) {
            throw new IllegalArgumentException("positions are 1-based: " + line + ":" + column);
        }
    }

    Position position() {
        return new Position(line, column);
    }

    /**
     * Where a position given relative to this statement's text (1-based, as Calcite reports it:
     * "From line 2, column 8") lies in the script; null when the statement has no such line.
     */
    Position scriptPosition(int relativeLine, int relativeColumn) {
        if (relativeLine < 1 || relativeColumn < 1 || relativeLine > LineIndex.of(text).lineCount()) {
            return null;
        }
        return relativeLine == 1
                ? new Position(line, column + relativeColumn - 1)
                : new Position(line + relativeLine - 1, relativeColumn);
    }

    /** The rest of this statement from {@code offset} into its text, with its own position. */
    Statement suffix(int offset) {
        Position relative = LineIndex.of(text).at(offset);
        Position start = scriptPosition(relative.line(), relative.column());
        return new Statement(text.substring(offset), start.line(), start.column(), inStatementSet);
    }
}
