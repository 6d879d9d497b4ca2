package io.tributary.sqlrunner;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.tributary.sqlrunner.ScriptPlan.Configure;
import io.tributary.sqlrunner.ScriptPlan.Execute;
import io.tributary.sqlrunner.ScriptPlan.Insert;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

class ScriptPlanTest {

    private static ScriptPlan plan(String script) {
        return ScriptPlan.of(StatementSplitter.split(script));
    }

    @Test
    void sortsStatementsIntoSettingsDdlAndInserts() {
        ScriptPlan plan = plan("""
                SET 'pipeline.name' = 'orders';
                CREATE TABLE a (x INT) WITH ('connector' = 'datagen');
                INSERT INTO b SELECT x FROM a;
                RESET;
                EXECUTE STATEMENT SET BEGIN INSERT INTO c SELECT x FROM a; END;
                """);

        assertThat(plan.steps()).extracting(step -> step.getClass().getSimpleName())
                .containsExactly("Configure", "Execute", "Insert", "Configure", "Insert");
        assertThat(plan.inserts()).extracting(Statement::line).containsExactly(3, 5);
    }

    @ParameterizedTest(name = "{0}")
    @CsvSource(delimiter = '|', quoteCharacter = '~', value = {
        "INSERT INTO t SELECT 1",
        "insert overwrite t SELECT 1",
        "CREATE TABLE t WITH ('connector' = 'blackhole') AS SELECT 1",
        "CREATE OR REPLACE TABLE t AS SELECT 1",
        "REPLACE TABLE t AS SELECT 1",
    })
    void statementsThatWriteRowsBelongToTheJob(String sql) {
        assertThat(ScriptPlan.classify(new Statement(sql, 1, 1, false))).isInstanceOf(Insert.class);
    }

    @ParameterizedTest(name = "{0}")
    @CsvSource(delimiter = '|', quoteCharacter = '~', value = {
        "CREATE TABLE t (x INT, y AS x + 1, WATERMARK FOR ts AS ts) WITH ('connector' = 'datagen')",
        "CREATE VIEW v AS SELECT 1",
        "CREATE FUNCTION f AS 'com.example.F'",
        "DROP TABLE t",
        "ALTER TABLE t SET ('a' = 'b')",
        "USE CATALOG c",
        "SHOW TABLES",
        "EXPLAIN PLAN FOR SELECT 1",
    })
    void otherStatementsRunOnTheSpot(String sql) {
        assertThat(ScriptPlan.classify(new Statement(sql, 1, 1, false))).isInstanceOf(Execute.class);
    }

    @Test
    void executeInsertBecomesAPlainInsertWithItsOwnPosition() {
        ScriptPlan plan = plan("USE a;\n  EXECUTE\n  INSERT INTO t SELECT 1;");

        assertThat(plan.inserts()).singleElement()
                .extracting(Statement::text, Statement::line, Statement::column)
                .containsExactly("INSERT INTO t SELECT 1", 3, 3);
    }

    @ParameterizedTest(name = "{0}")
    @CsvSource(delimiter = '|', quoteCharacter = '~', value = {
        "SELECT * FROM a",
        "with x AS (SELECT 1) SELECT * FROM x",
        "VALUES (1)",
        "(SELECT 1)",
    })
    void topLevelQueryIsRefusedAtItsLine(String query) {
        assertThatThrownBy(() -> plan("INSERT INTO t SELECT 1;\n\n  " + query + ";"))
                .isInstanceOf(SqlScriptException.class)
                .hasMessageStartingWith("line 3, column 3: a query at the top level has nowhere to write");
    }

    @Test
    void scriptWithoutInsertIsRefused() {
        assertThatThrownBy(() -> plan("CREATE TABLE a (x INT);\nSET 'a' = 'b';"))
                .isInstanceOf(SqlScriptException.class)
                .hasMessageContaining("the script has no INSERT statement")
                .extracting(e -> ((SqlScriptException) e).line()).isEqualTo(0);
    }

    @Test
    void onlyInsertsMayStandInAStatementSet() {
        assertThatThrownBy(() -> plan("BEGIN STATEMENT SET;\nINSERT INTO a SELECT 1;\nCREATE TABLE b (x INT);\nEND;"))
                .isInstanceOf(SqlScriptException.class)
                .hasMessage("line 3, column 1: only INSERT statements can stand inside a statement set, not CREATE");
    }

    @Test
    void malformedSetIsAnErrorAtItsLine() {
        assertThatThrownBy(() -> plan("INSERT INTO t SELECT 1;\nSET 'x';"))
                .isInstanceOf(SqlScriptException.class)
                .hasMessageStartingWith("line 2, column 1: SET needs a key and a value");
    }

    @Test
    void executePlanIsRefusedBecauseItIsAJobOfItsOwn() {
        assertThatThrownBy(() -> plan("INSERT INTO t SELECT 1;\nEXECUTE PLAN '/tmp/plan.json';"))
                .isInstanceOf(SqlScriptException.class)
                .hasMessageStartingWith("line 2, column 1: EXECUTE PLAN submits a job of its own");
    }

    @Test
    void runtimeModeComesFromTheLeadingSettings() {
        assertThat(plan("SET 'execution.runtime-mode' = 'batch';\nINSERT INTO t SELECT 1;").runtimeMode())
                .contains("batch");
        assertThat(plan("SET execution.runtime-mode = batch; RESET; INSERT INTO t SELECT 1;").runtimeMode())
                .isEmpty();
        assertThat(plan("INSERT INTO t SELECT 1;").runtimeMode()).isEmpty();
    }

    @Test
    void runtimeModeCannotBeSetOnceStatementsHaveRun() {
        assertThatThrownBy(() -> plan("CREATE TABLE a (x INT);\nSET 'execution.runtime-mode' = 'batch';\n"
                + "INSERT INTO t SELECT 1;"))
                .isInstanceOf(SqlScriptException.class)
                .hasMessageStartingWith("line 2, column 1: 'execution.runtime-mode' can only be SET before");
    }

    @Test
    void settingsKeepTheirCommands() {
        List<ScriptPlan.Step> steps = plan("SET a = b;\nRESET 'a';\nINSERT INTO t SELECT 1;").steps();

        assertThat(steps.get(0)).isEqualTo(new Configure(steps.get(0).statement(), new ConfigCommand.SetOption("a", "b")));
        assertThat(((Configure) steps.get(1)).command()).isEqualTo(new ConfigCommand.ResetOption("a"));
    }

    @Test
    void aCheckCollectsEveryProblemAndKeepsTheGoodSteps() {
        List<SqlScriptException> problems = new ArrayList<>();
        ScriptPlan plan = ScriptPlan.of(StatementSplitter.split("""
                SET 'x';
                SET 'execution.runtime-mode' = 'batch';
                SELECT 1;
                SET 'execution.runtime-mode' = 'streaming';
                CREATE TABLE a (x INT);
                """), problems::add);

        assertThat(problems).extracting(SqlScriptException::line).containsExactly(1, 3, 4, 0);
        assertThat(problems.get(3)).hasMessageContaining("the script has no INSERT statement");
        assertThat(plan.runtimeMode()).contains("batch");
        assertThat(plan.steps()).extracting(step -> step.statement().line()).containsExactly(2, 5);
    }
}
