package io.tributary.alert;

import com.samskivert.mustache.Mustache;
import com.samskivert.mustache.MustacheException;
import com.samskivert.mustache.Template;
import io.tributary.model.AlertChannel;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;

/**
 * Mustache templates (jmustache): a default per channel type, or the policy's own {@code template}.
 * The variables are documented in docs/alerts.md; an unknown one renders as nothing. No HTML
 * escaping: every channel takes plain text or Markdown.
 */
final class Templates {
    private static final Mustache.Compiler COMPILER = Mustache.compiler().escapeHTML(false).defaultValue("")
            .emptyStringIsFalse(true).zeroIsFalse(true);

    static final String TITLE = "{{#test}}Test alert from Tributary{{/test}}{{^test}}{{#digest}}{{count}} alerts"
            + "{{/digest}}{{^digest}}{{#resolved}}Resolved: {{/resolved}}{{event}} on {{subject}}{{/digest}}{{/test}}";

    /** Plain text: email and the generic webhook's {@code text}. */
    static final String PLAIN = """
            {{#digest}}{{count}} alerts at once:
            {{#alerts}}- [{{status}}] {{event}} on {{subject}}: {{message}}
            {{/alerts}}{{/digest}}{{^digest}}{{#resolved}}RESOLVED{{/resolved}}{{^resolved}}{{severity}}{{/resolved}}: {{event}} on {{subject}}
            {{message}}
            {{#action}}Action taken: {{action}}
            {{/action}}{{#cluster}}Cluster: {{cluster}}
            {{/cluster}}{{#revision}}Revision: {{revision}}
            {{/revision}}Opened: {{openedAt}}{{#resolvedAt}}, resolved: {{resolvedAt}}{{/resolvedAt}}{{#repeats}} (reported {{repeats}} more times){{/repeats}}
            {{/digest}}{{#url}}{{url}}
            {{/url}}""";

    /** Slack's mrkdwn. */
    static final String SLACK = """
            {{#digest}}*{{count}} alerts at once*
            {{#alerts}}• [{{status}}] *{{event}}* on `{{subject}}`: {{message}}
            {{/alerts}}{{/digest}}{{^digest}}{{#resolved}}:white_check_mark: *Resolved*{{/resolved}}{{^resolved}}:rotating_light: *{{severity}}*{{/resolved}}: *{{event}}* on `{{subject}}`
            {{message}}
            {{#action}}_Action taken:_ {{action}}
            {{/action}}{{/digest}}{{#url}}<{{url}}|Open in Tributary>{{/url}}""";

    /** Lark's card Markdown: the message without a heading, which the card's header shows. */
    static final String LARK = """
            {{#digest}}{{#alerts}}- [{{status}}] **{{event}}** on {{subject}}: {{message}}
            {{/alerts}}{{/digest}}{{^digest}}**{{#resolved}}resolved{{/resolved}}{{^resolved}}{{severity}}{{/resolved}}**: {{message}}
            {{#action}}
            Action taken: {{action}}
            {{/action}}{{#cluster}}
            Cluster: {{cluster}}
            {{/cluster}}
            Opened: {{openedAt}}{{#resolvedAt}}, resolved: {{resolvedAt}}{{/resolvedAt}}
            {{/digest}}{{#url}}
            [Open in Tributary]({{url}}){{/url}}""";

    /** Markdown as DingTalk and WeCom show it: a heading, then what Lark's card shows. */
    static final String MARKDOWN = """
            {{#digest}}### {{count}} alerts at once
            {{/digest}}{{^digest}}### {{#resolved}}Resolved: {{/resolved}}{{event}} on {{subject}}
            {{/digest}}""" + LARK;

    private final Map<String, Template> compiled = new ConcurrentHashMap<>();

    /** The default body template of a channel type. */
    static String defaultFor(AlertChannel.Type type) {
        return switch (type) {
            case SLACK -> SLACK;
            case DINGTALK, WECOM -> MARKDOWN;
            case LARK -> LARK;
            case EMAIL, WEBHOOK -> PLAIN;
        };
    }

    /**
     * Renders the title and the body ({@code custom}, the policy's template, when given; else the
     * channel type's default). A custom template that does not compile falls back to the default,
     * with the problem at the end of the text, so the alert is still sent.
     */
    Message render(AlertChannel.Type type, String custom, Map<String, Object> variables) {
        String title = compile(TITLE).execute(variables);
        String text;
        if (custom != null && !custom.isBlank() && !Boolean.TRUE.equals(variables.get("digest"))) {
            try {
                text = compile(custom).execute(variables);
            } catch (MustacheException e) {
                text = compile(defaultFor(type)).execute(variables)
                        + "\n(the policy's template cannot be used: " + e.getMessage() + ")";
            }
        } else {
            text = compile(defaultFor(type)).execute(variables);
        }
        return new Message(title, text.strip(), variables);
    }

    private Template compile(String template) {
        return compiled.computeIfAbsent(template, COMPILER::compile);
    }
}
