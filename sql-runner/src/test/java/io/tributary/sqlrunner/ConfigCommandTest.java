package io.tributary.sqlrunner;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.tributary.sqlrunner.ConfigCommand.ResetAll;
import io.tributary.sqlrunner.ConfigCommand.ResetOption;
import io.tributary.sqlrunner.ConfigCommand.SetOption;
import io.tributary.sqlrunner.ConfigCommand.ShowOptions;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

class ConfigCommandTest {

    @ParameterizedTest(name = "{0}")
    @CsvSource(delimiter = '|', quoteCharacter = '~', value = {
        "SET 'pipeline.name' = 'orders'                     | pipeline.name                  | orders",
        "set 'pipeline.name'='orders'                       | pipeline.name                  | orders",
        "SET 'pipeline.name' = 'it''s; here'                | pipeline.name                  | it's; here",
        "SET 'pipeline.name' = ''                           | pipeline.name                  | ''",
        "SET table.exec.mini-batch.enabled = true           | table.exec.mini-batch.enabled  | true",
        "SET parallelism.default=4                          | parallelism.default            | 4",
        "SET pipeline.name = my job                         | pipeline.name                  | my job",
        "SET state.checkpoints.dir = s3://bucket/cp         | state.checkpoints.dir          | s3://bucket/cp",
        "SET 'a' = b=c                                      | a                              | b=c",
        "SET /* why */ 'execution.runtime-mode' = 'batch'   | execution.runtime-mode         | batch",
        "SET\\n  'table.exec.state.ttl' =\\n  '1 h'           | table.exec.state.ttl           | 1 h",
    })
    void readsSetIntoKeyAndValue(String statement, String key, String value) {
        String expectedValue = value.equals("''") ? "" : value;
        assertThat(ConfigCommand.parse(statement.replace("\\n", "\n")))
                .contains(new SetOption(key, expectedValue));
    }

    @Test
    void readsResetForms() {
        assertThat(ConfigCommand.parse("RESET 'pipeline.name'")).contains(new ResetOption("pipeline.name"));
        assertThat(ConfigCommand.parse("reset pipeline.name")).contains(new ResetOption("pipeline.name"));
        assertThat(ConfigCommand.parse("RESET")).contains(new ResetAll());
    }

    @Test
    void bareSetShowsSettings() {
        assertThat(ConfigCommand.parse("SET")).contains(new ShowOptions());
    }

    @Test
    void otherStatementsAreNoConfigCommands() {
        assertThat(ConfigCommand.parse("INSERT INTO t SELECT 'SET'")).isEmpty();
        assertThat(ConfigCommand.parse("SETTINGS x")).isEmpty();
        assertThat(ConfigCommand.parse("CREATE TABLE set_me (x INT)")).isEmpty();
    }

    @ParameterizedTest(name = "{0}")
    @CsvSource(delimiter = '|', quoteCharacter = '~', value = {
        "SET 'pipeline.name'                | SET needs a key and a value",
        "SET 'pipeline.name' =              | SET and RESET need a value",
        "SET = 'x'                          | SET and RESET need a key",
        "SET '' = 'x'                       | the key of SET or RESET is empty",
        "SET 'a' = 'b' 'c'                  | the value is partly quoted",
        "SET my key = 1                     | has a space in it",
    })
    void malformedSetSaysWhatFormIsExpected(String statement, String message) {
        assertThatThrownBy(() -> ConfigCommand.parse(statement))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining(message);
    }
}
