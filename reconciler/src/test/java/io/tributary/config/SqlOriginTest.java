package io.tributary.config;

import static org.assertj.core.api.Assertions.assertThat;

import org.junit.jupiter.api.Test;

class SqlOriginTest {

    @Test
    void aScriptFileNamesItselfAtTheRunnersPosition() {
        SqlOrigin file = SqlOrigin.ofFile("sql/orders-revenue.sql");
        assertThat(file.locate("line 54, column 3: No match found for function signature SUMM(<NUMERIC>)"))
                .isEqualTo("sql/orders-revenue.sql line 54, column 3: No match found for function signature SUMM(<NUMERIC>)");
    }

    @Test
    void anInlineScriptsLinesAndColumnsAreThoseOfItsYamlFile() {
        // a literal block indented by 8 spaces, its first line on line 12
        SqlOrigin inline = new SqlOrigin("teams/payments/apps.yaml", 12, 9);
        assertThat(inline.locate("Flink refuses the new job, so the old one keeps running: line 4, column 27: "
                + "From line 4, column 27 to line 5, column 2: Column 'amount' not found"))
                .isEqualTo("Flink refuses the new job, so the old one keeps running: teams/payments/apps.yaml line 15, column 35: "
                        + "From line 15, column 35 to line 16, column 10: Column 'amount' not found");
    }

    @Test
    void aMessageUnderAFilePositionHasItsInnerPositionsMovedOnly() {
        SqlOrigin inline = new SqlOrigin("teams/analytics/apps/sessions.yaml", 20, 9);
        assertThat(inline.positionsInFile("SQL validation failed. From line 28, column 29 to line 28, column 52: "
                + "No match found for function signature COUNTT(<NUMERIC>)"))
                .isEqualTo("SQL validation failed. From line 47, column 37 to line 47, column 60: "
                        + "No match found for function signature COUNTT(<NUMERIC>)");
    }

    @Test
    void aMessageWithoutAPositionStaysAsItIs() {
        SqlOrigin file = SqlOrigin.ofFile("sql/orders.sql");
        assertThat(file.locate("Could not execute application: the script has no INSERT statement"))
                .isEqualTo("Could not execute application: the script has no INSERT statement");
        assertThat(file.locate("line 99999999999, column 1: overflowing")).startsWith("line 99999999999");
    }
}
