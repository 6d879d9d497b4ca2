package io.tributary.store;

import java.time.Instant;
import java.util.Set;

/**
 * An operator's override of what Git says for one application: a pinned job state ({@code running},
 * {@code suspended}, or null for none) and/or paused syncing, with who set it, why and since when.
 * {@code cancelIfSavepointFails}: a pin to suspended may cancel the job when its savepoint fails.
 */
public record AppOverride(String app, String pinnedState, boolean cancelIfSavepointFails, boolean syncPaused,
        String actor, String reason, Instant since) {

    static final Set<String> PINNED_STATES = Set.of("running", "suspended");
}
