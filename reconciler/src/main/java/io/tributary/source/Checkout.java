package io.tributary.source;

import java.nio.file.Path;
import java.util.Objects;

/**
 * A revision's files on disk. For a Git source {@code root} is a private export of exactly that
 * commit (with the source's sub-path applied) that nothing changes while it exists, so two
 * checkouts can be read side by side. For a plain folder it is a copy of the folder as it was named.
 */
public record Checkout(Revision revision, Path root) {
    public Checkout {
        Objects.requireNonNull(revision, "revision");
        Objects.requireNonNull(root, "root");
    }
}
