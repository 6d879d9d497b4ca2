package io.tributary.sqlrunner;

import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Optional;

/** A ConfigTarget over a plain map: for looking ahead at the script's settings before Flink exists. */
final class MapConfigTarget implements ConfigTarget {

    private final Map<String, String> values;

    MapConfigTarget() {
        this(Map.of());
    }

    MapConfigTarget(Map<String, String> initial) {
        this.values = new LinkedHashMap<>(initial);
    }

    @Override
    public Optional<String> get(String key) {
        return Optional.ofNullable(values.get(key));
    }

    @Override
    public void set(String key, String value) {
        values.put(key, value);
    }

    @Override
    public void remove(String key) {
        values.remove(key);
    }

    Map<String, String> values() {
        return Map.copyOf(values);
    }
}
