package io.tributary.cli;

import io.tributary.config.ConfigLoader;
import io.tributary.config.ErrorFormat;
import java.io.PrintWriter;
import java.nio.file.Files;
import java.nio.file.Path;
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
        exitCodeList = {"0:the repository is valid", "1:the repository has errors", "2:usage error"})
public final class ValidateCommand implements Callable<Integer> {

    @Spec
    CommandSpec spec;

    @Parameters(index = "0", arity = "0..1", defaultValue = ".", paramLabel = "DIR",
            description = "The config repository checkout (default: the current directory).")
    Path directory;

    @Option(names = "--format", defaultValue = "text", paramLabel = "FORMAT",
            description = "text (default), json, or github (workflow annotations for pull requests).")
    ErrorFormat format;

    @Override
    public Integer call() {
        PrintWriter out = spec.commandLine().getOut();
        PrintWriter err = spec.commandLine().getErr();
        if (!Files.isDirectory(directory)) {
            err.println("tributary validate: " + directory + " is not a directory");
            return 2;
        }
        ConfigLoader.Result result = new ConfigLoader().load(directory);
        out.print(format.render(result.errors(), result.state().size()));
        out.flush();
        return result.valid() ? 0 : 1;
    }

}
