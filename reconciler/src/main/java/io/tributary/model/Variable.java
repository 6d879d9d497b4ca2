package io.tributary.model;

/** A named value for {@code ${name}}, or a secret read from the service's environment or a file. */
public record Variable(Metadata metadata, Spec spec) implements Resource {

    public record Spec(String value, SecretRef secret, String description) {}

    public boolean isSecret() {
        return spec.secret() != null;
    }

    @Override
    public Kind kind() {
        return Kind.VARIABLE;
    }
}
