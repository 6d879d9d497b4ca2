package io.tributary.sqlrunner;

import java.util.Locale;
import java.util.Map;
import java.util.stream.Collectors;
import org.apache.flink.table.api.ResultKind;
import org.apache.flink.table.api.StatementSet;
import org.apache.flink.table.api.TableEnvironment;
import org.apache.flink.table.api.TableResult;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Runs a planned script on a TableEnvironment: settings and DDL in script order, and every INSERT
 * into one statement set executed at the end, so the script becomes exactly one Flink job.
 *
 * <p>Each INSERT is added to the statement set where it stands, so Flink parses and validates it
 * against the tables and settings of that moment and an error names its line. Planning happens when
 * the set executes, so options the planner or the job reads (pipeline.name, parallelism, table.exec.*)
 * take the values in force at the end of the script: one job has one configuration.
 */
final class ScriptExecutor {

    private static final Logger LOG = LoggerFactory.getLogger(ScriptExecutor.class);

    private final TableEnvironment tableEnv;
    private final ScriptSettings settings;

    ScriptExecutor(TableEnvironment tableEnv) {
        this.tableEnv = tableEnv;
        this.settings = new ScriptSettings(new TableConfigTarget(tableEnv.getConfig()));
    }

    /** @return the result of the statement set's execution, which holds the job's client */
    TableResult run(ScriptPlan plan) {
        StatementSet statementSet = tableEnv.createStatementSet();
        for (ScriptPlan.Step step : plan.steps()) {
            Statement statement = step.statement();
            if (step instanceof ScriptPlan.Configure configure) {
                configure(statement, configure.command());
            } else if (step instanceof ScriptPlan.Execute) {
                execute(statement);
            } else if (step instanceof ScriptPlan.Insert) {
                try {
                    statementSet.addInsertSql(statement.text());
                } catch (RuntimeException e) {
                    throw FlinkErrors.rejected(statement, e);
                }
            }
        }
        TableResult result;
        try {
            result = statementSet.execute();
        } catch (RuntimeException e) {
            throw FlinkErrors.jobFailed(plan.inserts(), e);
        }
        result.getJobClient().ifPresent(client -> LOG.info("Submitted job={} inserts={}",
                client.getJobID(), plan.inserts().size()));
        return result;
    }

    private void configure(Statement statement, ConfigCommand command) {
        settings.apply(command);
        if (command instanceof ConfigCommand.SetOption set) {
            LOG.info("SET line={} {}={}", statement.line(), set.key(), shown(set.key(), set.value()));
        } else if (command instanceof ConfigCommand.ShowOptions) {
            Map<String, String> overrides = settings.overrides();
            LOG.info("SET line={} script settings: {}", statement.line(), overrides.entrySet().stream()
                    .map(e -> e.getKey() + "=" + shown(e.getKey(), e.getValue()))
                    .collect(Collectors.joining(", ", "{", "}")));
        } else if (command instanceof ConfigCommand.ResetOption reset) {
            LOG.info("RESET line={} key={}", statement.line(), reset.key());
        } else {
            LOG.info("RESET line={} all keys", statement.line());
        }
    }

    private void execute(Statement statement) {
        TableResult result;
        try {
            result = tableEnv.executeSql(statement.text());
        } catch (RuntimeException e) {
            throw FlinkErrors.rejected(statement, e);
        }
        if (result.getResultKind() == ResultKind.SUCCESS_WITH_CONTENT) {
            // SHOW, DESCRIBE, EXPLAIN: their answer goes to the job's log, the only place it can go
            result.print();
        }
    }

    /** Values of keys that hold secrets stay out of logs. */
    static String shown(String key, String value) {
        String lower = key.toLowerCase(Locale.ROOT);
        boolean secret = lower.contains("password") || lower.contains("secret") || lower.contains("token")
                || lower.contains("credential") || lower.endsWith("key") || lower.contains("jaas.config")
                || lower.contains("auth");
        return secret ? "******" : value;
    }
}
