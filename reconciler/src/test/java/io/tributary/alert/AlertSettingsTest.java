package io.tributary.alert;

import static org.assertj.core.api.Assertions.assertThat;

import io.tributary.config.ConfigLoader;
import io.tributary.config.TestRepos;
import io.tributary.model.Settings;
import java.nio.file.Path;
import java.time.Duration;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The Settings' {@code alerts} block as loaded from a repository, and what it changes in the dispatcher's options. */
class AlertSettingsTest {
    @TempDir
    Path temp;

    @Test
    void theAlertsBlockOfSettingsReplacesTheDefaultsItNames() {
        Path repo = TestRepos.baseWith(TestRepos.ROOT.resolve("valid/alert-settings"), temp.resolve("repo"));
        ConfigLoader.Result result = new ConfigLoader().load(repo);
        assertThat(result.errors()).isEmpty();
        Settings.Alerts alerts = result.state().settings().orElseThrow().spec().alerts();

        AlertDispatcher.Options options = AlertDispatcher.Options.defaults().with(alerts);

        assertThat(options.groupWait()).isEqualTo(Duration.ofSeconds(30));
        assertThat(options.repeatInterval()).isEqualTo(Duration.ofHours(4));
        assertThat(options.maxAttempts()).isEqualTo(6);
        assertThat(options.digestThreshold()).isEqualTo(10);
        assertThat(options.retryBackoff()).isEqualTo(AlertDispatcher.Options.defaults().retryBackoff());
    }

    @Test
    void absentValuesKeepTheDefaults() {
        AlertDispatcher.Options defaults = AlertDispatcher.Options.defaults();
        assertThat(defaults.with(null)).isEqualTo(defaults);
        assertThat(defaults.with(new Settings.Alerts(null, null, null, null))).isEqualTo(defaults);
        AlertDispatcher.Options onlyAttempts = defaults.with(new Settings.Alerts(null, null, 2, null));
        assertThat(onlyAttempts).isEqualTo(new AlertDispatcher.Options(Duration.ofSeconds(5), Duration.ofHours(1), 2,
                Duration.ofSeconds(2), 3, null));
    }

    @Test
    void aRepositoryWithoutSettingsKeepsTheDefaults() {
        ConfigLoader.Result result = new ConfigLoader().load(TestRepos.BASE);
        assertThat(result.state().settings()).isEmpty();
    }
}
