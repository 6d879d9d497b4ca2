package io.tributary.alert;

import static org.assertj.core.api.Assertions.assertThat;

import io.tributary.model.AlertChannel;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

/** The default templates per channel type, a policy's own, and what a broken one does. */
class TemplatesTest {
    private final Templates templates = new Templates();

    private static Map<String, Object> firing() {
        Map<String, Object> vars = new HashMap<>();
        vars.put("status", "firing");
        vars.put("resolved", false);
        vars.put("digest", false);
        vars.put("test", false);
        vars.put("event", "checkpoint-failures");
        vars.put("severity", "error");
        vars.put("subject", "payments/orders");
        vars.put("app", "payments/orders");
        vars.put("team", "payments");
        vars.put("message", "3 checkpoint(s) failed within 10m");
        vars.put("action", "restart from the last completed checkpoint (or savepoint)");
        vars.put("openedAt", "2026-11-26T10:00:00Z");
        vars.put("repeats", 0);
        vars.put("url", "https://t.example.com/apps/payments/orders");
        return vars;
    }

    @Test
    void theDefaultsSayWhatWhereAndWhatWasDone() {
        Message plain = templates.render(AlertChannel.Type.EMAIL, null, firing());
        assertThat(plain.title()).isEqualTo("checkpoint-failures on payments/orders");
        assertThat(plain.text()).startsWith("error: checkpoint-failures on payments/orders\n3 checkpoint(s) failed")
                .contains("Action taken: restart from the last completed checkpoint")
                .contains("Opened: 2026-11-26T10:00:00Z").doesNotContain("reported").endsWith(
                        "https://t.example.com/apps/payments/orders");
        assertThat(templates.render(AlertChannel.Type.SLACK, null, firing()).text())
                .contains("*checkpoint-failures* on `payments/orders`").contains("_Action taken:_");
        assertThat(templates.render(AlertChannel.Type.DINGTALK, null, firing()).text())
                .startsWith("### checkpoint-failures on payments/orders").contains("[Open in Tributary](");
    }

    @Test
    void aResolvedNoticeSaysSo() {
        Map<String, Object> vars = firing();
        vars.put("resolved", true);
        vars.put("status", "resolved");
        vars.put("action", null);
        vars.put("resolvedAt", "2026-11-26T10:05:00Z");
        Message m = templates.render(AlertChannel.Type.WEBHOOK, null, vars);
        assertThat(m.title()).isEqualTo("Resolved: checkpoint-failures on payments/orders");
        assertThat(m.text()).startsWith("RESOLVED: ").contains("resolved: 2026-11-26T10:05:00Z").doesNotContain("Action");
    }

    @Test
    void aPolicyTemplateReplacesTheBodyAndABrokenOneFallsBackToTheDefault() {
        String custom = "[{{severity}}] {{app}} in {{team}}: {{event}} {{#resolved}}ok{{/resolved}}{{unknown}}!";
        assertThat(templates.render(AlertChannel.Type.LARK, custom, firing()).text())
                .isEqualTo("[error] payments/orders in payments: checkpoint-failures !");
        Message broken = templates.render(AlertChannel.Type.EMAIL, "{{#event}} never closed", firing());
        assertThat(broken.text()).startsWith("error: checkpoint-failures on payments/orders")
                .contains("the policy's template cannot be used");
    }

    @Test
    void aDigestListsEveryAlert() {
        Map<String, Object> vars = new HashMap<>();
        vars.put("digest", true);
        vars.put("count", 2);
        vars.put("alerts", List.of(Map.of("status", "firing", "event", "job-failed", "subject", "a/x", "message", "m1"),
                Map.of("status", "resolved", "event", "job-lost", "subject", "a/y", "message", "m2")));
        Message m = templates.render(AlertChannel.Type.WECOM, "{{custom}} ignored in digests", vars);
        assertThat(m.title()).isEqualTo("2 alerts");
        assertThat(m.text()).contains("### 2 alerts at once").contains("- [firing] **job-failed** on a/x: m1")
                .contains("- [resolved] **job-lost** on a/y: m2");
    }
}
