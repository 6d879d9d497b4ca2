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

    private FlinkErrors() {
    }

    /**
     * A statement Flink rejected. Calcite counts lines and columns from the start of the statement;
     * the statement text is a verbatim slice of the script, so its position maps back exactly.
     */
    static SqlScriptException rejected(Statement statement, RuntimeException error) {
        String message = describe(error);
        Position at = statement.position();
        Matcher matcher = POSITION.matcher(message);
        if (matcher.find()) {
            Position mapped = statement.scriptPosition(
                    Integer.parseInt(matcher.group(1)), Integer.parseInt(matcher.group(2)));
            if (mapped != null) {
                at = mapped;
            }
        }
        return new SqlScriptException(at, "Flink rejected the statement starting at "
                + statement.position().describe() + ": " + message, error);
    }

    /** The statement set failed as a whole (planning or submission): name all its INSERTs. */
    static SqlScriptException jobFailed(List<Statement> inserts, RuntimeException error) {
        String lines = inserts.stream().map(s -> String.valueOf(s.line())).collect(Collectors.joining(", "));
        return new SqlScriptException(inserts.get(0).position(),
                "Flink could not run the job made of the INSERT statements at lines " + lines + ": "
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
}
