package io.tributary.model;

/** A person. Passwords and tokens are never in Git; they live hashed in the service's database. */
public record User(Metadata metadata, Spec spec) implements Resource {
    /** The user that exists before any is declared in Git, so that someone can log in on day one: a platform admin. */
    public static final String BOOTSTRAP_ADMIN = "admin";

    public record Spec(String displayName, String email, boolean platformAdmin) {}

    @Override
    public Kind kind() {
        return Kind.USER;
    }
}
