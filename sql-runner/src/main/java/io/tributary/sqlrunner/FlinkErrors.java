package io.tributary.sqlrunner;

import java.util.Collections;
import java.util.IdentityHashMap;
import java.util.List;
import java.util.Set;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Collectors;

/** Turns what Flink throws into a message that names the script's line and keeps Flink's own words. */
final class FlinkErrors {

    /** Calcite's positions: "Encountered ... at line 1, column 8." and "From line 2, column 3 to ...". */
    private static final Pattern POSITION = Pattern.compile("(?:at|From) line (\\d+), column (\\d+)");
    /** Any position Calcite names, including the end of a range ("... to line 2, column 12"). */
    private static final Pattern ANY_POSITION = Pattern.compile("line (\\d+), column (\\d+)");
    private static final int MAX_EXPECTED_TOKENS = 8;
    private static final Pattern REPEATED_SENTENCE = Pattern.compile("([A-Z][^.\\n]{0,80}\\. )\\1+");

    private FlinkErrors() {
    }

    /**
     * A statement Flink rejected. Calcite counts lines and columns from the start of the statement;
     * the statement text is a verbatim slice of the script, so its positions map back exactly, the
     * one the message starts with and those in Flink's words alike.
     */
    static SqlScriptException rejected(Statement statement, RuntimeException error) {
        String message = describe(error);
        return new SqlScriptException(position(statement, message), "Flink rejected the statement starting at "
                + statement.position().describe() + ": " + concise(inScript(statement, message)), error);
    }

    /**
     * Where in the script a message about the statement points: the first position it names, mapped
     * from the statement to the script, or the statement's start when it names none we can trust.
     */
    static Position position(Statement statement, String message) {
        Matcher matcher = POSITION.matcher(message);
        if (matcher.find()) {
            Position mapped = statement.scriptPosition(
                    Integer.parseInt(matcher.group(1)), Integer.parseInt(matcher.group(2)));
            if (mapped != null) {
                return mapped;
            }
        }
        return statement.position();
    }

    /**
     * The message with every "line L, column C" it names rewritten as the script's line and column:
     * a reader of "From line 2, column 8 to line 2, column 12" looks at line 2 of the file, not of the
     * statement. Positions the statement does not have are left as Flink wrote them.
     */
    static String inScript(Statement statement, String message) {
        Matcher matcher = ANY_POSITION.matcher(message);
        StringBuilder text = new StringBuilder();
        while (matcher.find()) {
            Position mapped = statement.scriptPosition(
                    Integer.parseInt(matcher.group(1)), Integer.parseInt(matcher.group(2)));
            String replacement = mapped == null ? matcher.group() : "line " + mapped.line() + ", column " + mapped.column();
            matcher.appendReplacement(text, Matcher.quoteReplacement(replacement));
        }
        matcher.appendTail(text);
        return text.toString();
    }

    /** The statement set failed as a whole (planning or submission): name all its INSERTs. */
    static SqlScriptException jobFailed(List<Statement> inserts, RuntimeException error) {
        String lines = inserts.stream().map(s -> String.valueOf(s.line())).collect(Collectors.joining(", "));
        return new SqlScriptException(inserts.get(0).position(),
                "Flink could not run the job made of the INSERT " + (inserts.size() == 1 ? "statement at line " : "statements at lines ")
                        + lines + ": "
                        + describe(error), error);
    }

    /**
     * Flink's message and those of its causes: the top one is often generic ("Unable to create a
     * source for reading table ...") and the cause says why ("Cannot discover a connector ...").
     */
    static String describe(Throwable error) {
        StringBuilder text = new StringBuilder(messageOf(error));
        Set<Throwable> seen = Collections.newSetFromMap(new IdentityHashMap<>());
        seen.add(error);
        for (Throwable cause = error.getCause(); cause != null && seen.add(cause); cause = cause.getCause()) {
            String message = cause.getMessage();
            if (message != null && !message.isBlank() && text.indexOf(message) < 0) {
                text.append("\nCaused by: ").append(message);
            }
        }
        return text.toString();
    }

    private static String messageOf(Throwable error) {
        String message = error.getMessage();
        return message == null || message.isBlank() ? error.getClass().getName() : message;
    }

    /** Flink's message, less what repeats or buries the point. */
    static String concise(String message) {
        // Flink 1.20 wraps validation errors twice: "SQL validation failed. SQL validation failed. From ..."
        return REPEATED_SENTENCE.matcher(withoutLongTokenLists(message)).replaceAll("$1");
    }

    /**
     * The message without Calcite's "Was expecting one of:" lists when they are long: after a syntax
     * error they name hundreds of keywords and functions, which bury the line that says what is wrong.
     */
    static String withoutLongTokenLists(String message) {
        String[] lines = message.split("\n", -1);
        StringBuilder text = new StringBuilder();
        for (int i = 0; i < lines.length; i++) {
            int end = i + 1;
            if (lines[i].startsWith("Was expecting one of:")) {
                while (end < lines.length && (lines[end].startsWith(" ") || lines[end].isEmpty())) {
                    end++;
                }
                if (end - i - 1 > MAX_EXPECTED_TOKENS) {
                    i = end - 1;
                    continue;
                }
            }
            if (text.length() > 0) {
                text.append('\n');
            }
            text.append(lines[i]);
        }
        return text.toString().strip();
    }
}
