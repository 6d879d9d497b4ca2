package io.tributary.model;

/** A person. Passwords and tokens are never in Git; they live hashed in the service's database. */
public record User(Metadata metadata, Spec spec) implements Resource {

    public record Spec(String displayName, String email, boolean platformAdmin) {}

    @Override
    public Kind kind() {
        return Kind.USER;
    }
}
