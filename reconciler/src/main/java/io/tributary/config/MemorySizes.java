package io.tributary.config;

import java.util.Locale;
import java.util.Set;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/** Flink's memory-size syntax ({@code 1728m}, {@code 2 gb}, {@code 512mebibytes}), checked before Flink sees it. */
final class MemorySizes {
    private MemorySizes() {}

    private static final Pattern FORM = Pattern.compile("\\s*([0-9]+)\\s*([a-z]*)\\s*");
    private static final Set<String> UNITS = Set.of("", "b", "bytes", "k", "kb", "kibibytes", "m", "mb", "mebibytes",
            "g", "gb", "gibibytes", "t", "tb", "tebibytes");

    /** Flink options whose value is a memory size: {@code *.memory.*.size}, {@code .min}, {@code .max}. */
    static boolean isMemoryOption(String key) {
        return key.contains(".memory.") && (key.endsWith(".size") || key.endsWith(".min") || key.endsWith(".max"));
    }

    static boolean parses(String text) {
        Matcher m = FORM.matcher(text.toLowerCase(Locale.ROOT));
        return m.matches() && UNITS.contains(m.group(2)) && m.group(1).length() <= 18;
    }
}
