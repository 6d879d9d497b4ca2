package io.tributary.model;

import com.fasterxml.jackson.annotation.JsonValue;
import java.util.List;
import java.util.Map;

/** Where alerts go: email, a generic webhook, or a chat robot. */
public record AlertChannel(Metadata metadata, Spec spec) implements Resource {

    public enum Type {
        EMAIL, WEBHOOK, SLACK, DINGTALK, WECOM, LARK;

        @JsonValue
        public String yamlName() {
            return name().toLowerCase();
        }
    }

    public record Spec(Type type, Email email, Webhook webhook, Robot slack, Robot dingtalk, Robot wecom, Robot lark) {}

    public record Email(List<String> to, List<String> cc) {
        public Email {
            to = to == null ? List.of() : List.copyOf(to);
            cc = cc == null ? List.of() : List.copyOf(cc);
        }
    }

    public record Webhook(String url, Map<String, String> headers, SecretRef secret) {
        public Webhook {
            headers = headers == null ? Map.of() : Map.copyOf(headers);
        }
    }

    /** A chat robot's incoming webhook, with the signing secret where the service has one. */
    public record Robot(String webhookUrl, SecretRef secret) {}

    @Override
    public Kind kind() {
        return Kind.ALERT_CHANNEL;
    }
}
