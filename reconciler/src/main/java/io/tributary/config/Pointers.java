package io.tributary.config;

import java.util.ArrayList;
import java.util.List;

/** JSON Pointers ({@code /spec/job/args/0}) and the dotted field paths users read. */
final class Pointers {
    private Pointers() {}

    static String child(String parent, String key) {
        return parent + "/" + key.replace("~", "~0").replace("/", "~1");
    }

    static String child(String parent, int index) {
        return parent + "/" + index;
    }

    static String parent(String pointer) {
        int slash = pointer.lastIndexOf('/');
        return slash <= 0 ? "" : pointer.substring(0, slash);
    }

    static List<String> segments(String pointer) {
        List<String> out = new ArrayList<>();
        if (pointer.isEmpty()) {
            return out;
        }
        for (String raw : pointer.substring(1).split("/", -1)) {
            out.add(raw.replace("~1", "/").replace("~0", "~"));
        }
        return out;
    }

    static String last(String pointer) {
        List<String> segments = segments(pointer);
        return segments.isEmpty() ? "" : segments.get(segments.size() - 1);
    }

    /**
     * {@code /spec/job/args/0} becomes {@code spec.job.args[0]}; a key with dots, such as a Flink
     * option, is bracketed: {@code spec.flinkConfiguration[taskmanager.memory.process.size]}.
     */
    static String fieldPath(String pointer) {
        StringBuilder out = new StringBuilder();
        for (String segment : segments(pointer)) {
            if (segment.chars().allMatch(Character::isDigit) && !segment.isEmpty()) {
                out.append('[').append(segment).append(']');
            } else if (segment.contains(".") || segment.isEmpty()) {
                out.append('[').append(segment).append(']');
            } else {
                if (out.length() > 0) {
                    out.append('.');
                }
                out.append(segment);
            }
        }
        return out.toString();
    }
}
