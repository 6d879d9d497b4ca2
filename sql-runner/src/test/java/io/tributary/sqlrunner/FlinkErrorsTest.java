package io.tributary.sqlrunner;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.List;
import java.util.stream.Collectors;
import java.util.stream.IntStream;
import org.junit.jupiter.api.Test;

class FlinkErrorsTest {

    /** An INSERT that starts at line 10, column 5 of the script and spans three lines. */
    private final Statement insert = new Statement("INSERT INTO sink\nSELECT id\nFROM nope", 10, 5, false);

    @Test
    void mapsCalcitePositionOnALaterLineOfTheStatement() {
        RuntimeException error = new RuntimeException(
                "SQL validation failed. SQL validation failed. From line 3, column 6 to line 3, column 9: Object 'nope' not found");

        SqlScriptException mapped = FlinkErrors.rejected(insert, error);

        assertThat(mapped.line()).isEqualTo(12);
        assertThat(mapped.column()).isEqualTo(6);
        // Flink's own positions count from the statement: they are the script's in the message too
        assertThat(mapped).hasMessage("line 12, column 6: Flink rejected the statement starting at line 10, column 5:"
                + " SQL validation failed. From line 12, column 6 to line 12, column 9: Object 'nope' not found");
    }

    @Test
    void mapsCalcitePositionOnTheStatementsFirstLineByItsStartColumn() {
        SqlScriptException mapped = FlinkErrors.rejected(insert,
                new RuntimeException("SQL parse failed. Encountered \"sink\" at line 1, column 13."));

        assertThat(mapped.line()).isEqualTo(10);
        assertThat(mapped.column()).isEqualTo(17);
    }

    @Test
    void withoutAPositionPointsAtTheStatement() {
        SqlScriptException mapped = FlinkErrors.rejected(insert,
                new RuntimeException("SQL parse failed. Non-query expression encountered in illegal context"));

        assertThat(mapped).hasMessageStartingWith("line 10, column 5: Flink rejected the statement starting at");
    }

    @Test
    void positionBeyondTheStatementIsNotTrusted() {
        SqlScriptException mapped = FlinkErrors.rejected(insert,
                new RuntimeException("From line 7, column 1 to line 7, column 3: in a view's query"));

        assertThat(mapped.line()).isEqualTo(10);
    }

    @Test
    void keepsCauseMessagesThatSayMore() {
        RuntimeException error = new RuntimeException("Unable to create a sink for writing table 'x'.",
                new IllegalStateException("Cannot discover a connector using option: 'connector'='nope'"));

        assertThat(FlinkErrors.describe(error)).isEqualTo("Unable to create a sink for writing table 'x'.\n"
                + "Caused by: Cannot discover a connector using option: 'connector'='nope'");
    }

    @Test
    void skipsCauseMessagesAlreadySaid() {
        RuntimeException cause = new RuntimeException("Object 'nope' not found");
        RuntimeException error = new RuntimeException("SQL validation failed. Object 'nope' not found", cause);

        assertThat(FlinkErrors.describe(error)).isEqualTo("SQL validation failed. Object 'nope' not found");
    }

    @Test
    void jobFailureNamesEveryInsertLine() {
        SqlScriptException failed = FlinkErrors.jobFailed(
                List.of(insert, new Statement("INSERT INTO b SELECT 1", 20, 1, true)),
                new RuntimeException("boom"));

        assertThat(failed).hasMessage("line 10, column 5: Flink could not run the job made of the INSERT statements"
                + " at lines 10, 20: boom");
        assertThat(FlinkErrors.jobFailed(List.of(insert), new RuntimeException("boom")))
                .hasMessage("line 10, column 5: Flink could not run the job made of the INSERT statement at line 10: boom");
    }

    @Test
    void everyPositionInTheMessageIsRewrittenAsTheScripts() {
        String message = "SQL validation failed. From line 1, column 13 to line 3, column 9: Object 'nope' not found";

        assertThat(FlinkErrors.inScript(insert, message)).isEqualTo(
                "SQL validation failed. From line 10, column 17 to line 12, column 9: Object 'nope' not found");
    }

    @Test
    void positionsTheStatementDoesNotHaveStayAsFlinkWroteThem() {
        assertThat(FlinkErrors.inScript(insert, "in the view's query at line 7, column 2"))
                .isEqualTo("in the view's query at line 7, column 2");
    }

    @Test
    void positionOfAMessageIsItsFirstMappedOne() {
        assertThat(FlinkErrors.position(insert, "From line 2, column 3 to line 2, column 4: x"))
                .isEqualTo(new Position(11, 3));
        assertThat(FlinkErrors.position(insert, "no position")).isEqualTo(new Position(10, 5));
    }

    @Test
    void longListsOfExpectedTokensAreDropped() {
        String tokens = IntStream.range(0, 200).mapToObj(i -> "    \"KW" + i + "\" ...").collect(Collectors.joining("\n"));
        String message = "SQL parse failed. Incorrect syntax near the keyword 'FROM' at line 8, column 18.\n"
                + "Was expecting one of:\n" + tokens + "\n\nCaused by: more";

        assertThat(FlinkErrors.withoutLongTokenLists(message)).isEqualTo(
                "SQL parse failed. Incorrect syntax near the keyword 'FROM' at line 8, column 18.\nCaused by: more");
    }

    @Test
    void shortListsOfExpectedTokensStay() {
        String message = "Encountered \"<EOF>\" at line 1, column 30.\nWas expecting one of:\n    \")\" ...\n    \",\" ...";

        assertThat(FlinkErrors.withoutLongTokenLists(message)).isEqualTo(message);
    }

    @Test
    void sentenceFlinkRepeatsIsSaidOnce() {
        assertThat(FlinkErrors.concise("SQL validation failed. SQL validation failed. From line 3, column 27 to line 3,"
                + " column 30: Column 'nope' not found in any table")).isEqualTo("SQL validation failed. From line 3,"
                + " column 27 to line 3, column 30: Column 'nope' not found in any table");
    }
}
