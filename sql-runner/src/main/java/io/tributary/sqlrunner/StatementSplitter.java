package io.tributary.sqlrunner;

import io.tributary.sqlrunner.SqlLexer.Token;
import java.util.ArrayList;
import java.util.List;

/**
 * Splits a SQL script into statements on the semicolons that end them, and knows nothing of Flink.
 *
 * <p>A semicolon inside a {@code '...'} string (with {@code ''} escapes), a {@code "..."} or
 * {@code `...`} identifier, a {@code --} line comment or a {@code /* *&#47;} block comment does not
 * split. Statements that are blank or only comments are dropped. Each statement keeps the line and
 * column where its first token starts, so errors Flink reports can be mapped back to the file.
 *
 * <p>Statement-set blocks come out flattened: {@code EXECUTE STATEMENT SET BEGIN ... END;} and the
 * SQL client's {@code BEGIN STATEMENT SET; ... END;} yield their inner statements, each with its own
 * position and {@link Statement#inStatementSet()} set, and the BEGIN/END wrappers disappear. The
 * runner puts every INSERT of a script into one statement set anyway, so the block needs no other
 * meaning, and the inner statements can be handed to Flink one by one with exact positions.
 */
public final class StatementSplitter {

    private StatementSplitter() {
    }

    /** @throws SqlScriptException for unclosed quotes, comments or statement-set blocks, and stray ENDs */
    public static List<Statement> split(String script) {
        LineIndex lines = LineIndex.of(script);
        List<Statement> statements = new ArrayList<>();
        Position openBlock = null; // where the statement set we are inside began, if any
        for (List<Token> tokens : splitOnSemicolons(SqlLexer.tokenize(script))) {
            Position start = lines.at(tokens.get(0).start());
            if (startsWithWords(tokens, "EXECUTE", "STATEMENT", "SET", "BEGIN")
                    || isExactly(tokens, "BEGIN", "STATEMENT", "SET")) {
                if (openBlock != null) {
                    throw new SqlScriptException(start,
                            "a statement set cannot open inside the one opened at " + openBlock.describe());
                }
                openBlock = start;
                // EXECUTE STATEMENT SET BEGIN has no semicolon of its own: the first INSERT follows BEGIN
                List<Token> rest = tokens.subList(tokens.get(0).isWord("EXECUTE") ? 4 : 3, tokens.size());
                if (!rest.isEmpty()) {
                    statements.add(statement(script, lines, rest, true));
                }
            } else if (isExactly(tokens, "END")) {
                if (openBlock == null) {
                    throw new SqlScriptException(start, "END closes no statement set");
                }
                openBlock = null;
            } else {
                statements.add(statement(script, lines, tokens, openBlock != null));
            }
        }
        if (openBlock != null) {
            throw new SqlScriptException(openBlock, "the statement set opened here is never closed with END;");
        }
        return List.copyOf(statements);
    }

    /** Token runs between semicolons; runs without tokens (blank or comment-only statements) are dropped. */
    private static List<List<Token>> splitOnSemicolons(List<Token> tokens) {
        List<List<Token>> runs = new ArrayList<>();
        int from = 0;
        for (int i = 0; i <= tokens.size(); i++) {
            if (i == tokens.size() || tokens.get(i).isSymbol(';')) {
                if (i > from) {
                    runs.add(tokens.subList(from, i));
                }
                from = i + 1;
            }
        }
        return runs;
    }

    private static Statement statement(String script, LineIndex lines, List<Token> tokens, boolean inStatementSet) {
        int start = tokens.get(0).start();
        int end = tokens.get(tokens.size() - 1).end(); // trailing comments are not part of the statement
        Position position = lines.at(start);
        return new Statement(script.substring(start, end), position.line(), position.column(), inStatementSet);
    }

    private static boolean startsWithWords(List<Token> tokens, String... words) {
        if (tokens.size() < words.length) {
            return false;
        }
        for (int i = 0; i < words.length; i++) {
            if (!tokens.get(i).isWord(words[i])) {
                return false;
            }
        }
        return true;
    }

    private static boolean isExactly(List<Token> tokens, String... words) {
        return tokens.size() == words.length && startsWithWords(tokens, words);
    }
}
