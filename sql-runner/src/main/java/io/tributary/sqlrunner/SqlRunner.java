package io.tributary.sqlrunner;

import java.util.Map;
import org.apache.flink.configuration.Configuration;
import org.apache.flink.table.api.EnvironmentSettings;
import org.apache.flink.table.api.TableEnvironment;
import org.apache.flink.table.api.TableResult;

/**
 * The Flink job that runs a SQL script, on Flink 1.20 and 2.x from the same jar.
 *
 * <pre>
 * SqlRunner (--script-base64 &lt;base64 of UTF-8 text&gt; | --script-file &lt;path&gt;) [--name &lt;job name&gt;]
 * </pre>
 *
 * <p>SET and RESET are applied by the runner; other statements that are not INSERTs (CREATE, DROP,
 * ALTER, USE, ...) run in order; every INSERT, including those in a statement-set block, goes into
 * one statement set executed at the end, so the script is one job. A script without INSERT, or with
 * a top-level SELECT, is refused before anything runs. Failures are thrown as {@link
 * SqlScriptException} whose message starts with the script's line and column.
 */
public final class SqlRunner {

    private SqlRunner() {
    }

    public static void main(String[] args) {
        run(args);
    }

    /** Runs the script; the result holds the submitted job's client. */
    static TableResult run(String[] args) {
        RunnerArguments arguments = RunnerArguments.parse(args);
        ScriptPlan plan = ScriptPlan.of(StatementSplitter.split(arguments.script()));
        TableEnvironment tableEnv = createTableEnvironment(plan);
        // the starting value, so a SET in the script overrides it and RESET comes back to it
        arguments.jobName().ifPresent(name -> tableEnv.getConfig().set("pipeline.name", name));
        return new ScriptExecutor(tableEnv).run(plan);
    }

    private static TableEnvironment createTableEnvironment(ScriptPlan plan) {
        EnvironmentSettings.Builder settings = EnvironmentSettings.newInstance();
        // only the runtime mode must be known up front; other SETs are applied as the script runs
        plan.runtimeMode().ifPresent(mode ->
                settings.withConfiguration(Configuration.fromMap(Map.of(ScriptPlan.RUNTIME_MODE, mode))));
        try {
            return TableEnvironment.create(settings.build());
        } catch (RuntimeException e) {
            String mode = plan.runtimeMode().map(m -> " with " + ScriptPlan.RUNTIME_MODE + "=" + m).orElse("");
            throw new SqlScriptException(null,
                    "Flink could not create the table environment" + mode + ": " + FlinkErrors.describe(e), e);
        }
    }
}
