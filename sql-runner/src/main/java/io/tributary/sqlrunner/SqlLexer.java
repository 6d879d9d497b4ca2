package io.tributary.sqlrunner;

import java.util.ArrayList;
import java.util.List;

/**
 * Cuts SQL text into the few kinds of token the runner needs to find statement boundaries and
 * leading keywords. It is not a SQL parser: Flink's planner parses each statement for real. What it
 * must get right is where quoted text and comments start and end, so that a semicolon or keyword
 * inside them is never taken for one outside. Whitespace and comments are skipped, never tokens.
 *
 * <p>Calcite also reads {@code //} as a line comment, but here it is ordinary text: unquoted SET
 * values are often URLs ({@code SET state.checkpoints.dir = s3://bucket/cp;}), and reading those as
 * comments would swallow the semicolon. Flink still skips a {@code //} comment within a statement;
 * only a semicolon or quote inside one would be misread.
 */
final class SqlLexer {

    enum Kind {
        /** Letters, digits, {@code _} and {@code $}: keywords, plain identifiers, numbers. */
        WORD,
        /** {@code '...'} with {@code ''} standing for a quote inside. */
        STRING,
        /** {@code "..."} or {@code `...`}, with a doubled quote standing for one inside. */
        QUOTED_IDENTIFIER,
        /** Any other single character: {@code ; = ( ) . ,} and so on. */
        SYMBOL
    }

    /** A token and where it is: {@code start} inclusive, {@code end} exclusive offsets into the text. */
    record Token(Kind kind, int start, int end, String text) {

        boolean isWord(String word) {
            return kind == Kind.WORD && text.equalsIgnoreCase(word);
        }

        boolean isSymbol(char symbol) {
            return kind == Kind.SYMBOL && text.charAt(0) == symbol;
        }
    }

    private SqlLexer() {
    }

    /** @throws SqlScriptException for a string, quoted identifier or block comment that is never closed */
    static List<Token> tokenize(String sql) {
        List<Token> tokens = new ArrayList<>();
        int length = sql.length();
        int i = 0;
        while (i < length) {
            char c = sql.charAt(i);
            int end;
            if (Character.isWhitespace(c)) {
                i++;
                continue;
            } else if (c == '-' && startsAt(sql, i, "--")) {
                i = endOfLine(sql, i);
                continue;
            } else if (c == '/' && startsAt(sql, i, "/*")) {
                // Calcite's block comments do not nest; hints (/*+ ... */) are lexically comments too
                int close = sql.indexOf("*/", i + 2);
                if (close < 0) {
                    throw unterminated(sql, i, "comment", "*/");
                }
                i = close + 2;
                continue;
            } else if (c == '\'') {
                end = closingQuote(sql, i, "string literal");
                tokens.add(new Token(Kind.STRING, i, end, sql.substring(i, end)));
            } else if (c == '"' || c == '`') {
                end = closingQuote(sql, i, "quoted identifier");
                tokens.add(new Token(Kind.QUOTED_IDENTIFIER, i, end, sql.substring(i, end)));
            } else if (isWordChar(c)) {
                end = i + 1;
                while (end < length && isWordChar(sql.charAt(end))) {
                    end++;
                }
                tokens.add(new Token(Kind.WORD, i, end, sql.substring(i, end)));
            } else {
                end = i + 1;
                tokens.add(new Token(Kind.SYMBOL, i, end, sql.substring(i, end)));
            }
            i = end;
        }
        return tokens;
    }

    /** The text of a {@code '...'} string literal without its quotes, {@code ''} read as {@code '}. */
    static String unquote(Token string) {
        String text = string.text();
        char quote = text.charAt(0);
        return text.substring(1, text.length() - 1).replace(String.valueOf(quote) + quote, String.valueOf(quote));
    }

    private static boolean isWordChar(char c) {
        return Character.isLetterOrDigit(c) || c == '_' || c == '$';
    }

    private static boolean startsAt(String sql, int offset, String prefix) {
        return sql.startsWith(prefix, offset);
    }

    private static int endOfLine(String sql, int from) {
        int i = from;
        while (i < sql.length() && sql.charAt(i) != '\n' && sql.charAt(i) != '\r') {
            i++;
        }
        return i;
    }

    /** The offset just past the quote that closes the one at {@code open}; a doubled quote is an escaped one. */
    private static int closingQuote(String sql, int open, String what) {
        char quote = sql.charAt(open);
        int i = open + 1;
        while (true) {
            int candidate = sql.indexOf(quote, i);
            if (candidate < 0) {
                throw unterminated(sql, open, what, String.valueOf(quote));
            }
            if (candidate + 1 < sql.length() && sql.charAt(candidate + 1) == quote) {
                i = candidate + 2;
            } else {
                return candidate + 1;
            }
        }
    }

    private static SqlScriptException unterminated(String sql, int open, String what, String closer) {
        return new SqlScriptException(LineIndex.of(sql).at(open),
                what + " is never closed: the closing " + closer + " is missing");
    }
}
