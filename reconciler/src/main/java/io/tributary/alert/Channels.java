package io.tributary.alert;

import io.tributary.model.AlertChannel;
import io.tributary.model.DesiredState;
import io.tributary.model.SecretRef;
import io.tributary.model.Settings;
import io.tributary.secrets.SecretResolver;
import io.tributary.secrets.SecretUnavailable;
import java.net.URI;
import java.net.URISyntaxException;
import java.net.http.HttpClient;
import java.time.Clock;
import java.time.Duration;
import java.util.Map;
import java.util.function.Function;
import java.util.stream.Collectors;

/** Makes the sender of a channel, reading its secrets (and the SMTP settings) where they are used. */
final class Channels {
    private final Function<String, String> environment;
    private final HttpClient http;
    private final Clock clock;

    Channels(Function<String, String> environment, Clock clock) {
        this.environment = environment;
        this.clock = clock;
        this.http = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(5)).build();
    }

    /** A channel that cannot be used as declared: a missing secret, no SMTP settings. */
    static final class Unusable extends RuntimeException {
        Unusable(String message) {
            super(message);
        }
    }

    Sender sender(AlertChannel channel, DesiredState desired) {
        SecretResolver secrets = SecretResolver.of(desired, environment);
        String who = "AlertChannel \"" + channel.id().qualifiedName() + "\"";
        AlertChannel.Spec spec = channel.spec();
        try {
            return switch (spec.type()) {
                case EMAIL -> email(spec.email(), desired, secrets, who);
                case WEBHOOK -> new HttpSender(spec.type(),
                        url(spec.webhook().url(), "spec.webhook.url", channel, desired, secrets, who),
                        spec.webhook().headers().entrySet().stream().collect(Collectors.toMap(Map.Entry::getKey,
                                h -> secrets.substitute(h.getValue(), channel.metadata().team(), desired,
                                        who + " spec.webhook.headers." + h.getKey()))),
                        secret(secrets, spec.webhook().secret(), who + " spec.webhook.secret"), http, clock);
                case SLACK -> robot(channel, spec.slack(), desired, secrets, who);
                case DINGTALK -> robot(channel, spec.dingtalk(), desired, secrets, who);
                case WECOM -> robot(channel, spec.wecom(), desired, secrets, who);
                case LARK -> robot(channel, spec.lark(), desired, secrets, who);
            };
        } catch (SecretUnavailable e) {
            throw new Unusable(e.getMessage());
        }
    }

    private Sender robot(AlertChannel channel, AlertChannel.Robot robot, DesiredState desired, SecretResolver secrets,
            String who) {
        AlertChannel.Type type = channel.spec().type();
        String field = "spec." + type.yamlName() + ".webhookUrl";
        if (robot == null || robot.webhookUrl() == null) {
            throw new Unusable(who + ": " + field + " is missing");
        }
        return new HttpSender(type, url(robot.webhookUrl(), field, channel, desired, secrets, who), Map.of(),
                secret(secrets, robot.secret(), who + " spec." + type.yamlName() + ".secret"), http, clock);
    }

    /**
     * A channel's URL with its secret Variables read. A URL that is still not one names the field and
     * the text as written, never the secret's value.
     */
    private static URI url(String declared, String field, AlertChannel channel, DesiredState desired,
            SecretResolver secrets, String who) {
        String url = secrets.substitute(declared, channel.metadata().team(), desired, who + " " + field);
        try {
            URI uri = new URI(url);
            if (uri.getScheme() == null || uri.getHost() == null) {
                throw new URISyntaxException(declared, "an http(s) URL with a host is needed");
            }
            return uri;
        } catch (URISyntaxException e) {
            throw new Unusable(who + ": " + field + " \"" + declared + "\" is not a URL"
                    + (declared.equals(url) ? "" : " once its secret Variables are read") + " (" + e.getReason() + ")");
        }
    }

    private Sender email(AlertChannel.Email email, DesiredState desired, SecretResolver secrets, String who) {
        Settings.Smtp smtp = desired.settings().map(s -> s.spec().smtp()).orElse(null);
        if (smtp == null || smtp.host() == null) {
            throw new Unusable(who + ": email needs an SMTP server; declare spec.smtp in the Settings document");
        }
        if (email == null || email.to().isEmpty()) {
            throw new Unusable(who + ": spec.email.to names nobody");
        }
        String password = smtp.password() == null ? null
                : secrets.resolve(smtp.password(), "Settings spec.smtp.password");
        int port = smtp.port() == null ? 25 : smtp.port();
        String from = smtp.from() == null ? "tributary@localhost" : smtp.from();
        return new EmailSender(smtp.host(), port, from, smtp.username(), password,
                smtp.startTls() == null ? port == 587 : smtp.startTls(), email.to(), email.cc());
    }

    private static String secret(SecretResolver secrets, SecretRef ref, String usedBy) {
        return ref == null ? null : secrets.resolve(ref, usedBy);
    }

}
