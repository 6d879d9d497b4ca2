package io.tributary.model;

import com.fasterxml.jackson.annotation.JsonValue;
import java.util.List;

/** Which events alert which channels, and what to do when checkpoints keep failing. */
public record AlertPolicy(Metadata metadata, Spec spec) implements Resource {

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
