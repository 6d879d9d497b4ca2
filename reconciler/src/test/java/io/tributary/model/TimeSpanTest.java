package io.tributary.model;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.time.Duration;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;
import org.junit.jupiter.params.provider.ValueSource;

class TimeSpanTest {
    @ParameterizedTest
    @CsvSource({"500ms,PT0.5S", "30s,PT30S", "10m,PT10M", "2h,PT2H", "7d,PT168H"})
    void parsesEachUnit(String text, String iso) {
        TimeSpan span = TimeSpan.parse(text);
        assertThat(span.duration()).isEqualTo(Duration.parse(iso));
        assertThat(span.text()).isEqualTo(text);
    }

    @ParameterizedTest
    @ValueSource(strings = {"30", "30 s", "1.5h", "-1s", "10w", "99999999999999999999d"})
    void rejectsOtherForms(String text) {
        assertThatThrownBy(() -> TimeSpan.parse(text)).isInstanceOf(IllegalArgumentException.class);
    }
}
