package io.tributary.build;

import java.util.List;

/**
 * Maven coordinates could not be resolved. The message names what is missing and where it was
 * looked for, because that is what a user needs to fix a typo or a repository setting.
 */
public final class ArtifactResolutionFailure extends RuntimeException {
    private static final long serialVersionUID = 1L;

    private final List<String> missing;
    private final List<String> repositories;

    ArtifactResolutionFailure(List<String> missing, List<String> repositories, String detail, Throwable cause) {
        super(message(missing, repositories, detail), cause);
        this.missing = List.copyOf(missing);
        this.repositories = List.copyOf(repositories);
    }

    /** The coordinates ({@code g:a[:ext[:classifier]]:v}) that no repository had, or that failed to download. */
    public List<String> missing() {
        return missing;
    }

    /** The repositories tried, as {@code id (url)}. */
    public List<String> repositories() {
        return repositories;
    }

    static String message(List<String> missing, List<String> repositories, String detail) {
        StringBuilder text = new StringBuilder("cannot resolve ");
        text.append(missing.isEmpty() ? "artifacts" : String.join(", ", missing));
        text.append(" from ").append(repositories.isEmpty() ? "no repository" : String.join(", ", repositories));
        if (detail != null && !detail.isBlank()) {
            text.append(": ").append(detail);
        }
        return text.toString();
    }
}
