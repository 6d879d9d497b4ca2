package io.tributary.plan;

import static org.assertj.core.api.Assertions.assertThat;

import io.tributary.plan.SpecDiff.ValueChange;
import java.util.List;
import org.junit.jupiter.api.Test;

/** When a changed text is explained by a variable's new value, and when it is not. */
class SpecDiffTest {
    private static final ValueChange RATE = new ValueChange("orders_rate", "5", "20");
    private static final ValueChange BROKERS = new ValueChange("kafka_brokers", "kafka-1:9092", "kafka-2:9092");

    @Test
    void theVariablesPlaceTakesItsNewValue() {
        assertThat(SpecDiff.becomes("'rows-per-second' = '5'", "'rows-per-second' = '20'", List.of(RATE))).isTrue();
    }

    @Test
    void aShortValueAlsoFoundElsewhereStaysThereUnchanged() {
        String before = "SET 'parallelism' = '5'; 'rows-per-second' = '5', 'fields.id.max' = '1500'";
        String after = "SET 'parallelism' = '5'; 'rows-per-second' = '20', 'fields.id.max' = '1500'";
        assertThat(SpecDiff.becomes(before, after, List.of(RATE))).isTrue();
    }

    @Test
    void twoVariablesInOneText() {
        assertThat(SpecDiff.becomes("kafka-1:9092 at 5/s", "kafka-2:9092 at 20/s", List.of(BROKERS, RATE))).isTrue();
    }

    @Test
    void anEditBesidesTheVariableIsNotExplained() {
        assertThat(SpecDiff.becomes("'rows-per-second' = '5' WHERE id > 0", "'rows-per-second' = '20' WHERE id > 1",
                List.of(RATE))).isFalse();
    }

    @Test
    void aValueTurnedIntoAnotherThanTheNewOneIsNotExplained() {
        assertThat(SpecDiff.becomes("'rows-per-second' = '5'", "'rows-per-second' = '30'", List.of(RATE))).isFalse();
    }
}
