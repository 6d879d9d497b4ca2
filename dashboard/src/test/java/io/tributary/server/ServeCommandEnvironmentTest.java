package io.tributary.server;

import static org.assertj.core.api.Assertions.assertThat;

import io.tributary.server.webhooks.WebhookSecret;
import io.tributary.source.Credentials;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Locale;
import org.junit.jupiter.api.Test;
import picocli.CommandLine;
import picocli.CommandLine.Model.OptionSpec;

/** Every flag of {@code tributary serve} has its environment variable, and the printed configuration hides secrets. */
class ServeCommandEnvironmentTest {

    @Test
    void everyFlagHasTheEnvironmentVariableNamedAfterIt() {
        for (OptionSpec option : new CommandLine(new ServeCommand()).setInterpolateVariables(false).getCommandSpec().options()) {
            if (option.usageHelp() || option.versionHelp()) {
                continue;
            }
            String variable = "TRIBUTARY_" + option.longestName().substring(2).replace('-', '_').toUpperCase(Locale.ROOT);
            assertThat(option.defaultValue()).as("default of %s", option.longestName())
                    .startsWith("${env:" + variable);
        }
    }

    @Test
    void printedConfigurationMasksEverySecret() {
        ServiceConfig config = new ServiceConfig("https://git.example.com/config.git", "main", null,
                new Credentials.Token("git-token-value"), Path.of("/var/lib/tributary"),
                "jdbc:postgresql://db:5432/tributary?user=t&password=url-password-value", "t",
                "database-password-value", 8080, Duration.ofSeconds(30), 4, Path.of("/m2"), "admin-password-value",
                WebhookSecret.of("webhook-secret-value", "TRIBUTARY_WEBHOOK_SECRET"));

        String printed = config.describe().toString();

        assertThat(printed).doesNotContain("git-token-value", "url-password-value", "database-password-value",
                "admin-password-value", "webhook-secret-value");
        assertThat(printed).contains("database=jdbc:postgresql://db:5432/tributary?user=t&password=****");
    }
}
