package io.tributary.config;

import static org.assertj.core.api.Assertions.assertThat;

import org.junit.jupiter.api.Test;

class SqlOriginTest {

    @Test
    void aScriptFileNamesItselfAtTheRunnersPosition() {
        SqlOrigin file = new SqlOrigin("sql/orders-revenue.sql", 1);
        assertThat(file.locate("line 54, column 3: No match found for function signature SUMM(<NUMERIC>)"))
                .isEqualTo("sql/orders-revenue.sql line 54, column 3: No match found for function signature SUMM(<NUMERIC>)");
    }

    @Test
    void anInlineScriptsLinesAreThoseOfItsYamlFile() {
        SqlOrigin inline = new SqlOrigin("teams/payments/apps.yaml", 12);
        assertThat(inline.locate("Flink refuses the new job, so the old one keeps running: line 4, column 27: "
                + "From line 4, column 27 to line 5, column 2: Column 'amount' not found"))
                .isEqualTo("Flink refuses the new job, so the old one keeps running: teams/payments/apps.yaml line 15, column 27: "
                        + "From line 15, column 27 to line 16, column 2: Column 'amount' not found");
    }

    @Test
    void aMessageWithoutAPositionStaysAsItIs() {
        SqlOrigin file = new SqlOrigin("sql/orders.sql", 1);
        assertThat(file.locate("Could not execute application: the script has no INSERT statement"))
                .isEqualTo("Could not execute application: the script has no INSERT statement");
        assertThat(file.locate("line 99999999999, column 1: overflowing")).startsWith("line 99999999999");
    }
}
