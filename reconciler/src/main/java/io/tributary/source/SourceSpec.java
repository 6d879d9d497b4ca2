package io.tributary.source;

import java.util.Objects;

/**
 * Where the config comes from.
 *
 * @param location a Git URL ({@code https://}, {@code ssh://}, {@code git@host:org/repo.git},
 *     {@code file://}) or a local path: a Git repository, or a plain folder watched by content
 * @param ref a branch (followed), a tag or a 40-hex commit (pinned); null follows the remote's
 *     default branch
 * @param path a folder inside the revision that holds the config (a monorepo's sub-folder); null
 *     for the top
 * @param credentials how to authenticate; null is {@link Credentials.None}
 */
public record SourceSpec(String location, String ref, String path, Credentials credentials) {
    public SourceSpec {
        if (location == null || location.isBlank()) {
            throw new IllegalArgumentException("the source location is empty; give a Git URL or a folder");
        }
        location = location.strip();
        ref = ref == null || ref.isBlank() ? null : ref.strip();
        path = normalizePath(path);
        credentials = Objects.requireNonNullElseGet(credentials, Credentials.None::new);
    }

    /** A source without credentials. */
    public SourceSpec(String location, String ref, String path) {
        this(location, ref, path, null);
    }

    /** {@code a/b} without leading, trailing or doubled slashes; null for the top; never outside it. */
    static String normalizePath(String path) {
        if (path == null) {
            return null;
        }
        StringBuilder out = new StringBuilder();
        for (String segment : path.replace('\\', '/').split("/")) {
            if (segment.isEmpty() || segment.equals(".")) {
                continue;
            }
            if (segment.equals("..")) {
                throw new IllegalArgumentException("the source path '" + path + "' leaves the repository; give a folder inside it");
            }
            if (out.length() > 0) {
                out.append('/');
            }
            out.append(segment);
        }
        return out.length() == 0 ? null : out.toString();
    }
}
