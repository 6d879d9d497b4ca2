package io.tributary.alert;

import io.tributary.model.AlertChannel;
import io.tributary.model.DesiredState;
import io.tributary.model.SecretRef;
import io.tributary.model.Settings;
import io.tributary.model.Variable;
import io.tributary.secrets.SecretResolver;
import io.tributary.secrets.SecretUnavailable;
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
        SecretResolver secrets = resolver(desired);
        String who = "AlertChannel \"" + channel.id().qualifiedName() + "\"";
        AlertChannel.Spec spec = channel.spec();
        try {
            return switch (spec.type()) {
                case EMAIL -> email(spec.email(), desired, secrets, who);
                case WEBHOOK -> new HttpSender(spec.type(), spec.webhook().url(), spec.webhook().headers(),
                        secret(secrets, spec.webhook().secret(), who + " spec.webhook.secret"), http, clock);
                case SLACK -> robot(spec.type(), spec.slack(), secrets, who);
                case DINGTALK -> robot(spec.type(), spec.dingtalk(), secrets, who);
                case WECOM -> robot(spec.type(), spec.wecom(), secrets, who);
                case LARK -> robot(spec.type(), spec.lark(), secrets, who);
            };
        } catch (SecretUnavailable e) {
            throw new Unusable(e.getMessage());
        }
    }

    private Sender robot(AlertChannel.Type type, AlertChannel.Robot robot, SecretResolver secrets, String who) {
        if (robot == null || robot.webhookUrl() == null) {
            throw new Unusable(who + ": spec." + type.yamlName() + ".webhookUrl is missing");
        }
        return new HttpSender(type, robot.webhookUrl(), Map.of(),
                secret(secrets, robot.secret(), who + " spec." + type.yamlName() + ".secret"), http, clock);
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

    private SecretResolver resolver(DesiredState desired) {
        Map<String, Variable> platform = desired.all(Variable.class).stream()
                .filter(v -> v.metadata().team() == null)
                .collect(Collectors.toMap(v -> v.metadata().name(), v -> v, (a, b) -> a));
        return new SecretResolver(environment, platform::get);
    }
}
