package io.tributary.sqlrunner;

import java.util.Optional;
import org.apache.flink.configuration.ConfigOption;
import org.apache.flink.configuration.ConfigOptions;
import org.apache.flink.table.api.TableConfig;

/**
 * SET and RESET on the job's TableConfig. Uses only calls present in Flink 1.20 and 2.x alike
 * (TableConfig.set(String, String), getOptional, Configuration.removeKey): Configuration.setString,
 * which older runners use, is not part of 2.x's API.
 */
final class TableConfigTarget implements ConfigTarget {

    private final TableConfig config;

    TableConfigTarget(TableConfig config) {
        this.config = config;
    }

    @Override
    public Optional<String> get(String key) {
        // TableConfig looks at its own settings, then at the cluster's (its root configuration)
        return config.getOptional(stringOption(key));
    }

    @Override
    public void set(String key, String value) {
        config.set(key, value);
    }

    @Override
    public void remove(String key) {
        config.getConfiguration().removeKey(key);
    }

    private static ConfigOption<String> stringOption(String key) {
        return ConfigOptions.key(key).stringType().noDefaultValue();
    }
}
