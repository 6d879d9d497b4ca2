package io.tributary;

import io.tributary.cli.PlanCommand;
import io.tributary.cli.ValidateCommand;
import io.tributary.server.ServeCommand;
import io.tributary.server.auth.UserCommand;
import picocli.CommandLine;
import picocli.CommandLine.Command;

/** The {@code tributary} command: every subcommand in one runnable jar. */
@Command(name = "tributary", mixinStandardHelpOptions = true, versionProvider = Tributary.Version.class,
        description = "GitOps for Apache Flink.",
        subcommands = {ValidateCommand.class, PlanCommand.class, ServeCommand.class, UserCommand.class,
                CommandLine.HelpCommand.class})
public final class Tributary {

    public static void main(String[] args) {
        System.exit(commandLine().execute(args));
    }

    /** The configured command line; tests run it without exiting the JVM. */
    public static CommandLine commandLine() {
        return new CommandLine(new Tributary()).setCaseInsensitiveEnumValuesAllowed(true);
    }

    static final class Version implements CommandLine.IVersionProvider {
        @Override
        public String[] getVersion() {
            String version = Tributary.class.getPackage().getImplementationVersion();
            return new String[] {"tributary " + (version == null ? "development build" : version)};
        }
    }
}
