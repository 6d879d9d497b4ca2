package io.tributary.model;

import java.util.List;

/** A custom role: a named set of permissions (besides the built-in admin, developer and viewer). */
public record Role(Metadata metadata, Spec spec) implements Resource {

    public record Spec(String description, List<Permission> permissions) {
        public Spec {
            permissions = permissions == null ? List.of() : List.copyOf(permissions);
        }
    }

    @Override
    public Kind kind() {
        return Kind.ROLE;
    }
}
