package io.tributary.sqlrunner;

import io.tributary.sqlrunner.SqlLexer.Token;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.function.Consumer;

/**
 * What the runner will do with a script, decided before Flink is touched, so a script that cannot
 * become a job fails before its first CREATE has any effect. Pure: statements in, steps out.
 *
 * @param runtimeMode the {@code execution.runtime-mode} the script's leading SETs ask for; Flink
 *     fixes the mode when the table environment is created, so it must be known first
 * @param steps in script order
 */
record ScriptPlan(Optional<String> runtimeMode, List<Step> steps) {

    static final String RUNTIME_MODE = "execution.runtime-mode";

    ScriptPlan {
        steps = List.copyOf(steps);
    }

    sealed interface Step {
        Statement statement();
    }

    /** SET or RESET, applied by the runner. */
    record Configure(Statement statement, ConfigCommand command) implements Step {
    }

    /** DDL and everything else Flink runs on the spot with {@code executeSql}. */
    record Execute(Statement statement) implements Step {
    }

    /** A statement that writes to a table; all of them go into the job's one statement set. */
    record Insert(Statement statement) implements Step {
    }

    List<Statement> inserts() {
        return steps.stream().filter(Insert.class::isInstance).map(Step::statement).toList();
    }

    /** @throws SqlScriptException naming the statement's line when the script cannot become one job */
    static ScriptPlan of(List<Statement> statements) {
        return of(statements, problem -> {
            throw problem;
        });
    }

    /**
     * The plan, with every reason the script cannot become one job handed to {@code problems} instead
     * of thrown, so a check reports them all in one pass. A statement with a problem is left out of
     * the steps.
     */
    static ScriptPlan of(List<Statement> statements, Consumer<SqlScriptException> problems) {
        List<Step> steps = new ArrayList<>();
        MapConfigTarget leading = new MapConfigTarget();
        ScriptSettings leadingSettings = new ScriptSettings(leading);
        boolean onlySettingsSoFar = true;
        for (Statement statement : statements) {
            Step step;
            try {
                step = classify(statement);
            } catch (SqlScriptException e) {
                problems.accept(e);
                // a malformed SET is still a setting; anything else ends the leading settings
                onlySettingsSoFar &= isSetOrReset(statement);
                continue;
            }
            if (step instanceof Configure configure) {
                if (onlySettingsSoFar) {
                    leadingSettings.apply(configure.command());
                } else if (configure.command() instanceof ConfigCommand.SetOption set
                        && set.key().equals(RUNTIME_MODE)) {
                    problems.accept(new SqlScriptException(statement.position(), "'" + RUNTIME_MODE
                            + "' can only be SET before the first statement that is not SET or RESET:"
                            + " Flink fixes the mode when the job's table environment is created"));
                    continue;
                }
            } else {
                onlySettingsSoFar = false;
            }
            steps.add(step);
        }
        // an INSERT never fails to classify, so none among the steps means none in the script
        if (steps.stream().noneMatch(Insert.class::isInstance)) {
            problems.accept(new SqlScriptException(null, "the script has no INSERT statement, so there is no job"
                    + " to run: a SQL application must write to a table (INSERT INTO <table> SELECT ...)"));
        }
        return new ScriptPlan(leading.get(RUNTIME_MODE), steps);
    }

    private static boolean isSetOrReset(Statement statement) {
        Token first = SqlLexer.tokenize(statement.text()).get(0);
        return first.isWord("SET") || first.isWord("RESET");
    }

    static Step classify(Statement statement) {
        List<Token> tokens = SqlLexer.tokenize(statement.text());
        Token first = tokens.get(0);
        Token second = tokens.size() > 1 ? tokens.get(1) : null;

        if (first.isWord("INSERT") || isTableAsQuery(tokens)) {
            return new Insert(statement);
        }
        if (first.isWord("EXECUTE") && second != null && second.isWord("INSERT")) {
            // EXECUTE INSERT is INSERT run at once; in the statement set it is a plain INSERT
            return new Insert(statement.suffix(second.start()));
        }
        if (statement.inStatementSet()) {
            throw new SqlScriptException(statement.position(),
                    "only INSERT statements can stand inside a statement set, not " + first.text().toUpperCase());
        }
        Optional<ConfigCommand> command;
        try {
            command = ConfigCommand.parse(statement.text());
        } catch (IllegalArgumentException e) {
            throw new SqlScriptException(statement.position(), e.getMessage(), e);
        }
        if (command.isPresent()) {
            return new Configure(statement, command.get());
        }
        if (first.isWord("SELECT") || first.isWord("WITH") || first.isWord("VALUES") || first.isWord("TABLE")
                || first.isSymbol('(')) {
            throw new SqlScriptException(statement.position(), "a query at the top level has nowhere to write"
                    + " its rows: a job must write to a table, so use INSERT INTO <table> SELECT ...");
        }
        if ((first.isWord("EXECUTE") && second != null && second.isWord("PLAN"))
                || (first.isWord("COMPILE") && second != null && second.isWord("AND"))) {
            throw new SqlScriptException(statement.position(), "EXECUTE PLAN submits a job of its own, but the"
                    + " runner makes the script's INSERT statements into one job; use INSERT statements");
        }
        return new Execute(statement);
    }

    /**
     * CREATE [OR REPLACE] [TEMPORARY] TABLE ... AS ... and REPLACE TABLE ... AS ...: these write rows,
     * so they are a job's work like INSERT. An AS inside parentheses belongs to a computed column or
     * watermark, not to the table's query.
     */
    private static boolean isTableAsQuery(List<Token> tokens) {
        int i = 0;
        if (tokens.get(i).isWord("CREATE")) {
            i++;
            if (i + 1 < tokens.size() && tokens.get(i).isWord("OR") && tokens.get(i + 1).isWord("REPLACE")) {
                i += 2;
            }
        } else if (tokens.get(i).isWord("REPLACE")) {
            i++;
        } else {
            return false;
        }
        if (i < tokens.size() && tokens.get(i).isWord("TEMPORARY")) {
            i++;
        }
        if (i >= tokens.size() || !tokens.get(i).isWord("TABLE")) {
            return false;
        }
        int depth = 0;
        for (Token token : tokens.subList(i + 1, tokens.size())) {
            if (token.isSymbol('(')) {
                depth++;
            } else if (token.isSymbol(')')) {
                depth--;
            } else if (depth == 0 && token.isWord("AS")) {
                return true;
            }
        }
        return false;
    }
}
