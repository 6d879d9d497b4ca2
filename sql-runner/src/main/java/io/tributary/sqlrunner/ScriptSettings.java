package io.tributary.sqlrunner;

import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Optional;

/**
 * Applies SET and RESET to a configuration. RESET means "back to what the job started with", so the
 * first time the script sets a key, the value in force before it (or its absence) is remembered and
 * RESET restores exactly that. Flink has no "unset to the cluster's value" call that works on 1.20 and
 * 2.x alike, so remembering is what makes RESET right for keys the cluster had set too.
 */
final class ScriptSettings {

    private final ConfigTarget target;
    /** Value before the script first set the key, for every key the script has set and not reset. */
    private final Map<String, Optional<String>> originals = new LinkedHashMap<>();

    ScriptSettings(ConfigTarget target) {
        this.target = target;
    }

    void apply(ConfigCommand command) {
        if (command instanceof ConfigCommand.SetOption set) {
            originals.computeIfAbsent(set.key(), target::get);
            target.set(set.key(), set.value());
        } else if (command instanceof ConfigCommand.ResetOption reset) {
            Optional<String> original = originals.remove(reset.key());
            if (original != null) {
                restore(reset.key(), original);
            }
        } else if (command instanceof ConfigCommand.ResetAll) {
            originals.forEach(this::restore);
            originals.clear();
        }
        // ShowOptions changes nothing; the caller shows overrides()
    }

    /** The keys the script has set and not reset, with their values now, in the order first set. */
    Map<String, String> overrides() {
        Map<String, String> now = new LinkedHashMap<>();
        for (String key : originals.keySet()) {
            target.get(key).ifPresent(value -> now.put(key, value));
        }
        return now;
    }

    private void restore(String key, Optional<String> original) {
        if (original.isPresent()) {
            target.set(key, original.get());
        } else {
            target.remove(key);
        }
    }
}
