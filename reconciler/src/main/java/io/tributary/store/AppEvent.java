package io.tributary.store;

import java.time.Instant;
import java.util.Set;

/** Something that happened to an application; {@code severity} is info, warning or error. */
public record AppEvent(long id, Instant at, String app, String type, String severity, String message,
        String revision) {

    static final Set<String> SEVERITIES = Set.of("info", "warning", "error");
}
