package io.tributary;

import static org.assertj.core.api.Assertions.assertThat;

import org.junit.jupiter.api.Test;

/** The runnable jar's command holds every subcommand the docs name. */
class TributaryTest {
    @Test
    void everySubcommandIsRegistered() {
        assertThat(Tributary.commandLine().getSubcommands()).containsKeys("validate", "plan", "serve", "help");
    }
}
