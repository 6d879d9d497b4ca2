package io.tributary.config;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.List;
import org.junit.jupiter.api.Test;

class SuggestionsTest {
    @Test
    void transposedLettersAreOneEdit() {
        assertThat(Suggestions.distance("lcoal", "local")).isEqualTo(1);
        assertThat(Suggestions.closest("lcoal", List.of("local", "yarn-shared"))).contains("local");
    }

    @Test
    void farAwayNamesAreNotSuggested() {
        assertThat(Suggestions.closest("kafka", List.of("local", "yarn-shared"))).isEmpty();
        assertThat(Suggestions.hint("kafka", List.of("local"))).isEmpty();
    }

    @Test
    void theClosestOfSeveralWins() {
        assertThat(Suggestions.closest("paralelism", List.of("parallelism", "prune", "state"))).contains("parallelism");
    }
}
