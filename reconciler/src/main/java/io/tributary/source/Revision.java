package io.tributary.source;

import java.time.Instant;
import java.util.Objects;
import java.util.regex.Pattern;

/**
 * One fetched state of the config source, named immutably so that every status and event can say
 * which state it is about.
 *
 * <ul>
 *   <li>{@code main@sha1:<40 hex>}: the tip of a followed branch,
 *   <li>{@code v1.2@sha1:<40 hex>}: the commit a tag points at,
 *   <li>{@code sha1:<40 hex>}: a pinned commit,
 *   <li>{@code dir@sha256:<64 hex>}: a plain folder, by the hash of its files' paths and contents.
 * </ul>
 *
 * <p>Two revisions are the same state when their {@link #id()}s are equal; {@code fetchedAt} only
 * says when this source last looked.
 *
 * @param name the full name shown to users
 * @param id the bare hex of the commit (or of the folder hash)
 * @param fetchedAt when the source fetched or computed it
 * @param message the commit's first line; null for a folder
 */
public record Revision(String name, String id, Instant fetchedAt, String message) {
    static final String SHA1 = "sha1:";
    static final String SHA256 = "sha256:";
    static final String DIR = "dir";
    private static final Pattern HEX = Pattern.compile("[0-9a-f]+");
    private static final int SHORT = 7;

    public Revision {
        Objects.requireNonNull(name, "name");
        Objects.requireNonNull(id, "id");
        Objects.requireNonNull(fetchedAt, "fetchedAt");
        if (!HEX.matcher(id).matches()) {
            throw new IllegalArgumentException("revision id must be lower-case hex: " + id);
        }
        if (!name.endsWith(id)) {
            throw new IllegalArgumentException("revision name " + name + " does not end with its id");
        }
    }

    /** A branch tip or a tag: {@code <ref>@sha1:<hex>}. */
    static Revision ofRef(String shortRef, String sha1, Instant fetchedAt, String message) {
        return new Revision(shortRef + "@" + SHA1 + sha1, sha1, fetchedAt, message);
    }

    /** A pinned commit: {@code sha1:<hex>}. */
    static Revision ofCommit(String sha1, Instant fetchedAt, String message) {
        return new Revision(SHA1 + sha1, sha1, fetchedAt, message);
    }

    /** A plain folder: {@code dir@sha256:<hex>}. */
    static Revision ofDirectory(String sha256, Instant fetchedAt) {
        return new Revision(DIR + "@" + SHA256 + sha256, sha256, fetchedAt, null);
    }

    /** The name with the hash cut to seven characters, for people: {@code main@sha1:ab12cd3}. */
    public String shortName() {
        if (id.length() <= SHORT) {
            return name;
        }
        return name.substring(0, name.length() - id.length()) + id.substring(0, SHORT);
    }

    /** The ref part of the name ({@code main}, {@code v1.2}, {@code dir}), or null for a pinned commit. */
    public String ref() {
        int at = name.lastIndexOf('@');
        return at < 0 ? null : name.substring(0, at);
    }

    @Override
    public String toString() {
        return name;
    }
}
