package io.tributary.sqlrunner;

import io.tributary.sqlrunner.SqlLexer.Token;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import org.apache.flink.configuration.Configuration;
import org.apache.flink.table.api.EnvironmentSettings;
import org.apache.flink.table.api.StatementSet;
import org.apache.flink.table.api.TableEnvironment;
import org.apache.flink.table.api.internal.TableEnvironmentInternal;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Compiles a SQL script with the real planner of the Flink on the class path, without running
 * anything: what {@code tributary validate} uses to find errors before a deployment does.
 *
 * <p>The script is read as {@link SqlRunner} reads it (same splitter, same statement kinds, same SET
 * and RESET handling, streaming unless the script SETs the runtime mode first), so a script that
 * passes would get past the runner's own checks and Flink's planner. DDL runs against Flink's default
 * in-memory catalog (a CREATE TABLE only registers the table). Each INSERT is validated and optimized
 * into an execution plan on its own statement set, which is explained, never executed: that finds
 * unknown tables and columns, type errors, and connectors or options the factories reject.
 *
 * <p>Statements whose execution would reach outside this JVM or start a job are only parsed and
 * validated: ADD/REMOVE JAR, CALL, TRUNCATE, ANALYZE, DELETE, UPDATE, COMPILE PLAN, ALTER TABLE ...
 * COMPACT. A CREATE CATALOG of any type but the in-memory one is parsed too, and ends the check,
 * because what follows would name tables only that catalog knows.
 *
 * <p>One trace is left where Flink leaves it: planning a batch INSERT into a filesystem table makes
 * the sink's empty {@code .staging_*} directory, when the path is reachable from here (Flink does that
 * while translating the plan; no rows are written).
 *
 * <p>Called reflectively from the service, in a class loader holding one Flink version's jars, so only
 * JDK types cross: a String in, Strings out.
 */
public final class SqlCheck {

    private static final Logger LOG = LoggerFactory.getLogger(SqlCheck.class);
    /** A short list of what the parser expected helps ("Was expecting: ')'"); a long one hides the error. */

    private SqlCheck() {
    }

    /**
     * Every problem of the script, in script order, each as {@code line:column:message} with the line
     * and column (1-based) of the script; {@code 0:0:message} for a problem of the script as a whole.
     * Checking goes on after a failing INSERT, but stops at a failing statement of any other kind,
     * because the statements after it would fail for its sake. Empty when the script is fine.
     */
    public static List<String> check(String script) {
        String text = script.startsWith("\uFEFF") ? script.substring(1) : script; // as RunnerArguments does
        List<String> problems = new ArrayList<>();
        List<Statement> statements;
        try {
            statements = StatementSplitter.split(text);
        } catch (SqlScriptException e) {
            problems.add(format(e));
            return problems;
        }
        ScriptPlan plan = ScriptPlan.of(statements, problem -> problems.add(format(problem)));
        TableEnvironment tableEnv;
        try {
            tableEnv = createTableEnvironment(plan);
        } catch (RuntimeException | LinkageError e) {
            Position at = runtimeModeSetting(plan);
            problems.add(format(at, "Flink could not create the table environment"
                    + plan.runtimeMode().map(mode -> " with " + ScriptPlan.RUNTIME_MODE + "=" + mode).orElse("")
                    + ": " + FlinkErrors.describe(e)));
            return problems;
        }
        new Checker(tableEnv, problems).run(plan);
        return problems;
    }

    private static TableEnvironment createTableEnvironment(ScriptPlan plan) {
        EnvironmentSettings.Builder settings = EnvironmentSettings.newInstance();
        plan.runtimeMode().ifPresent(mode ->
                settings.withConfiguration(Configuration.fromMap(Map.of(ScriptPlan.RUNTIME_MODE, mode))));
        return TableEnvironment.create(settings.build());
    }

    /** The SET that chose the runtime mode, where a failure to create the environment is reported. */
    private static Position runtimeModeSetting(ScriptPlan plan) {
        Position at = null;
        for (ScriptPlan.Step step : plan.steps()) {
            if (step instanceof ScriptPlan.Configure configure
                    && configure.command() instanceof ConfigCommand.SetOption set
                    && set.key().equals(ScriptPlan.RUNTIME_MODE)) {
                at = step.statement().position();
            }
        }
        return at;
    }

    /** How a check treats a statement the runner would execute on the spot. */
    enum Handling {
        /** Only changes the session's catalogs, functions or modules: execute it. */
        EXECUTE,
        /** Would start a job, fetch a file, write outside, or change another system: parse and validate only. */
        PARSE,
        /** Creates a catalog backed by another system: parse it, and check nothing after it. */
        PARSE_AND_STOP
    }

    static Handling handling(Statement statement) {
        List<Token> tokens = SqlLexer.tokenize(statement.text());
        String first = word(tokens, 0);
        String second = word(tokens, 1);
        switch (first) {
            case "ADD":
            case "REMOVE":
                return second.equals("JAR") ? Handling.PARSE : Handling.EXECUTE;
            case "CALL":
            case "TRUNCATE":
            case "ANALYZE":
            case "DELETE":
            case "UPDATE":
                return Handling.PARSE;
            case "COMPILE":
                return Handling.PARSE;
            case "ALTER":
                return second.equals("TABLE") && tokens.stream().anyMatch(t -> t.isWord("COMPACT"))
                        ? Handling.PARSE : Handling.EXECUTE;
            case "CREATE":
                return createsExternalCatalog(tokens) ? Handling.PARSE_AND_STOP : Handling.EXECUTE;
            default:
                return Handling.EXECUTE;
        }
    }

    /**
     * CREATE CATALOG whose 'type' is not Flink's in-memory one: creating it would connect to a
     * metastore or database, and DDL after it would change that system.
     */
    private static boolean createsExternalCatalog(List<Token> tokens) {
        if (!word(tokens, 1).equals("CATALOG")) {
            return false;
        }
        for (int i = 0; i + 2 < tokens.size(); i++) {
            Token key = tokens.get(i);
            Token value = tokens.get(i + 2);
            if (key.kind() == SqlLexer.Kind.STRING && SqlLexer.unquote(key).equals("type")
                    && tokens.get(i + 1).isSymbol('=') && value.kind() == SqlLexer.Kind.STRING) {
                return !SqlLexer.unquote(value).equals("generic_in_memory");
            }
        }
        return true; // no type: Flink will refuse it, and parsing says so
    }

    private static String word(List<Token> tokens, int index) {
        return index < tokens.size() && tokens.get(index).kind() == SqlLexer.Kind.WORD
                ? tokens.get(index).text().toUpperCase(Locale.ROOT) : "";
    }

    private static String format(SqlScriptException e) {
        Position at = e.line() == 0 ? null : new Position(e.line(), e.column());
        // the message starts with the position for people; here the position has its own fields
        String message = e.getMessage();
        String prefix = at == null ? "" : at.describe() + ": ";
        return format(at, message.startsWith(prefix) ? message.substring(prefix.length()) : message);
    }

    private static String format(Position at, String message) {
        return at == null ? "0:0:" + message : at.line() + ":" + at.column() + ":" + message;
    }

    /** One check's walk over the plan, against one table environment. */
    private static final class Checker {

        private final TableEnvironment tableEnv;
        private final ScriptSettings settings;
        private final List<String> problems;

        Checker(TableEnvironment tableEnv, List<String> problems) {
            this.tableEnv = tableEnv;
            this.settings = new ScriptSettings(new TableConfigTarget(tableEnv.getConfig()));
            this.problems = problems;
        }

        void run(ScriptPlan plan) {
            for (ScriptPlan.Step step : plan.steps()) {
                Statement statement = step.statement();
                if (step instanceof ScriptPlan.Configure configure) {
                    // SETs matter to planning too (dialect, time zone, table.exec.*)
                    settings.apply(configure.command());
                } else if (step instanceof ScriptPlan.Insert) {
                    plan(statement);
                } else if (!execute(statement)) {
                    return;
                }
            }
        }

        /** Validates and optimizes the INSERT as the runner's statement set would, without submitting it. */
        private void plan(Statement statement) {
            try {
                StatementSet statementSet = tableEnv.createStatementSet();
                statementSet.addInsertSql(statement.text());
                statementSet.explain();
            } catch (RuntimeException | LinkageError e) {
                // a LinkageError here is an app's jar built for another Flink: the user's to fix
                reject(statement, e);
            }
        }

        /** @return whether checking may go on */
        private boolean execute(Statement statement) {
            Handling handling = handling(statement);
            try {
                if (handling == Handling.EXECUTE) {
                    tableEnv.executeSql(statement.text());
                } else {
                    ((TableEnvironmentInternal) tableEnv).getParser().parse(statement.text());
                }
            } catch (RuntimeException | LinkageError e) {
                reject(statement, e);
                return false;
            }
            if (handling == Handling.PARSE_AND_STOP) {
                LOG.info("SQL check stops at line={}: the catalog it creates is not checked", statement.line());
                return false;
            }
            return true;
        }

        private void reject(Statement statement, Throwable error) {
            String message = FlinkErrors.describe(error);
            problems.add(format(FlinkErrors.position(statement, message),
                    FlinkErrors.concise(FlinkErrors.inScript(statement, message))));
        }
    }
}
