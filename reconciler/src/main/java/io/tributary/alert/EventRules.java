package io.tributary.alert;

import io.tributary.model.AlertPolicy.Event;
import io.tributary.store.AppEvent;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import java.util.Optional;

/**
 * Which app events fire an alert and which clear one (docs/alerts.md lists them). An event type named
 * like an alert event ({@code job-failed}) fires it; {@code <event>-resolved} clears it; a few
 * ordinary events clear too: {@code job-running} (the job runs again) clears job-failed, job-lost
 * and restarts-exceeded, a successful {@code upgrade} clears upgrade-failed, a {@code build} clears
 * build-failed, and {@code deleted} (the app pruned from Git) clears them all.
 */
final class EventRules {
    /** Subject of the platform-wide events (invalid-revision). */
    static final String PLATFORM = "platform:source";
    /** Prefix of a cluster's subject ({@code cluster:local}). */
    static final String CLUSTER = "cluster:";

    private static final Map<String, List<Event>> CLEARS = Map.of(
            "job-running", List.of(Event.JOB_FAILED, Event.JOB_LOST, Event.RESTARTS_EXCEEDED),
            "upgrade", List.of(Event.UPGRADE_FAILED),
            "build", List.of(Event.BUILD_FAILED),
            "build-succeeded", List.of(Event.BUILD_FAILED),
            // an app pruned from Git: nothing of it is left to fail or recover
            "deleted", List.of(Event.JOB_FAILED, Event.JOB_LOST, Event.RESTARTS_EXCEEDED, Event.UPGRADE_FAILED,
                    Event.CHECKPOINT_FAILURES));

    private EventRules() {}

    static Optional<Signal> of(AppEvent e) {
        Optional<Event> fires = byName(e.type());
        if (fires.isPresent()) {
            String severity = "info".equals(e.severity()) ? "warning" : e.severity();
            return Optional.of(new Signal(e.app(), List.of(fires.get()), true, severity, text(e), e.revision()));
        }
        if (e.type().endsWith("-resolved")) {
            return byName(e.type().substring(0, e.type().length() - "-resolved".length()))
                    .map(ev -> new Signal(e.app(), List.of(ev), false, "info", text(e), e.revision()));
        }
        List<Event> clears = CLEARS.get(e.type());
        if (clears != null) {
            return Optional.of(new Signal(e.app(), clears, false, "info", text(e), e.revision()));
        }
        return Optional.empty();
    }

    static Optional<Event> byName(String name) {
        return Arrays.stream(Event.values()).filter(ev -> ev.yamlName().equals(name)).findFirst();
    }

    private static String text(AppEvent e) {
        return e.message() == null ? e.type() : e.message();
    }
}
