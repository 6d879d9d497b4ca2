package io.tributary.sqlrunner;

import static org.assertj.core.api.Assertions.assertThat;

import io.tributary.sqlrunner.ConfigCommand.ResetAll;
import io.tributary.sqlrunner.ConfigCommand.ResetOption;
import io.tributary.sqlrunner.ConfigCommand.SetOption;
import java.util.Map;
import org.junit.jupiter.api.Test;

class ScriptSettingsTest {

    /** What the job started with: values the cluster gave it. */
    private final MapConfigTarget config = new MapConfigTarget(Map.of("parallelism.default", "2"));
    private final ScriptSettings settings = new ScriptSettings(config);

    @Test
    void setChangesTheValue() {
        settings.apply(new SetOption("pipeline.name", "orders"));
        settings.apply(new SetOption("parallelism.default", "4"));

        assertThat(config.values()).containsEntry("pipeline.name", "orders").containsEntry("parallelism.default", "4");
    }

    @Test
    void resetKeyRestoresTheStartingValueEvenAfterSeveralSets() {
        settings.apply(new SetOption("parallelism.default", "4"));
        settings.apply(new SetOption("parallelism.default", "8"));
        settings.apply(new ResetOption("parallelism.default"));

        assertThat(config.values()).containsEntry("parallelism.default", "2");
    }

    @Test
    void resetKeyTheJobDidNotStartWithRemovesIt() {
        settings.apply(new SetOption("pipeline.name", "orders"));
        settings.apply(new ResetOption("pipeline.name"));

        assertThat(config.values()).doesNotContainKey("pipeline.name");
    }

    @Test
    void resetOfAKeyTheScriptNeverSetLeavesItAlone() {
        settings.apply(new ResetOption("parallelism.default"));

        assertThat(config.values()).containsEntry("parallelism.default", "2");
    }

    @Test
    void resetAllRestoresWhatTheJobStartedWith() {
        settings.apply(new SetOption("parallelism.default", "4"));
        settings.apply(new SetOption("pipeline.name", "orders"));
        settings.apply(new ResetAll());

        assertThat(config.values()).isEqualTo(Map.of("parallelism.default", "2"));
        assertThat(settings.overrides()).isEmpty();
    }

    @Test
    void setAfterResetRemembersTheStartingValueAgain() {
        settings.apply(new SetOption("parallelism.default", "4"));
        settings.apply(new ResetAll());
        settings.apply(new SetOption("parallelism.default", "6"));
        settings.apply(new ResetOption("parallelism.default"));

        assertThat(config.values()).containsEntry("parallelism.default", "2");
    }

    @Test
    void overridesListTheScriptsCurrentValuesInOrder() {
        settings.apply(new SetOption("b", "1"));
        settings.apply(new SetOption("a", "2"));
        settings.apply(new SetOption("b", "3"));

        assertThat(settings.overrides()).containsExactly(Map.entry("b", "3"), Map.entry("a", "2"));
    }
}
