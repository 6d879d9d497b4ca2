package io.tributary.sqlrunner;

import static org.assertj.core.api.Assertions.assertThat;

import io.tributary.sqlrunner.SqlCheck.Handling;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

/** The parts of SqlCheck that need no Flink; SqlCheckIT runs it on the real planner. */
class SqlCheckTest {

    @ParameterizedTest(name = "{1}: {0}")
    @CsvSource(delimiter = '|', quoteCharacter = '~', value = {
        "CREATE TABLE t (x INT) WITH ('connector' = 'datagen')                    | EXECUTE",
        "CREATE TEMPORARY VIEW v AS SELECT 1                                       | EXECUTE",
        "CREATE FUNCTION f AS 'com.example.F'                                      | EXECUTE",
        "DROP TABLE t                                                              | EXECUTE",
        "ALTER TABLE t SET ('a' = 'b')                                             | EXECUTE",
        "USE CATALOG c                                                             | EXECUTE",
        "SHOW TABLES                                                               | EXECUTE",
        "LOAD MODULE hive                                                          | EXECUTE",
        "CREATE CATALOG mem WITH ('type' = 'generic_in_memory')                    | EXECUTE",
        "CRATE TABLE typo (x INT)                                                  | EXECUTE",
        "ADD JAR '/opt/udf.jar'                                                    | PARSE",
        "remove jar '/opt/udf.jar'                                                 | PARSE",
        "CALL cat.sys.compact('t')                                                 | PARSE",
        "TRUNCATE TABLE t                                                          | PARSE",
        "ANALYZE TABLE t COMPUTE STATISTICS                                        | PARSE",
        "DELETE FROM t WHERE x = 1                                                 | PARSE",
        "UPDATE t SET x = 1                                                        | PARSE",
        "COMPILE PLAN '/tmp/p.json' FOR INSERT INTO t SELECT 1                     | PARSE",
        "ALTER TABLE t COMPACT                                                     | PARSE",
        "CREATE CATALOG hive WITH ('type' = 'hive', 'hive-conf-dir' = '/etc/hive') | PARSE_AND_STOP",
        "CREATE CATALOG c WITH ('default-database' = 'x')                          | PARSE_AND_STOP",
    })
    void statementsThatWouldReachOutsideAreOnlyParsed(String sql, Handling expected) {
        assertThat(SqlCheck.handling(new Statement(sql, 1, 1, false))).isEqualTo(expected);
    }
}
