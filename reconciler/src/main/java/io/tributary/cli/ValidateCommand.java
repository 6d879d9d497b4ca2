package io.tributary.cli;

import io.tributary.build.ArtifactResolutionFailure;
import io.tributary.config.ConfigError;
import io.tributary.config.ConfigLoader;
import io.tributary.config.ErrorFormat;
import io.tributary.secrets.SecretUnavailable;
import java.io.PrintWriter;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;
import picocli.CommandLine.Spec;

/** {@code tributary validate [DIR]}: exit 0 when the repository is valid, 1 when not, 2 on a usage error. */
@Command(name = "validate", mixinStandardHelpOptions = true,
        description = "Checks a config repository: YAML, schemas, references, scopes and variables.%n"
                + "Every problem is reported with its file, line and column.",
        exitCodeListHeading = "%nExit codes:%n",
        exitCodeList = {"0:the repository is valid", "1:the repository has errors",
                "2:usage error (also a directory without any YAML document), or --compile-sql could not get its jars (a missing secret of Settings, an"
                        + " unreachable repository)"})
public final class ValidateCommand implements Callable<Integer> {

    @Spec
    CommandSpec spec;

    @Parameters(index = "0", arity = "0..1", defaultValue = ".", paramLabel = "DIR",
            description = "The config repository checkout (default: the current directory).")
    Path directory;

    @Option(names = "--format", defaultValue = "text", paramLabel = "FORMAT",
            description = "text (default), json, or github (workflow annotations for pull requests).")
    ErrorFormat format;

    @Option(names = "--compile-sql", description = "Also compile every SQL application's script with the real"
            + " planner of its Flink version (resolves that version's jars from Maven on first use).")
    boolean compileSql;

    @Option(names = "--data-dir", paramLabel = "DIR", description = "Where Flink versions are cached"
            + " (default: $TRIBUTARY_DATA_DIR or ~/.tributary).")
    Path dataDir;

    @Option(names = "--maven-repository", paramLabel = "DIR",
            description = "The local Maven repository for Flink's and dependencies' jars (default: ~/.m2/repository).")
    Path mavenRepository;

    @Override
    public Integer call() {
        PrintWriter out = spec.commandLine().getOut();
        PrintWriter err = spec.commandLine().getErr();
        if (!Files.isDirectory(directory)) {
            err.println("tributary validate: " + directory + " is not a directory");
            return 2;
        }
        ConfigLoader.Result result = new ConfigLoader().load(directory);
        List<ConfigError> errors = result.errors();
        if (errors.isEmpty() && result.state().size() == 0) {
            // an empty platform is valid to serve, but a check of nothing is a wrong path in CI, not a pass
            err.println("tributary validate: " + directory + " holds no YAML documents (*.yaml, *.yml); give the"
                    + " folder that holds the config (in a monorepo, its sub-folder)");
            err.flush();
            return 2;
        }
        if (compileSql && errors.isEmpty()) {
            try {
                errors = new SqlChecks(dataDir(), mavenRepository()).check(result);
            } catch (SecretUnavailable | ArtifactResolutionFailure e) {
                // not a problem in the repository's text: this host lacks a secret, or a Maven repository fails
                err.println("tributary validate: --compile-sql cannot get the jars it needs: " + e.getMessage());
                err.flush();
                return 2;
            }
        }
        out.print(format.render(errors, result.state().size()));
        out.flush();
        return errors.isEmpty() ? 0 : 1;
    }

    private Path dataDir() {
        if (dataDir != null) {
            return dataDir;
        }
        String fromEnvironment = System.getenv("TRIBUTARY_DATA_DIR");
        return fromEnvironment != null ? Path.of(fromEnvironment) : Path.of(System.getProperty("user.home"), ".tributary");
    }

    private Path mavenRepository() {
        return mavenRepository != null ? mavenRepository : Path.of(System.getProperty("user.home"), ".m2", "repository");
    }

}
