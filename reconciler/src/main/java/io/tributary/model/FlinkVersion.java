package io.tributary.model;

import com.fasterxml.jackson.annotation.JsonProperty;
import java.util.Optional;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/** A Flink distribution: resolved from Maven by {@code version}, or an installed {@code home}. */
public record FlinkVersion(Metadata metadata, Spec spec) implements Resource {

    public record Spec(String version, String home, @JsonProperty("default") boolean isDefault) {}

    private static final Pattern MAJOR_MINOR = Pattern.compile("(\\d+)\\.(\\d+)(?:\\.\\d+)?");

    @Override
    public Kind kind() {
        return Kind.FLINK_VERSION;
    }

    /**
     * The major version (1 or 2), from {@code version}, or from the home's folder name such as
     * {@code flink-1.20.1}; empty when neither tells.
     */
    public Optional<Integer> major() {
        String text = spec.version() != null ? spec.version() : lastSegment(spec.home());
        Matcher m = MAJOR_MINOR.matcher(text == null ? "" : text);
        return m.find() ? Optional.of(Integer.parseInt(m.group(1))) : Optional.empty();
    }

    private static String lastSegment(String path) {
        if (path == null) {
            return null;
        }
        String trimmed = path.replaceAll("/+$", "");
        return trimmed.substring(trimmed.lastIndexOf('/') + 1);
    }
}
