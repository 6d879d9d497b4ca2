package io.tributary.sqlrunner;

import io.tributary.sqlrunner.SqlLexer.Kind;
import io.tributary.sqlrunner.SqlLexer.Token;
import java.util.List;
import java.util.Optional;

/**
 * The SET and RESET statements, which the runner applies itself: {@code TableEnvironment.executeSql}
 * rejects SET. Accepted forms, keywords in any case:
 *
 * <pre>
 * SET 'key' = 'value';     quoted, '' inside stands for '
 * SET key = value;         unquoted, as older Flink SQL clients took them; both sides trimmed
 * SET;                     logs the script's settings
 * RESET 'key';  RESET key; back to the value the job started with
 * RESET;                   every key back to the value the job started with
 * </pre>
 */
sealed interface ConfigCommand {

    record SetOption(String key, String value) implements ConfigCommand {
    }

    record ResetOption(String key) implements ConfigCommand {
    }

    record ResetAll() implements ConfigCommand {
    }

    record ShowOptions() implements ConfigCommand {
    }

    /**
     * The command a statement is, or empty when it is no SET or RESET.
     *
     * @throws IllegalArgumentException when it is a SET or RESET that cannot be read; the message
     *     says what form is expected
     */
    static Optional<ConfigCommand> parse(String statement) {
        List<Token> tokens = SqlLexer.tokenize(statement);
        if (tokens.isEmpty()) {
            return Optional.empty();
        }
        List<Token> rest = tokens.subList(1, tokens.size());
        if (tokens.get(0).isWord("SET")) {
            return Optional.of(parseSet(statement, rest));
        }
        if (tokens.get(0).isWord("RESET")) {
            return Optional.of(rest.isEmpty() ? new ResetAll() : new ResetOption(operand(statement, rest, "key")));
        }
        return Optional.empty();
    }

    private static ConfigCommand parseSet(String statement, List<Token> rest) {
        if (rest.isEmpty()) {
            return new ShowOptions();
        }
        int equals = -1;
        for (int i = 0; i < rest.size() && equals < 0; i++) {
            if (rest.get(i).isSymbol('=')) {
                equals = i;
            }
        }
        if (equals < 0) {
            throw new IllegalArgumentException("SET needs a key and a value: SET 'key' = 'value'");
        }
        String key = operand(statement, rest.subList(0, equals), "key");
        String value = operand(statement, rest.subList(equals + 1, rest.size()), "value");
        return new SetOption(key, value);
    }

    /**
     * A key or value: one quoted string, or unquoted text taken as written (e.g. {@code
     * table.exec.mini-batch.enabled}, which the lexer sees as several tokens).
     */
    private static String operand(String statement, List<Token> tokens, String what) {
        if (tokens.isEmpty()) {
            throw new IllegalArgumentException("SET and RESET need a " + what + ": SET 'key' = 'value', RESET 'key'");
        }
        if (tokens.size() == 1 && tokens.get(0).kind() == Kind.STRING) {
            String unquoted = SqlLexer.unquote(tokens.get(0));
            if (what.equals("key") && unquoted.isBlank()) {
                throw new IllegalArgumentException("the key of SET or RESET is empty");
            }
            return unquoted;
        }
        if (tokens.stream().anyMatch(token -> token.kind() == Kind.STRING)) {
            throw new IllegalArgumentException(
                    "the " + what + " is partly quoted: quote all of it ('...') or none of it");
        }
        String text = statement.substring(tokens.get(0).start(), tokens.get(tokens.size() - 1).end());
        if (what.equals("key") && text.chars().anyMatch(Character::isWhitespace)) {
            throw new IllegalArgumentException("the key '" + text + "' has a space in it: keys are like 'pipeline.name'");
        }
        return text;
    }
}
