package io.tributary.model;

import java.util.Map;

/** The envelope's {@code metadata}: identity plus free-form labels and annotations. */
public record Metadata(String name, String team, Map<String, String> labels, Map<String, String> annotations) {
    public Metadata {
        labels = labels == null ? Map.of() : Map.copyOf(labels);
        annotations = annotations == null ? Map.of() : Map.copyOf(annotations);
    }

    public static Metadata of(String name, String team) {
        return new Metadata(name, team, Map.of(), Map.of());
    }
}
