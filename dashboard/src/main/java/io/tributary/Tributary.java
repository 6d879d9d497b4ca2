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
    /** The level of the log on standard error, read by logback.xml ({@code -Dtributary.log.level=DEBUG}). */
    private static final String LOG_LEVEL = "tributary.log.level";

    public static void main(String[] args) {
        // the service logs what it does; a one-shot command prints its result, with warnings only beside it
        boolean serve = args.length > 0 && args[0].equals("serve");
        if (!serve && System.getProperty(LOG_LEVEL) == null) {
            System.setProperty(LOG_LEVEL, "WARN");
        }
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
