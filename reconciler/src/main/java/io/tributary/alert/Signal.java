package io.tributary.alert;

import io.tributary.model.AlertPolicy;
import java.util.List;

/**
 * What an event means for alerts: a condition of a subject that fires, or the conditions it clears.
 *
 * @param subject an app ({@code team/name}), a cluster ({@code cluster:<name>}) or {@code platform:source}
 * @param events the one event that fires, or every event this clears
 */
record Signal(String subject, List<AlertPolicy.Event> events, boolean firing, String severity, String message,
        String revision) {
    Signal {
        events = List.copyOf(events);
    }
}
