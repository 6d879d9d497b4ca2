package io.tributary.store;

import java.time.Instant;
import java.util.Set;

/**
 * An operator's override of what Git says for one application: a pinned job state ({@code running},
 * {@code suspended}, or null for none) and/or paused syncing, with who set it, why and since when.
 * A pin to suspended says how the job is stopped: {@code drain} (sources end first), and
 * {@code cancelIfSavepointFails}.
 */
public record AppOverride(String app, String pinnedState, boolean drain, boolean cancelIfSavepointFails,
        boolean syncPaused,
        String actor, String reason, Instant since) {

    static final Set<String> PINNED_STATES = Set.of("running", "suspended");
}
