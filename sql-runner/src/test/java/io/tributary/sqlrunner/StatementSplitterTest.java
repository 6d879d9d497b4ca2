package io.tributary.sqlrunner;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.assertj.core.api.Assertions.tuple;

import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

class StatementSplitterTest {

    private static List<String> texts(String script) {
        return StatementSplitter.split(script).stream().map(Statement::text).toList();
    }

    @Test
    void splitsOnSemicolonsAndTrimsEachStatement() {
        assertThat(texts("CREATE TABLE a (x INT);\n  INSERT INTO a VALUES (1) ;\n"))
                .containsExactly("CREATE TABLE a (x INT)", "INSERT INTO a VALUES (1)");
    }

    @Test
    void keepsLastStatementWithoutSemicolon() {
        assertThat(texts("USE c; INSERT INTO a SELECT 1")).containsExactly("USE c", "INSERT INTO a SELECT 1");
    }

    @ParameterizedTest(name = "{0}")
    @CsvSource(delimiter = '|', quoteCharacter = '~', value = {
        "single-quoted string     | INSERT INTO t SELECT 'a;b' | INSERT INTO t SELECT 'a;b'",
        "escaped quote in string  | INSERT INTO t SELECT 'it''s; fine' | INSERT INTO t SELECT 'it''s; fine'",
        "string of only escapes   | INSERT INTO t SELECT '''' | INSERT INTO t SELECT ''''",
        "double-quoted identifier | SELECT 1 AS \"a;b\" | SELECT 1 AS \"a;b\"",
        "backtick identifier      | CREATE TABLE `we;ird` (x INT) | CREATE TABLE `we;ird` (x INT)",
        "escaped backtick         | CREATE TABLE `a``;b` (x INT) | CREATE TABLE `a``;b` (x INT)",
        "block comment inside     | INSERT /* not; here */ INTO t SELECT 1 | INSERT /* not; here */ INTO t SELECT 1",
        "hint                     | INSERT INTO t /*+ OPTIONS('a'=';') */ SELECT 1 | INSERT INTO t /*+ OPTIONS('a'=';') */ SELECT 1",
        "comment marker in string | INSERT INTO t SELECT '--;/*' | INSERT INTO t SELECT '--;/*'",
    })
    void semicolonInsideQuotesOrCommentsDoesNotSplit(String name, String script, String expected) {
        assertThat(texts(script + ";")).containsExactly(expected);
    }

    @Test
    void lineCommentHidesSemicolonsToEndOfLine() {
        String script = """
                CREATE TABLE a (x INT) -- a comment; still a comment 'with quote
                WITH ('connector' = 'datagen');
                """;
        assertThat(texts(script)).containsExactly(
                "CREATE TABLE a (x INT) -- a comment; still a comment 'with quote\nWITH ('connector' = 'datagen')");
    }

    @Test
    void dropsBlankAndCommentOnlyStatements() {
        String script = """
                -- header comment
                ;;
                /* a block
                   comment; */ ;
                USE mydb;
                -- trailing comment""";
        assertThat(texts(script)).containsExactly("USE mydb");
    }

    @Test
    void commentsBeforeAndAfterAStatementAreNotPartOfIt() {
        assertThat(texts("/* lead */ -- more\n  USE db /* tail */ -- tail\n;"))
                .containsExactly("USE db");
    }

    @Test
    void multiLineStringKeepsSemicolonAndNewlines() {
        assertThat(texts("INSERT INTO t SELECT 'line 1;\nline 2';\nUSE x;"))
                .containsExactly("INSERT INTO t SELECT 'line 1;\nline 2'", "USE x");
    }

    @Test
    void recordsOneBasedLineAndColumnOfFirstToken() {
        String script = """
                -- comment line 1
                SET 'a' = 'b';   USE db;

                  /* c */ CREATE TABLE t (
                    x INT
                  );
                INSERT INTO t
                SELECT 1""";
        List<Statement> statements = StatementSplitter.split(script);
        assertThat(statements).extracting(Statement::line, Statement::column)
                .containsExactly(
                        tuple(2, 1),
                        tuple(2, 18),
                        tuple(4, 11),
                        tuple(7, 1));
        assertThat(statements.get(2).text()).isEqualTo("CREATE TABLE t (\n    x INT\n  )");
    }

    @Test
    void countsLinesAfterCrLfAndLoneCr() {
        List<Statement> statements = StatementSplitter.split("USE a;\r\nUSE b;\rUSE c;\n\r\n  USE d;");
        assertThat(statements).extracting(Statement::line).containsExactly(1, 2, 3, 5);
        assertThat(statements.get(3).column()).isEqualTo(3);
    }

    @Test
    void columnsCountLinesInsideStringsAndComments() {
        String script = "INSERT INTO t SELECT 'a\nb'; /* x\ny */ USE z;";
        assertThat(StatementSplitter.split(script).get(1))
                .extracting(Statement::line, Statement::column)
                .containsExactly(3, 6);
    }

    @Test
    void executeStatementSetBlockYieldsItsInsertsInTheSet() {
        String script = """
                CREATE TABLE a (x INT);
                EXECUTE STATEMENT SET
                BEGIN
                  INSERT INTO a SELECT 1;
                  INSERT INTO a SELECT 2;
                END;
                USE other;
                """;
        List<Statement> statements = StatementSplitter.split(script);
        assertThat(statements).extracting(Statement::text, Statement::line, Statement::column, Statement::inStatementSet)
                .containsExactly(
                        tuple("CREATE TABLE a (x INT)", 1, 1, false),
                        tuple("INSERT INTO a SELECT 1", 4, 3, true),
                        tuple("INSERT INTO a SELECT 2", 5, 3, true),
                        tuple("USE other", 7, 1, false));
    }

    @Test
    void executeStatementSetOnOneLineInAnyCase() {
        List<Statement> statements = StatementSplitter.split(
                "execute Statement SET begin INSERT INTO a SELECT ';'; INSERT INTO b SELECT 2; end");
        assertThat(statements).extracting(Statement::text)
                .containsExactly("INSERT INTO a SELECT ';'", "INSERT INTO b SELECT 2");
        assertThat(statements).allMatch(Statement::inStatementSet);
        assertThat(statements.get(0).column()).isEqualTo(29);
    }

    @Test
    void sqlClientBeginStatementSetBlockYieldsItsInsertsInTheSet() {
        String script = """
                BEGIN STATEMENT SET;
                INSERT INTO a SELECT 1;
                -- END; inside a comment does not close it
                INSERT INTO b SELECT 2;
                END;
                INSERT INTO c SELECT 3;
                """;
        List<Statement> statements = StatementSplitter.split(script);
        assertThat(statements).extracting(Statement::text, Statement::inStatementSet)
                .containsExactly(
                        tuple("INSERT INTO a SELECT 1", true),
                        tuple("INSERT INTO b SELECT 2", true),
                        tuple("INSERT INTO c SELECT 3", false));
        assertThat(statements.get(1).line()).isEqualTo(4);
    }

    @Test
    void unclosedStatementSetIsAnErrorAtItsStart() {
        assertThatThrownBy(() -> StatementSplitter.split("USE a;\n  BEGIN STATEMENT SET;\nINSERT INTO a SELECT 1;"))
                .isInstanceOf(SqlScriptException.class)
                .hasMessageStartingWith("line 2, column 3: ")
                .hasMessageContaining("never closed with END");
    }

    @Test
    void nestedStatementSetIsAnError() {
        assertThatThrownBy(() -> StatementSplitter.split(
                "BEGIN STATEMENT SET;\nEXECUTE STATEMENT SET BEGIN INSERT INTO a SELECT 1; END; END;"))
                .isInstanceOf(SqlScriptException.class)
                .hasMessageStartingWith("line 2, column 1: ")
                .hasMessageContaining("line 1, column 1");
    }

    @Test
    void endOutsideStatementSetIsAnError() {
        assertThatThrownBy(() -> StatementSplitter.split("USE a;\nEND;"))
                .isInstanceOf(SqlScriptException.class)
                .hasMessage("line 2, column 1: END closes no statement set");
    }

    @ParameterizedTest(name = "{0}")
    @CsvSource(delimiter = '|', quoteCharacter = '~', value = {
        "string            | USE a;\\nINSERT INTO t SELECT 'oops;                  | line 2, column 22: string literal is never closed",
        "identifier        | SELECT \"x                                       | line 1, column 8: quoted identifier is never closed",
        "backtick          | SELECT `x``                                     | line 1, column 8: quoted identifier is never closed",
        "block comment     | USE a; /* no end                                | line 1, column 8: comment is never closed",
    })
    void unclosedQuotesAndCommentsAreErrorsAtWhereTheyOpen(String name, String script, String expected) {
        assertThatThrownBy(() -> StatementSplitter.split(script.replace("\\n", "\n")))
                .isInstanceOf(SqlScriptException.class)
                .hasMessageStartingWith(expected);
    }

    @Test
    void emptyScriptHasNoStatements() {
        assertThat(StatementSplitter.split("")).isEmpty();
        assertThat(StatementSplitter.split("  -- nothing\n")).isEmpty();
    }

    @Test
    void slashSlashIsNotACommentSoUnquotedUrlsSurvive() {
        assertThat(texts("SET state.checkpoints.dir = s3://bucket/cp; USE a;"))
                .containsExactly("SET state.checkpoints.dir = s3://bucket/cp", "USE a");
    }
}
