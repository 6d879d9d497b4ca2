package io.tributary.secrets;

import io.tributary.model.Credential;
import io.tributary.model.DesiredState;
import io.tributary.model.Kind;
import io.tributary.model.Resource;
import io.tributary.model.ResourceId;
import io.tributary.model.SecretRef;
import io.tributary.model.Variable;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;
import java.util.function.Function;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Collectors;

/**
 * Reads secrets where they are used, never earlier: a {@link SecretRef} from the service's
 * environment or a file, a {@link Credential} directly or through the secret Variable it names.
 * A secret that cannot be read is a {@link SecretUnavailable} naming the variable or file.
 */
public final class SecretResolver {
    private static final Pattern REFERENCE = Pattern.compile("\\$\\{([A-Za-z_][A-Za-z0-9_]*)}");

    private final Function<String, String> environment;
    private final Function<String, Variable> variables;

    /**
     * @param environment the service's environment variables ({@code System::getenv})
     * @param variables the Variable a {@code ${name}} credential means, or null when there is none
     */
    public SecretResolver(Function<String, String> environment, Function<String, Variable> variables) {
        this.environment = Objects.requireNonNull(environment);
        this.variables = Objects.requireNonNull(variables);
    }

    /** The process environment, and the platform-wide Variables of {@code state} (team Variables are not visible to platform documents). */
    public static SecretResolver of(DesiredState state) {
        return of(state, System::getenv);
    }

    /** As {@link #of(DesiredState)}, with the environment given. */
    public static SecretResolver of(DesiredState state, Function<String, String> environment) {
        Map<String, Variable> platform = state.all(Variable.class).stream()
                .filter(v -> v.metadata().team() == null)
                .collect(Collectors.toMap(v -> v.metadata().name(), v -> v, (a, b) -> a));
        return new SecretResolver(environment, platform::get);
    }

    /**
     * The secret's value. A file's trailing line break is dropped (files written with {@code echo}
     * end with one); anything else is kept as it is.
     *
     * @param usedBy who needs it, for the message, e.g. {@code Settings "platform" spec.smtp.password}
     * @throws SecretUnavailable when the variable is unset or empty, or the file cannot be read or is empty
     */
    public String resolve(SecretRef ref, String usedBy) {
        if (ref.env() != null) {
            String value = environment.apply(ref.env());
            if (value == null) {
                throw new SecretUnavailable(usedBy + ": environment variable " + ref.env() + " is not set");
            }
            if (value.isEmpty()) {
                throw new SecretUnavailable(usedBy + ": environment variable " + ref.env() + " is empty");
            }
            return value;
        }
        if (ref.file() != null) {
            Path file = Path.of(ref.file());
            String value;
            try {
                value = Files.readString(file, StandardCharsets.UTF_8);
            } catch (IOException | RuntimeException e) {
                throw new SecretUnavailable(usedBy + ": file " + ref.file() + " cannot be read ("
                        + (Files.exists(file) ? e.getClass().getSimpleName() + ": " + e.getMessage() : "it does not exist")
                        + ")", e);
            }
            value = value.replaceFirst("\\R$", "");
            if (value.isEmpty()) {
                throw new SecretUnavailable(usedBy + ": file " + ref.file() + " is empty");
            }
            return value;
        }
        throw new SecretUnavailable(usedBy + ": the secret names neither env nor file");
    }

    /**
     * {@code text} with each {@code ${name}} of a secret Variable replaced by its value: the loader
     * leaves those references in place so that no secret is read before it is used. The Variable is
     * the team's own, else the platform-wide one of that name; other references are left as they are.
     *
     * @param team the team of the document the text is from, or null for a platform-wide one
     * @param usedBy who needs it, for the message, e.g. {@code application payments/orders}
     * @throws SecretUnavailable when a secret it names cannot be read
     */
    public String substitute(String text, String team, DesiredState desired, String usedBy) {
        Matcher m = REFERENCE.matcher(text);
        StringBuilder out = new StringBuilder();
        while (m.find()) {
            Optional<Variable> secret = secretVariable(m.group(1), team, desired);
            String replacement = secret.map(v -> resolve(v.spec().secret(),
                    usedBy + " (secret Variable " + v.metadata().name() + ")")).orElse(m.group());
            m.appendReplacement(out, Matcher.quoteReplacement(replacement));
        }
        m.appendTail(out);
        return out.toString();
    }

    private static Optional<Variable> secretVariable(String name, String team, DesiredState desired) {
        Optional<Resource> own = team == null ? Optional.empty() : desired.get(new ResourceId(Kind.VARIABLE, team, name));
        Optional<Resource> found = own.isPresent() ? own : desired.get(new ResourceId(Kind.VARIABLE, null, name));
        return found.map(Variable.class::cast).filter(Variable::isSecret);
    }

    /** A credential's value: its secret, or the secret of the Variable it names. */
    public String resolve(Credential credential, String usedBy) {
        if (credential.secret() != null) {
            return resolve(credential.secret(), usedBy);
        }
        Variable variable = variables.apply(credential.variable());
        if (variable == null || !variable.isSecret()) {
            throw new SecretUnavailable(usedBy + ": \"${" + credential.variable() + "}\" names no platform-wide secret Variable");
        }
        return resolve(variable.spec().secret(), usedBy + " (secret Variable " + credential.variable() + ")");
    }
}
