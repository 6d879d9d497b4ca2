package io.tributary.model;

import com.fasterxml.jackson.annotation.JsonValue;
import java.util.List;
import java.util.Set;

/** Which events alert which channels, and what to do when checkpoints keep failing. */
public record AlertPolicy(Metadata metadata, Spec spec) implements Resource {
    /**
     * The names a policy's {@code template} may use: what the alert dispatcher gives every message (and each
     * of a digest's {@code alerts}); docs/alerts.md lists them.
     */
    public static final Set<String> TEMPLATE_VARIABLES = Set.of("status", "resolved", "repeat", "digest", "test",
            "event", "severity", "subject", "app", "team", "name", "cluster", "apps", "message", "action", "time",
            "openedAt", "resolvedAt", "repeats", "revision", "policy", "channel", "alertId", "dashboardUrl", "url",
            "count", "alerts");

    public enum Event {
        JOB_FAILED, JOB_LOST, UPGRADE_FAILED, RESTARTS_EXCEEDED, CHECKPOINT_FAILURES,
        BUILD_FAILED, INVALID_REVISION, CLUSTER_DOWN;

        @JsonValue
        public String yamlName() {
            return name().toLowerCase().replace('_', '-');
        }
    }

    public enum Action {
        ALERT, RESTART;

        @JsonValue
        public String yamlName() {
            return name().toLowerCase();
        }
    }

    public record Spec(List<String> channels, List<Rule> rules, String template) {
        public Spec {
            channels = channels == null ? List.of() : List.copyOf(channels);
            rules = rules == null ? List.of() : List.copyOf(rules);
        }
    }

    public record Rule(Event event, Integer count, TimeSpan within, Action action) {
        public Rule {
            action = action == null ? Action.ALERT : action;
        }
    }

    @Override
    public Kind kind() {
        return Kind.ALERT_POLICY;
    }
}
