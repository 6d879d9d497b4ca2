package io.tributary.model;

import com.fasterxml.jackson.annotation.JsonCreator;
import com.fasterxml.jackson.annotation.JsonProperty;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * A field that holds a credential: either {@code {secret: {env|file}}} or a {@code ${name}}
 * reference to a secret Variable. Only the reference is kept; the value is read when used.
 */
public record Credential(SecretRef secret, String variable) {
    private static final Pattern VARIABLE_REFERENCE = Pattern.compile("\\$\\{([A-Za-z_][A-Za-z0-9_]*)}");

    @JsonCreator
    public Credential(@JsonProperty("secret") SecretRef secret) {
        this(secret, null);
    }

    /** A credential written as {@code "${name}"}; the loader has already checked the form. */
    @JsonCreator
    public static Credential ofVariable(String text) {
        Matcher m = VARIABLE_REFERENCE.matcher(text.strip());
        if (!m.matches()) {
            throw new IllegalArgumentException("a credential must be {secret: {env|file}} or ${variable}");
        }
        return new Credential(null, m.group(1));
    }

    @Override
    public String toString() {
        return secret != null ? secret.toString() : "${" + variable + "}";
    }
}
