package io.tributary.deploy;

import io.tributary.server.ServeCommand;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.TreeSet;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import picocli.CommandLine;
import picocli.CommandLine.Model.OptionSpec;

/** The environment variables {@code tributary serve} reads, from its own flags: what deploy/ may name. */
final class ServiceVariables {
    /** The top of the repository, from the module's folder the tests run in. */
    static final Path ROOT = Path.of("..").toAbsolutePath().normalize();
    static final Path DEPLOY = ROOT.resolve("deploy");
    /** JVM flags: read by the JVM (or the systemd unit's ExecStart), not by the service. */
    static final Set<String> JVM_VARIABLES = Set.of("JAVA_TOOL_OPTIONS", "JAVA_OPTS");

    private static final Pattern ENV_DEFAULT = Pattern.compile("\\$\\{env:(TRIBUTARY_[A-Z_]+)(?::-(.*))?}");

    private ServiceVariables() {}

    /** Each flag's variable with its default (null when the flag has none), then the secrets read from the environment only. */
    static Map<String, String> all() {
        Map<String, String> out = new LinkedHashMap<>();
        for (OptionSpec option : new CommandLine(new ServeCommand()).setInterpolateVariables(false).getCommandSpec().options()) {
            String value = option.defaultValue();
            Matcher m = value == null ? null : ENV_DEFAULT.matcher(value);
            if (m != null && m.matches()) {
                out.put(m.group(1), m.group(2));
            }
        }
        ServeCommand.SECRET_VARIABLES.forEach(v -> out.put(v, null));
        return out;
    }

    static Set<String> names() {
        return new TreeSet<>(all().keySet());
    }

    static Optional<String> defaultOf(String variable) {
        return Optional.ofNullable(all().get(variable));
    }

    static boolean known(String variable) {
        return all().containsKey(variable) || JVM_VARIABLES.contains(variable);
    }

    static String read(Path file) {
        try {
            return Files.readString(file);
        } catch (java.io.IOException e) {
            throw new java.io.UncheckedIOException(e);
        }
    }
}
